#!/bin/sh
# Alpine image for a CI-style agent: build tools and a pinned helper.
set -eu

ARCH="$(apk --print-arch)"
HELM_VERSION="3.14.4"

apk update
apk add --no-cache bash git make gcc musl-dev curl jq yq openssh-client
apk add --no-cache --virtual .build-deps python3-dev libffi-dev

case "$ARCH" in
    x86_64) HELM_ARCH=amd64 ;;
    aarch64) HELM_ARCH=arm64 ;;
    *) echo "unsupported: $ARCH" >&2; exit 1 ;;
esac

curl -fsSL "https://get.helm.sh/helm-v${HELM_VERSION}-linux-${HELM_ARCH}.tar.gz" | tar -xzf - -C /usr/local/bin --strip-components=1 "linux-${HELM_ARCH}/helm"
chmod +x /usr/local/bin/helm
apk del .build-deps
rm -rf /var/cache/apk/*

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
helm version --short > "$WORK/helm-version"
echo "helm $(cat "$WORK/helm-version") on $ARCH for task ${TASK_ID:-none}"

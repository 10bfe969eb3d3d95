#!/bin/bash
# Go toolchain into /usr/local/go and a few tools with go install, in the
# style of a devcontainer "go" feature.
set -e

TARGET_GO_VERSION="${VERSION:-"1.22.5"}"
TARGET_GOROOT="/usr/local/go"
TARGET_GOPATH="/go"

if [ "$(id -u)" -ne 0 ]; then
    echo 'Script must be run as root.' >&2
    exit 1
fi

architecture="$(dpkg --print-architecture)"
case "${architecture}" in
    amd64) arch=amd64 ;;
    arm64) arch=arm64 ;;
    *) echo "(!) Architecture ${architecture} unsupported"; exit 1 ;;
esac

export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get -y install --no-install-recommends curl ca-certificates git gcc libc6-dev

mkdir -p "${TARGET_GOROOT}" "${TARGET_GOPATH}/bin"
curl -fsSL "https://go.dev/dl/go${TARGET_GO_VERSION}.linux-${arch}.tar.gz" | tar -xzf - -C /usr/local

export PATH="${TARGET_GOROOT}/bin:${TARGET_GOPATH}/bin:${PATH}"
export GOPATH="${TARGET_GOPATH}"
export GOROOT="${TARGET_GOROOT}"

go install golang.org/x/tools/gopls@latest
go install honnef.co/go/tools/cmd/staticcheck@latest
go install github.com/go-delve/delve/cmd/dlv@latest

cat > /etc/profile.d/go.sh <<EOF
export GOROOT=${TARGET_GOROOT}
export GOPATH=${TARGET_GOPATH}
export PATH=\${GOROOT}/bin:\${GOPATH}/bin:\${PATH}
EOF

rm -rf "${TARGET_GOPATH}/pkg/mod/cache/download"
rm -rf /var/lib/apt/lists/*

cd /home/midori-ai/workspace
go mod download

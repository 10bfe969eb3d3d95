#!/bin/bash
# Node.js through nvm, global CLIs with npm -g, in the style of a
# devcontainer "node" feature.
set -e

NODE_VERSION="${VERSION:-"lts"}"
NVM_VERSION="0.39.7"
export NVM_DIR="/usr/local/share/nvm"

if [ "$(id -u)" -ne 0 ]; then
    echo 'Script must be run as root.' >&2
    exit 1
fi

. /etc/os-release
architecture="$(uname -m)"
case "$architecture" in
    x86_64|aarch64|armv7l) ;;
    *) echo "(!) Architecture $architecture unsupported"; exit 1 ;;
esac

export DEBIAN_FRONTEND=noninteractive
if ! command -v curl >/dev/null 2>&1; then
    apt-get update
    apt-get install -y --no-install-recommends curl ca-certificates
fi

mkdir -p "${NVM_DIR}"
curl -fsSL "https://raw.githubusercontent.com/nvm-sh/nvm/v${NVM_VERSION}/install.sh" | PROFILE=/dev/null bash
. "${NVM_DIR}/nvm.sh"
nvm install "${NODE_VERSION}"
nvm alias default "${NODE_VERSION}"

tee /etc/profile.d/nvm.sh >/dev/null <<EOF
export NVM_DIR="${NVM_DIR}"
[ -s "\$NVM_DIR/nvm.sh" ] && . "\$NVM_DIR/nvm.sh"
EOF

npm install -g npm@latest
npm install -g typescript eslint prettier pnpm
npm cache clean --force

cd /home/midori-ai/workspace
if [ -f package-lock.json ]; then
    npm ci
elif [ -f package.json ]; then
    npm install
fi
export PATH="$PWD/node_modules/.bin:$PATH"

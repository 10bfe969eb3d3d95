#!/usr/bin/env bash
# Rust through rustup into /usr/local, cargo tools, and the project's
# fetch at task start.
set -euo pipefail

RUST_VERSION="${VERSION:-"stable"}"
export RUSTUP_HOME=/usr/local/rustup
export CARGO_HOME=/usr/local/cargo
export PATH="${CARGO_HOME}/bin:${PATH}"

log() { echo "[rust] $*"; }

if command -v apt-get >/dev/null 2>&1; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update
    apt-get install -y --no-install-recommends curl ca-certificates gcc libc6-dev pkg-config libssl-dev
    rm -rf /var/lib/apt/lists/*
elif command -v apk >/dev/null 2>&1; then
    apk add --no-cache curl ca-certificates gcc musl-dev pkgconf openssl-dev
fi

arch="$(uname -m)"
case "$arch" in
    x86_64|aarch64) log "architecture $arch" ;;
    *) log "architecture $arch is not supported"; exit 1 ;;
esac

log "installing rustup"
curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y --no-modify-path --profile minimal --default-toolchain "${RUST_VERSION}"
chmod -R a+w "${RUSTUP_HOME}" "${CARGO_HOME}"
rustup component add rustfmt clippy rust-src
cargo install cargo-watch cargo-edit --locked
cargo install --git https://github.com/est31/cargo-udeps --locked

cd /home/midori-ai/workspace
cargo fetch
cargo install --path .
log "rust ready: $(rustc --version)"

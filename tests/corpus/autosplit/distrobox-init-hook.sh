#!/bin/sh
# Init hook in the style of a distrobox container: works on whichever
# distribution the image is, installs the host-integration packages and
# gives the default user passwordless sudo.
set -e

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    SUDO="sudo"
fi

if command -v apt-get >/dev/null 2>&1; then
    PKG_MANAGER="apt-get"
elif command -v dnf >/dev/null 2>&1; then
    PKG_MANAGER="dnf"
elif command -v apk >/dev/null 2>&1; then
    PKG_MANAGER="apk"
elif command -v pacman >/dev/null 2>&1; then
    PKG_MANAGER="pacman"
else
    echo "no supported package manager found" >&2
    exit 1
fi

case "$PKG_MANAGER" in
    apt-get)
        export DEBIAN_FRONTEND=noninteractive
        $SUDO apt-get update
        $SUDO apt-get install -y --no-install-recommends sudo bash-completion less procps curl ca-certificates
        ;;
    dnf)
        $SUDO dnf install -y sudo bash-completion less procps-ng curl
        ;;
    apk)
        $SUDO apk add --no-cache sudo bash bash-completion less procps curl
        ;;
    pacman)
        $SUDO pacman -Syu --noconfirm --needed sudo bash-completion less procps-ng curl
        ;;
esac

CONTAINER_USER="midori-ai"
if ! id "$CONTAINER_USER" >/dev/null 2>&1; then
    $SUDO useradd --create-home --shell /bin/bash "$CONTAINER_USER"
fi

echo "$CONTAINER_USER ALL=(ALL) NOPASSWD: ALL" | $SUDO tee /etc/sudoers.d/90-distrobox >/dev/null
$SUDO chmod 0440 /etc/sudoers.d/90-distrobox

$SUDO mkdir -p /etc/distrobox
printf 'container_manager=docker\n' | $SUDO tee /etc/distrobox/distrobox.conf >/dev/null
printf 'container_image_default=debian:bookworm\n' | $SUDO tee -a /etc/distrobox/distrobox.conf >/dev/null

if [ "$PKG_MANAGER" = "apt-get" ]; then
    $SUDO apt-get clean
    $SUDO rm -rf /var/lib/apt/lists/*
fi

echo "distrobox hook done for $(uname -n)"

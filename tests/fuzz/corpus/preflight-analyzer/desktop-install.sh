#!/bin/sh
# Installs a headless desktop reachable through noVNC: Xvfb, a window
# manager (twm, which start.sh sets up to place new windows itself), x11vnc
# and noVNC with websockify. Runs as root at image build time
# (desktop layer) or at task start when the layer is not cached.
# Replace this folder in Preferences → Desktop scripts folder to change it.
set -eu

have() { command -v "$1" >/dev/null 2>&1; }

as_root() {
    if [ "$(id -u)" -eq 0 ]; then
        "$@"
    elif have sudo; then
        sudo -n "$@"
    else
        echo "desktop: installing packages needs root, and sudo is not available" >&2
        exit 1
    fi
}

if have pacman; then
    as_root pacman -Sy --noconfirm --needed xorg-server-xvfb x11vnc xorg-twm python-websockify novnc \
        || { have yay && yay -S --noconfirm --needed novnc python-websockify; }
elif have apt-get; then
    export DEBIAN_FRONTEND=noninteractive
    # No fsync after every file: an image build or a container that dies
    # half-way is thrown away whole anyway.
    apt_get() { as_root apt-get -q -o Dpkg::Options::=--force-unsafe-io "$@"; }
    apt_get update
    # twm rather than fluxbox: fluxbox brings imlib2 and with it
    # ghostscript, libheif, librsvg and poppler-data (173 packages, 438 MB,
    # 36 s to install on Debian 12; with twm 121 packages, 317 MB, 24 s).
    apt_get install -y --no-install-recommends xvfb x11vnc twm python3-websockify procps
    # noVNC's web client is static files, taken from Debian's novnc package
    # without that package's dependencies (nodejs, OpenStack's oslo
    # libraries and Pillow, for command line tools this desktop does not
    # use): 74 packages fewer on Debian 12.
    tmp=$(mktemp -d)
    # shellcheck disable=SC2016  # $1 is for the inner shell
    as_root sh -c 'cd "$1" && apt-get -q -o APT::Sandbox::User=root download novnc && dpkg-deb -x novnc_*.deb root' \
        sh "$tmp"
    as_root mkdir -p /usr/share/novnc
    as_root cp -R "$tmp/root/usr/share/novnc/." /usr/share/novnc/
    as_root rm -rf "$tmp" /var/lib/apt/lists/*
elif have dnf; then
    as_root dnf install -y xorg-x11-server-Xvfb x11vnc fluxbox novnc python3-websockify
    as_root dnf clean all
elif have apk; then
    as_root apk add --no-cache xvfb x11vnc fluxbox novnc py3-websockify
else
    echo "desktop: no known package manager (pacman, apt-get, dnf, apk) in this image" >&2
    exit 1
fi

echo "desktop: installed"

#!/usr/bin/env bash
# Common utilities for a Debian-based dev container, in the style of a
# devcontainer "common-utils" feature: base tools, a shell profile, locale.
set -e

INSTALL_ZSH="${INSTALLZSH:-"false"}"
UPGRADE_PACKAGES="${UPGRADEPACKAGES:-"false"}"
PROFILE_DIR="/etc/profile.d"

if [ "$(id -u)" -ne 0 ]; then
    echo -e 'Script must be run as root. Use sudo, su, or add "USER root" to your Dockerfile before running this script.'
    exit 1
fi

# Bring in ID, ID_LIKE, VERSION_CODENAME
. /etc/os-release
if [ "${ID}" = "debian" ] || [ "${ID_LIKE}" = "debian" ]; then
    ADJUSTED_ID="debian"
else
    echo "Linux distro ${ID} not supported."
    exit 1
fi

export DEBIAN_FRONTEND=noninteractive

apt_get_update() {
    if [ "$(find /var/lib/apt/lists/* 2>/dev/null | wc -l)" = "0" ]; then
        echo "Running apt-get update..."
        apt-get update -y
    fi
}

apt_get_update
if [ "${UPGRADE_PACKAGES}" = "true" ]; then
    apt-get -y upgrade --no-install-recommends
    apt-get autoremove -y
fi

package_list="ca-certificates less procps lsof htop net-tools psmisc \
    unzip zip nano vim-tiny jq git openssh-client gnupg2 dirmngr \
    locales sudo ncdu man-db"
if [ "${INSTALL_ZSH}" = "true" ]; then
    package_list="${package_list} zsh"
fi

echo "Packages to verify are installed: ${package_list}"
apt-get -y install --no-install-recommends ${package_list} 2> >( grep -v 'debconf: delaying package configuration, since apt-utils is not installed' >&2 )

if ! grep -o -E '^\s*en_US.UTF-8\s+UTF-8' /etc/locale.gen > /dev/null; then
    echo "en_US.UTF-8 UTF-8" >> /etc/locale.gen
    locale-gen
fi

architecture="$(dpkg --print-architecture)"
echo "Detected architecture: ${architecture}" > /etc/dev-container-arch

cat > "${PROFILE_DIR}/00-devcontainer.sh" <<'EOF'
# Added by the dev container set-up
export EDITOR=vim.tiny
alias ll='ls -alF'
EOF
chmod 644 "${PROFILE_DIR}/00-devcontainer.sh"

apt-get clean
rm -rf /var/lib/apt/lists/*

echo "Done!"

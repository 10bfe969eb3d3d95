#!/usr/bin/env bash
# Builds git from source, in the style of a devcontainer "git" feature.
GIT_VERSION=${VERSION:-"latest"}
USE_PPA_IF_AVAILABLE=${PPA:-"true"}
GIT_CORE_PPA_ARCHIVE_GPG_KEY=E1DD270288B4E6030699E45FA1715D88E1DF1F24

set -e

if [ "$(id -u)" -ne 0 ]; then
    echo -e 'Script must be run as root. Use sudo, su, or add "USER root" to your Dockerfile before running this script.'
    exit 1
fi

. /etc/os-release
if [ "${ID}" = "debian" ] || [ "${ID_LIKE}" = "debian" ]; then
    ADJUSTED_ID="debian"
elif [[ "${ID}" = "rhel" || "${ID}" = "fedora" || "${ID_LIKE}" = *"rhel"* || "${ID_LIKE}" = *"fedora"* ]]; then
    ADJUSTED_ID="rhel"
    VERSION_CODENAME="${ID}${VERSION_ID}"
else
    echo "Linux distro ${ID} not supported."
    exit 1
fi

if type apt-get > /dev/null 2>&1; then
    INSTALL_CMD=apt-get
elif type microdnf > /dev/null 2>&1; then
    INSTALL_CMD=microdnf
elif type dnf > /dev/null 2>&1; then
    INSTALL_CMD=dnf
else
    INSTALL_CMD=yum
fi

clean_up() {
    case $ADJUSTED_ID in
        debian)
            rm -rf /var/lib/apt/lists/*
            ;;
        rhel)
            rm -rf /var/cache/dnf/* /var/cache/yum/*
            ;;
    esac
}

pkg_mgr_update() {
    if [ ${INSTALL_CMD} = "apt-get" ]; then
        if [ "$(find /var/lib/apt/lists/* | wc -l)" = "0" ]; then
            echo "Running apt-get update..."
            ${INSTALL_CMD} update -y
        fi
    else
        ${INSTALL_CMD} makecache
    fi
}

check_packages() {
    if [ ${INSTALL_CMD} = "apt-get" ]; then
        if ! dpkg -s "$@" > /dev/null 2>&1; then
            pkg_mgr_update
            ${INSTALL_CMD} -y install --no-install-recommends "$@"
        fi
    else
        ${INSTALL_CMD} -y install "$@"
    fi
}

export DEBIAN_FRONTEND=noninteractive

clean_up

if [ "${ADJUSTED_ID}" = "debian" ]; then
    check_packages curl ca-certificates gettext-base libssl-dev zlib1g-dev libcurl4-openssl-dev libexpat1-dev gcc make
else
    check_packages curl ca-certificates gettext openssl-devel zlib-devel libcurl-devel expat-devel gcc make perl
fi

if [ "${GIT_VERSION}" = "latest" ]; then
    GIT_VERSION="$(curl -sSL https://api.github.com/repos/git/git/tags | grep -oP '"name":\s*"v\K[0-9]+\.[0-9]+\.[0-9]+"' | tr -d '"' | sort -rV | head -1)"
fi

echo "Downloading source for ${GIT_VERSION}..."
mkdir -p /usr/local/src/git
curl -sL "https://github.com/git/git/archive/v${GIT_VERSION}.tar.gz" | tar -xzC /usr/local/src/git --strip-components=1
echo "Building..."
make -C /usr/local/src/git -s prefix=/usr/local sysconfdir=/etc all
make -C /usr/local/src/git -s prefix=/usr/local sysconfdir=/etc install
rm -rf /usr/local/src/git

clean_up
echo "Done!"

#!/bin/bash
# Fedora toolbox-style container for C development.
set -euo pipefail

source /etc/os-release
if [[ "$ID" != "fedora" ]]; then
    echo "expected Fedora, found $ID" >&2
    exit 1
fi
FEDORA_RELEASE="$VERSION_ID"

sudo dnf -y upgrade --refresh
sudo dnf -y install gcc gdb make meson ninja-build valgrind clang-tools-extra \
    glib2-devel gtk4-devel libadwaita-devel json-glib-devel libsoup3-devel
sudo dnf -y install "https://mirrors.rpmfusion.org/free/fedora/rpmfusion-free-release-${FEDORA_RELEASE}.noarch.rpm"
sudo dnf clean all

sudo tee /etc/yum.repos.d/vscode.repo >/dev/null <<'EOF'
[code]
name=Visual Studio Code
baseurl=https://packages.microsoft.com/yumrepos/vscode
enabled=1
gpgcheck=1
gpgkey=https://packages.microsoft.com/keys/microsoft.asc
EOF
sudo rpm --import https://packages.microsoft.com/keys/microsoft.asc
sudo dnf -y install code

mkdir -p "$HOME/.config/meson"
cat > "$HOME/.config/meson/native.ini" <<'EOF'
[binaries]
c = 'gcc'
EOF
cd /home/midori-ai/workspace
meson setup _build --wipe || meson setup _build

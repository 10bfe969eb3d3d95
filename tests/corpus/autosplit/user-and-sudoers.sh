#!/bin/bash
# Creates the non-root user the agent runs as, with sudo and a home layout.
set -euo pipefail

USERNAME="${USERNAME:-midori-ai}"
USER_UID=1000
USER_GID=$USER_UID

err() { echo "error: $*" >&2; }

if [ "$(id -u)" != "0" ]; then
    err "run this as root"
    exit 1
fi

apt-get update
DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends sudo bash-completion

if ! getent group "$USERNAME" >/dev/null; then
    groupadd --gid "$USER_GID" "$USERNAME"
fi
if ! id -u "$USERNAME" >/dev/null 2>&1; then
    useradd -s /bin/bash --uid "$USER_UID" --gid "$USER_GID" -m "$USERNAME"
fi

echo "$USERNAME ALL=(root) NOPASSWD:ALL" > "/etc/sudoers.d/$USERNAME"
chmod 0440 "/etc/sudoers.d/$USERNAME"

mkdir -p "/home/$USERNAME/.local/bin" "/home/$USERNAME/.cache"
chown -R "$USER_UID:$USER_GID" "/home/$USERNAME"

cat >> /etc/bash.bashrc <<'EOF'
# agent prompt
PS1='\u@agent:\w\$ '
EOF

apt-get clean
rm -rf /var/lib/apt/lists/*

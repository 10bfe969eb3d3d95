#!/bin/bash
# A user service for a background indexer, in an image that runs systemd.
set -euo pipefail

UNIT_DIR=/etc/systemd/user
UNIT=code-indexer.service

apt-get update
apt-get install -y --no-install-recommends systemd dbus-user-session universal-ctags inotify-tools

cat > /usr/local/bin/code-indexer <<'EOF'
#!/bin/sh
cd "${1:-$HOME/workspace}" || exit 1
while inotifywait -qq -r -e modify,create,delete .; do
    ctags -R -f .tags . 2>/dev/null
done
EOF
chmod 755 /usr/local/bin/code-indexer

mkdir -p "$UNIT_DIR"
tee "$UNIT_DIR/$UNIT" >/dev/null <<'EOF'
[Unit]
Description=Re-index the workspace on change

[Service]
ExecStart=/usr/local/bin/code-indexer
Restart=on-failure

[Install]
WantedBy=default.target
EOF
systemctl --global enable "$UNIT"
loginctl enable-linger midori-ai || true

# per task: point the indexer at this task's checkout
mkdir -p "$HOME/.config/systemd/user/$UNIT.d"
printf '[Service]\nEnvironment=TASK=%s\n' "${AGENTS_RUNNER_TASK_ID:-none}" > "$HOME/.config/systemd/user/$UNIT.d/task.conf"
systemctl --user daemon-reload || true
systemctl --user restart "$UNIT" || echo "no user session bus; the indexer starts with the next login"

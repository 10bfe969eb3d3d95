#!/bin/sh
# Writes service defaults the way many READMEs say to: echo | sudo tee,
# then fix permissions, then append site-specific lines.
set -eu

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"

$SUDO apt-get update
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends cron logrotate

echo 'ENABLED=1' | $SUDO tee /etc/default/agent-cache >/dev/null
$SUDO chmod 644 /etc/default/agent-cache
echo 'CACHE_DIR=/var/cache/agent' | $SUDO tee -a /etc/default/agent-cache >/dev/null
$SUDO mkdir -p /var/cache/agent

$SUDO tee /etc/logrotate.d/agent-cache >/dev/null <<'EOF'
/var/cache/agent/*.log {
    weekly
    rotate 4
    missingok
    compress
}
EOF
$SUDO chmod 0644 /etc/logrotate.d/agent-cache

$SUDO tee /etc/cron.d/agent-cache >/dev/null <<'EOF'
17 * * * * root find /var/cache/agent -name '*.tmp' -mtime +1 -delete
EOF

# Per task: where this task's logs go.
echo "LOG_FILE=/var/cache/agent/${TASK_ID:-none}.log" | $SUDO tee -a /etc/default/agent-cache >/dev/null
$SUDO touch "/var/cache/agent/${TASK_ID:-none}.log"

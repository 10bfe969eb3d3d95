#!/bin/bash
# Sandbox for a Claude Code-style agent: Node, the CLI, its settings, and
# the per-task API key and git identity.
set -euo pipefail

readonly NODE_MAJOR=20
log() { echo "[sandbox] $(date +%T) $*"; }
warn() { log "WARN: $*" >&2; }

export DEBIAN_FRONTEND=noninteractive
log "base packages"
apt-get update
apt-get install -y --no-install-recommends ca-certificates curl gnupg git less procps sudo zsh

install -d -m 0755 /etc/apt/keyrings
curl -fsSL https://deb.nodesource.com/gpgkey/nodesource-repo.gpg.key | gpg --dearmor -o /etc/apt/keyrings/nodesource.gpg
echo "deb [signed-by=/etc/apt/keyrings/nodesource.gpg] https://deb.nodesource.com/node_${NODE_MAJOR}.x nodistro main" > /etc/apt/sources.list.d/nodesource.list
apt-get update && apt-get install -y nodejs
npm install -g @anthropic-ai/claude-code
apt-get clean && rm -rf /var/lib/apt/lists/*

mkdir -p /etc/claude-code
cat > /etc/claude-code/managed-settings.json <<'EOF'
{
  "permissions": { "deny": ["Bash(curl:*)", "Read(./.env)"] }
}
EOF

if [ -z "${ANTHROPIC_API_KEY:-}" ]; then
    warn "ANTHROPIC_API_KEY is not set; the agent will ask to log in"
fi
mkdir -p "$HOME/.claude"
cat > "$HOME/.claude/settings.json" <<EOF
{ "env": { "ANTHROPIC_API_KEY": "${ANTHROPIC_API_KEY:-}", "TASK": "${AGENTS_RUNNER_TASK_ID:-}" } }
EOF
chmod 600 "$HOME/.claude/settings.json"
git config --global user.name "agent-${AGENTS_RUNNER_TASK_ID:-local}"
log "sandbox ready"

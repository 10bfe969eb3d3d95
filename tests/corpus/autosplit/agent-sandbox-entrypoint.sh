#!/usr/bin/env bash
# Entrypoint of a coding-agent sandbox: tools the agent uses, its config,
# and a per-task scratch area with the task's credentials.
set -Eeuo pipefail

log_line() {
    printf '[%s] [%s] %s\n' "$(date -u +%H:%M:%S)" "$1" "$2"
}
log_info() { log_line INFO "$*"; }
log_error() { log_line ERROR "$*" >&2; }
die() { log_error "$*"; exit 1; }

if [ "${EUID:-$(id -u)}" -ne 0 ]; then
    die "the sandbox set-up needs root"
fi

export DEBIAN_FRONTEND=noninteractive
log_info "installing the agent's tools"
apt-get update -qq
apt-get install -y -qq --no-install-recommends git ripgrep fd-find jq tree file patch ca-certificates
ln -sf /usr/bin/fdfind /usr/local/bin/fd
apt-get clean
rm -rf /var/lib/apt/lists/*

mkdir -p /etc/agent-sandbox
tee /etc/agent-sandbox/policy.conf >/dev/null <<'EOF'
# what the agent may run without asking
allow = git, rg, fd, jq, tree, patch
deny_network = false
EOF

log_info "preparing task ${AGENTS_RUNNER_TASK_ID:-unknown}"
TASK_DIR="/tmp/agent-${AGENTS_RUNNER_TASK_ID:-unknown}"
mkdir -p "$TASK_DIR"
trap 'log_info "entrypoint finished"' EXIT

if [ -n "${GITHUB_TOKEN:-}" ]; then
    git config --global credential.helper store
    printf 'https://x-access-token:%s@github.com\n' "$GITHUB_TOKEN" > "$HOME/.git-credentials"
    chmod 600 "$HOME/.git-credentials"
fi

git config --global --add safe.directory '*'
cat > "$TASK_DIR/context.md" <<EOF
Task: ${AGENTS_RUNNER_TASK_ID:-unknown}
Environment: ${AGENTS_RUNNER_ENV_ID:-unknown}
EOF
log_info "sandbox ready"

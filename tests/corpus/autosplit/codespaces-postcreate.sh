#!/bin/bash
# postCreateCommand of a Codespaces-style dev container: system tools first,
# then the per-task bits (identity, workspace, scratch folder).
set -euo pipefail

export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y --no-install-recommends git make jq ripgrep bash-completion
rm -rf /var/lib/apt/lists/*

git config --system init.defaultBranch main
git config --system core.autocrlf input

# The identity comes from the environment's env vars, so it is per user.
git config --global user.name "${GIT_AUTHOR_NAME:-Agents Runner}"
git config --global user.email "${GIT_AUTHOR_EMAIL:-agent@example.invalid}"

WORKSPACE_DIR="${AGENTS_RUNNER_WORKDIR:-/home/midori-ai/workspace}"
mkdir -p "$WORKSPACE_DIR"
cd "$WORKSPACE_DIR"
git config --global --add safe.directory "$WORKSPACE_DIR"

SCRATCH="/tmp/codespace-${TASK_ID:-local}"
mkdir -p "$SCRATCH"
echo "task ${TASK_ID:-local} started in $(pwd)" > "$SCRATCH/session.txt"

if [ -f Makefile ]; then
    make -n >/dev/null 2>&1 || echo "Makefile present but make -n failed" >&2
fi
echo "post-create finished"

#!/bin/sh
set -e

# System packages: slow, the same for every task
sudo apt-get update
sudo apt-get install -y ripgrep jq

# A tool downloaded to a system place
curl -fsSL https://example.com/tool.tar.gz -o /opt/tool.tar.gz
mkdir -p /opt/tool

# Per task: always at start
export PATH="$HOME/.local/bin:$PATH"
mkdir -p "/tmp/agents-runner-$TASK_ID"
echo "task $AGENTS_RUNNER_TASK_ID starting"

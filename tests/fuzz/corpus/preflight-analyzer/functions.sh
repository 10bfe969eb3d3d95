#!/bin/sh
set -e
install_tools() {
  apt-get install -y jq ripgrep
}
function greet {
  echo "hi $1"
}
setup()
{
  { echo a; echo b; } > /etc/ab
}
install_tools
greet "$AGENTS_RUNNER_TASK_ID"
setup && echo "$GITHUB_TOKEN" | gh auth login --with-token
( cd /opt && ls )

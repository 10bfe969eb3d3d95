#!/bin/bash
set -euo pipefail
# tools for the build
sudo apt-get update && \
  sudo DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
    git curl ca-certificates build-essential jq
sudo rm -rf /var/lib/apt/lists/*
echo "ready for task $TASK_ID"

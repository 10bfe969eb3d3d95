#!/bin/bash
# Python project set-up: the interpreter and build deps in the image, the
# project's virtualenv in the workspace, created at every start.
set -euo pipefail

info() { echo "==> $*"; }

info "system python"
apt-get update
DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
    python3 python3-venv python3-pip python3-dev build-essential
rm -rf /var/lib/apt/lists/*

PROJECT_DIR="${PROJECT_DIR:-$PWD}"
cd "$PROJECT_DIR"
python3 -m venv .venv
# shellcheck disable=SC1091
. .venv/bin/activate
python -m pip --version
if [ -f requirements.txt ]; then
    pip install -r requirements.txt
fi
if [ -f pyproject.toml ]; then
    pip install -e .
fi
info "virtualenv ready at $PROJECT_DIR/.venv"

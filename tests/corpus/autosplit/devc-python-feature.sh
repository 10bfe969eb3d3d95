#!/usr/bin/env bash
# Python tools in a shared virtualenv under /opt, in the style of a
# devcontainer "python" feature; the project's own venv at task start.
set -eux

PYTHON_TOOLS="${TOOLS:-"black flake8 mypy pytest"}"
TOOLS_VENV=/opt/python-tools

if [ "$(id -u)" -ne 0 ]; then
    echo 'Script must be run as root.' >&2
    exit 1
fi

export DEBIAN_FRONTEND=noninteractive
apt-get update -y
apt-get -y install --no-install-recommends python3 python3-venv python3-pip pipx

python3 -m venv /opt/python-tools
/opt/python-tools/bin/pip install --no-cache-dir --upgrade pip setuptools wheel
/opt/python-tools/bin/pip install --no-cache-dir ${PYTHON_TOOLS}
for tool in ${PYTHON_TOOLS}; do
    ln -sf "${TOOLS_VENV}/bin/${tool}" "/usr/local/bin/${tool}"
done

PIPX_HOME=/opt/pipx PIPX_BIN_DIR=/usr/local/bin pipx install poetry

apt-get clean
rm -rf /var/lib/apt/lists/*

# the project's own environment lives in the workspace
cd "${WORKSPACE:-/home/midori-ai/workspace}"
python3 -m venv .venv
source .venv/bin/activate
pip install --upgrade pip
pip install -r requirements-dev.txt
pip install -e .

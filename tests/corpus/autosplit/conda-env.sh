#!/bin/bash
# Data-science agent: micromamba and a shared environment in the image,
# the project's extra packages and a token-protected package index at start.
set -euo pipefail

MAMBA_ROOT_PREFIX=/opt/micromamba
ENV_PREFIX=/opt/conda-env
arch="$(uname -m)"
case "$arch" in
    x86_64) platform=linux-64 ;;
    aarch64) platform=linux-aarch64 ;;
    *) echo "unsupported $arch" >&2; exit 1 ;;
esac

apt-get update
apt-get install -y --no-install-recommends curl ca-certificates bzip2
curl -fsSL "https://micro.mamba.pm/api/micromamba/${platform}/latest" | tar -xj -C /usr/local bin/micromamba
mkdir -p "$MAMBA_ROOT_PREFIX"
micromamba create -y -r "$MAMBA_ROOT_PREFIX" -p "$ENV_PREFIX" -c conda-forge python=3.11 numpy pandas jupyterlab
micromamba clean -a -y -r "$MAMBA_ROOT_PREFIX"

export PATH="$ENV_PREFIX/bin:$PATH"
pip config set global.extra-index-url "https://__token__:${PYPI_TOKEN}@pypi.example.com/simple"
cd /home/midori-ai/workspace
if [ -f requirements.txt ]; then
    pip install -r requirements.txt
fi
python -c 'import numpy, pandas; print("env ok")'

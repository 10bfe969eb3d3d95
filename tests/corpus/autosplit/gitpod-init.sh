#!/bin/bash
# Gitpod-style "init" and "before" tasks merged into one preflight.
set -e

export DEBIAN_FRONTEND=noninteractive
sudo apt-get update
sudo apt-get install -y postgresql-client redis-tools
sudo rm -rf /var/lib/apt/lists/*

npm install -g @angular/cli@17 yarn
yarn global add serve

export PATH="$HOME/.yarn/bin:$PATH"

# private packages: the token is one of the environment's secrets
echo "//npm.pkg.github.com/:_authToken=${NPM_TOKEN}" > "$HOME/.npmrc"
git clone "https://x-access-token:${GITHUB_TOKEN}@github.com/acme/shared-config.git" "$HOME/shared-config"
TOOLS_REPO="https://x-access-token:${GITHUB_TOKEN}@github.com/acme/dev-tools.git"
git clone --depth 1 "$TOOLS_REPO" /opt/acme-dev-tools

cd /home/midori-ai/workspace
yarn install --frozen-lockfile
cp -n .env.example .env || true
echo "DATABASE_URL=postgres://dev@localhost/${AGENTS_RUNNER_TASK_ID}" >> .env
yarn run build

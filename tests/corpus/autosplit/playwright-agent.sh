#!/bin/bash
# Browser-testing agent: Node, Playwright and its browsers in the image,
# the app's own test run at start.
set -e

export PLAYWRIGHT_BROWSERS_PATH=/opt/ms-playwright

apt-get update
apt-get install -y --no-install-recommends nodejs npm xvfb
npm install -g playwright@1.45.0
playwright install --with-deps chromium
chmod -R a+rx "$PLAYWRIGHT_BROWSERS_PATH"
rm -rf /var/lib/apt/lists/*

echo "browsers in $PLAYWRIGHT_BROWSERS_PATH"
cd "$HOME/workspace"
npm ci
PORT=$((3000 + ${TASK_ID:-0} % 1000))
export PORT
npx playwright test --reporter=line > "/tmp/playwright-${TASK_ID:-local}.log" 2>&1 || true

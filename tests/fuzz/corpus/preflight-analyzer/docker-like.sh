#!/usr/bin/env bash
set -Eeuo pipefail
trap 'echo failed at $LINENO' ERR
if ! command -v node >/dev/null; then
  for v in 18 20; do
    if [ "$v" = 20 ]; then
      npm install -g n
    fi
  done
elif true; then
  while false; do :; done
else
  until true; do sleep 1; done
fi
exec > >(tee -a /var/log/setup.log) 2>&1
echo after

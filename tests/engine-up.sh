#!/bin/sh
# engine-up.sh — a Docker engine for a whole test run
#
#   eval "$(tests/engine-up.sh)"      # start one if none answers
#   tests/engine-up.sh stop           # stop the one it started
#
# When an engine already answers (DOCKER_HOST or the default socket) it
# prints nothing to evaluate and leaves that engine alone. Otherwise, as root
# with dockerd installed, it starts a private dockerd (own data-root,
# exec-root, pidfile, socket and containerd namespaces under a temporary
# folder, no bridge, no iptables) and prints
#   export DOCKER_HOST=unix://DIR/docker.sock
#   export AR_TEST_DOCKERD_PID=PID
#   export AR_TEST_DOCKERD_DIR=DIR
# An engine this script started earlier and left running is reused (each
# `eval` in a new shell would otherwise start one more): its folder holds
# the file `engine-up`, and the same three lines are printed for it.
# `stop` stops the engine named by AR_TEST_DOCKERD_DIR (only one this script
# started: its pidfile is there) and removes the folder. The C fixture in
# test-utils.c does the same for a test program run on its own.
# Exit status 1 when no engine can be had; the reason goes to stderr.
#
# SPDX-License-Identifier: GPL-3.0-or-later
set -eu

stop_engine () {
  dir=${AR_TEST_DOCKERD_DIR:-}
  if [ -z "$dir" ] || [ ! -d "$dir" ]; then
    echo "engine-up.sh: AR_TEST_DOCKERD_DIR names no engine folder: nothing to stop" >&2
    return 0
  fi
  if [ -e "$dir/pid" ]; then
    pid=$(cat "$dir/pid")
    kill "$pid" 2>/dev/null || true
    i=0
    while [ -e "$dir/pid" ] && [ $i -lt 100 ]; do sleep 0.2; i=$((i + 1)); done
    if [ -e "$dir/pid" ]; then kill -9 "$pid" 2>/dev/null || true; fi
  fi
  rm -rf --one-file-system "$dir"
}

if [ "${1:-}" = stop ]; then
  stop_engine
  exit 0
fi

if ! command -v docker >/dev/null 2>&1; then
  echo "engine-up.sh: no docker command is installed" >&2
  exit 1
fi
if docker info --format '{{.ServerVersion}}' >/dev/null 2>&1; then
  echo "# engine-up.sh: a Docker engine already answers${DOCKER_HOST:+ at $DOCKER_HOST}"
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  echo "engine-up.sh: no Docker engine answers, and only root may start a private one" >&2
  exit 1
fi
if ! command -v dockerd >/dev/null 2>&1; then
  echo "engine-up.sh: no Docker engine answers and dockerd is not installed" >&2
  exit 1
fi

for dir in /tmp/ar-test-engine-*; do
  if [ -e "$dir/engine-up" ] && [ -e "$dir/pid" ] &&
     DOCKER_HOST="unix://$dir/docker.sock" docker info --format '{{.ServerVersion}}' >/dev/null 2>&1; then
    echo "export DOCKER_HOST=unix://$dir/docker.sock"
    echo "export AR_TEST_DOCKERD_PID=$(cat "$dir/pid")"
    echo "export AR_TEST_DOCKERD_DIR=$dir"
    exit 0
  fi
done

dir=$(mktemp -d /tmp/ar-test-engine-XXXXXX)
: >"$dir/engine-up"
ns=ar-test-$(basename "$dir" | tr 'A-Z' 'a-z')
host="unix://$dir/docker.sock"
setsid dockerd --data-root "$dir/data" --exec-root "$dir/exec" --pidfile "$dir/pid" \
  -H "$host" --bridge=none --iptables=false \
  --containerd-namespace "$ns" --containerd-plugins-namespace "$ns-plugins" \
  >"$dir/dockerd.log" 2>&1 </dev/null &

i=0
until DOCKER_HOST="$host" docker info --format '{{.ServerVersion}}' >/dev/null 2>&1; do
  i=$((i + 1))
  if [ $i -gt 150 ]; then
    echo "engine-up.sh: the private dockerd did not answer within 30 s; its log:" >&2
    tail -n 20 "$dir/dockerd.log" >&2 || true
    AR_TEST_DOCKERD_DIR=$dir stop_engine
    exit 1
  fi
  sleep 0.2
done

echo "export DOCKER_HOST=$host"
echo "export AR_TEST_DOCKERD_PID=$(cat "$dir/pid")"
echo "export AR_TEST_DOCKERD_DIR=$dir"

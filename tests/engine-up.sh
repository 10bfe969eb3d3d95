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
# folder) and prints
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
# Its network: a bridge of its own (ar-e-XXXXXX, a free 10.215.N.0/24, the
# host at .1) made here, handed to dockerd with --bridge and
# --iptables=false, plus three rules of its own (NAT of that subnet to the
# host's network, FORWARD in and out of that bridge). So containers reach
# what the host reaches (Debian's archive), published ports answer on the
# host (dockerd's userland proxy), and nothing another engine uses is
# touched: not docker0 (which --bridge=none deletes), not the DOCKER chains
# (which dockerd with --iptables=true removes and makes again when it
# starts). DIR/teardown removes the bridge and the rules; `stop` runs it.
# AR_TEST_ENGINE_UP_DIR=DIR (an empty folder) starts a private engine there,
# without looking for one that answers or one to reuse and without the
# marker: the C fixture in test-utils.c does so, and its reaper runs
# DIR/teardown.
# Two more settings, for tests/remote-engine-up.sh (a "remote" engine):
# AR_TEST_ENGINE_UP_PRIVATE_FS=1 starts dockerd in a mount namespace of its
# own with empty tmpfs over /tmp, /home, /root and /run, so this machine's
# user folders do not exist for it (DIR must then lie elsewhere, e.g. under
# /var/tmp); AR_TEST_ENGINE_UP_DOCKERD_ARGS adds arguments to dockerd's
# (split at spaces), e.g. a TLS listener.
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
  if [ -e "$dir/teardown" ]; then sh "$dir/teardown" || true; fi
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
if [ -z "${AR_TEST_ENGINE_UP_DIR:-}" ] && docker info --format '{{.ServerVersion}}' >/dev/null 2>&1; then
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
  [ -z "${AR_TEST_ENGINE_UP_DIR:-}" ] || break
  if [ -e "$dir/engine-up" ] && [ -e "$dir/pid" ] &&
     DOCKER_HOST="unix://$dir/docker.sock" docker info --format '{{.ServerVersion}}' >/dev/null 2>&1; then
    echo "export DOCKER_HOST=unix://$dir/docker.sock"
    echo "export AR_TEST_DOCKERD_PID=$(cat "$dir/pid")"
    echo "export AR_TEST_DOCKERD_DIR=$dir"
    exit 0
  fi
done

for tool in ip iptables; do
  command -v $tool >/dev/null 2>&1 ||
    { echo "engine-up.sh: no Docker engine answers and $tool (for a private engine's network) is not installed" >&2; exit 1; }
done

if [ -n "${AR_TEST_ENGINE_UP_DIR:-}" ]; then
  dir=$AR_TEST_ENGINE_UP_DIR
else
  dir=$(mktemp -d /tmp/ar-test-engine-XXXXXX)
  : >"$dir/engine-up"
fi
# the last 9 letters and digits of the folder's name: its random part
id=$(basename "$dir" | tr '[:upper:]' '[:lower:]' | tr -cd 'a-z0-9' | tail -c 9)
ns=ar-test-$id
host="unix://$dir/docker.sock"

# The network: a bridge and a /24 no one else uses, and our own rules.
bridge=ar-e-$id
third=
for n in $(shuf -i 0-255 -n 40); do
  if ! ip -4 route show | grep -q "^10\.215\.$n\."; then third=$n; break; fi
done
if [ -z "$third" ]; then
  echo "engine-up.sh: no free 10.215.N.0/24 for a private engine's bridge" >&2
  exit 1
fi
subnet=10.215.$third.0/24
cat >"$dir/teardown" <<TEARDOWN
iptables -t nat -D POSTROUTING -s $subnet ! -o $bridge -j MASQUERADE 2>/dev/null
iptables -D FORWARD -i $bridge -j ACCEPT 2>/dev/null
iptables -D FORWARD -o $bridge -j ACCEPT 2>/dev/null
ip link del $bridge 2>/dev/null
exit 0
TEARDOWN
# A MAC address of its own (locally administered), set: a bridge without
# one takes the lowest of its ports' and changes it as containers come and
# go, and a container that had resolved the gateway before then sends to
# a MAC no longer there until its ARP entry is probed again: connections
# to the host (the tests' apt proxy) timed out for seconds (seen in CI).
mac=02$(od -An -N5 -tx1 /dev/urandom | tr -s ' ' ':' | sed 's/:$//')
if ! { ip link add "$bridge" address "$mac" type bridge && ip addr add "10.215.$third.1/24" dev "$bridge" &&
       ip link set "$bridge" up &&
       iptables -t nat -A POSTROUTING -s "$subnet" ! -o "$bridge" -j MASQUERADE &&
       iptables -I FORWARD -i "$bridge" -j ACCEPT && iptables -I FORWARD -o "$bridge" -j ACCEPT; } \
     >"$dir/network.log" 2>&1
then
  echo "engine-up.sh: could not make the bridge $bridge for a private engine: $(cat "$dir/network.log")" >&2
  AR_TEST_DOCKERD_DIR=$dir stop_engine
  exit 1
fi
sysctl -qw net.ipv4.ip_forward=1 2>/dev/null || true

# gtk_test_init points XDG_RUNTIME_DIR at /dev/null; the engine's shim
# makes the console socket of a `run -t` there.
set -- dockerd
if [ "${AR_TEST_ENGINE_UP_PRIVATE_FS:-}" = 1 ]; then
  set -- unshare -m --propagation private sh -c \
    'for d in /tmp /home /root /run; do mount -t tmpfs -o mode=755 "ar-remote$d" "$d" || exit 1; done
     chmod 1777 /tmp && chmod 700 /root && mkdir -p /run/lock /run/sshd && exec dockerd "$@"' sh
fi
# shellcheck disable=SC2086 # the extra arguments are split at spaces
env -u XDG_RUNTIME_DIR setsid "$@" --data-root "$dir/data" --exec-root "$dir/exec" --pidfile "$dir/pid" \
  -H "$host" --bridge="$bridge" --iptables=false \
  --containerd-namespace "$ns" --containerd-plugins-namespace "$ns-plugins" \
  ${AR_TEST_ENGINE_UP_DOCKERD_ARGS:-} \
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

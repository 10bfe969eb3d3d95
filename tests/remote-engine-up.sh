#!/bin/sh
# remote-engine-up.sh — a "remote" Docker engine on this machine, for tests
#
#   eval "$(tests/remote-engine-up.sh [start] [DIR])"
#   tests/remote-engine-up.sh stop [DIR]     # DIR defaults to $AR_TEST_REMOTE_DIR
#
# A faithful stand-in for an engine on another machine (issue 15): a second
# dockerd started by tests/engine-up.sh in a mount namespace of its own,
# with empty tmpfs over /tmp, /home, /root and /run, so none of this
# machine's user folders exist for it (AR_TEST_ENGINE_UP_PRIVATE_FS); its
# data-root, exec-root and unix socket in DIR (default: a new
# /var/tmp/ar-test-remote-XXXXXX; never under /tmp, /home or /root, which
# the engine cannot see), its own containerd namespaces, and a bridge and
# NAT rules of its own (containers reach Debian's archive). It is reached,
# all on 127.0.0.1, in two ways:
#  - ssh: an sshd running inside that mount namespace, with a host key and a
#    client key made here, that sets DOCKER_HOST for its sessions, so
#    `docker -H ssh://root@127.0.0.1:PORT` runs `docker system dial-stdio`
#    on the "remote" side. The client's ssh options (key, known_hosts) come
#    from DIR/client/ssh_config through an `ssh` on PATH that adds `-F` (the
#    docker CLI has no setting for ssh options): put
#    $AR_TEST_REMOTE_SSH_PATH first in PATH. Nothing under ~/.ssh is used.
#  - TLS: dockerd's own tcp://127.0.0.1:PORT listener with --tlsverify and a
#    CA, server and client certificates made here with openssl: the client
#    sets DOCKER_TLS_VERIFY=1 and DOCKER_CERT_PATH=$AR_TEST_REMOTE_CERT_PATH.
# It prints (for eval):
#   export AR_TEST_REMOTE_DIR=DIR
#   export AR_TEST_REMOTE_SOCKET=unix://DIR/docker.sock   direct setup from here
#   export AR_TEST_REMOTE_SSH_HOST=ssh://root@127.0.0.1:PORT
#   export AR_TEST_REMOTE_SSH_PATH=DIR/client/bin         first in PATH for ssh://
#   export AR_TEST_REMOTE_SSH_CONFIG=DIR/client/ssh_config
#   export AR_TEST_REMOTE_TLS_HOST=tcp://127.0.0.1:PORT
#   export AR_TEST_REMOTE_CERT_PATH=DIR/client/tls        DOCKER_CERT_PATH for TLS
#   export AR_TEST_REMOTE_PID=PID                          the remote dockerd
# `stop` stops sshd and the engine, removes its bridge and rules and DIR.
# Exit status: 0 started; 2 it cannot be had here (not root, a program
# missing: the reason on stderr, a test skips); 1 it should have started
# and did not (a test fails).
#
# SPDX-License-Identifier: GPL-3.0-or-later
set -eu

here=$(cd "$(dirname "$0")" && pwd)
# dockerd, sshd, ip and iptables live in sbin, which a user's PATH may lack
PATH=$PATH:/usr/sbin:/sbin
export PATH
cmd=start
case "${1:-}" in
  start | stop) cmd=$1; shift ;;
esac

stop_remote () {
  dir=$1
  if [ -z "$dir" ] || [ ! -e "$dir/remote-engine-up" ]; then
    echo "remote-engine-up.sh: '$dir' is no remote engine's folder: nothing to stop" >&2
    return 0
  fi
  if [ -e "$dir/ssh/sshd.pid" ]; then
    kill "$(cat "$dir/ssh/sshd.pid")" 2>/dev/null || true
  fi
  AR_TEST_DOCKERD_DIR=$dir sh "$here/engine-up.sh" stop
}

if [ "$cmd" = stop ]; then
  stop_remote "${1:-${AR_TEST_REMOTE_DIR:-}}"
  exit 0
fi

cannot () {
  echo "remote-engine-up.sh: $*" >&2
  exit 2
}
if [ "$(id -u)" != 0 ]; then
  cannot "only root may start a second dockerd in a mount namespace of its own"
fi
for tool in docker dockerd sshd ssh ssh-keygen openssl unshare nsenter ip iptables; do
  command -v $tool >/dev/null 2>&1 || cannot "$tool is not installed"
done
sshd=$(command -v sshd)
ssh=$(command -v ssh)

if [ -n "${1:-}" ]; then
  dir=$(cd "$1" && pwd)
else
  dir=$(mktemp -d /var/tmp/ar-test-remote-XXXXXX)
fi
case "$dir/" in
  /tmp/* | /home/* | /root/* | /run/*)
    echo "remote-engine-up.sh: $dir is hidden from the remote engine (its /tmp, /home, /root and /run are its own): use a folder under /var/tmp" >&2
    exit 1 ;;
esac
: >"$dir/remote-engine-up"

fail () {
  echo "remote-engine-up.sh: $*" >&2
  stop_remote "$dir" >/dev/null 2>&1 || true
  exit 1
}

free_port () {
  for p in $(shuf -i 20000-60000 -n 50); do
    if ! ss -Hltn "sport = :$p" 2>/dev/null | grep -q . && [ "$p" != "${1:-}" ]; then
      echo "$p"; return 0
    fi
  done
  return 1
}
tls_port=$(free_port) || fail "no free TCP port on 127.0.0.1"
ssh_port=$(free_port "$tls_port") || fail "no free TCP port on 127.0.0.1"

# TLS: a CA, the server's certificate (for 127.0.0.1) and the client's.
tls=$dir/tls
client=$dir/client
mkdir -p "$tls" "$client/tls" "$client/bin" "$dir/ssh"
{
  openssl req -x509 -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:P-256 -days 2 \
    -subj "/CN=agents-runner test CA" -keyout "$tls/ca-key.pem" -out "$tls/ca.pem" &&
  openssl req -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:P-256 \
    -subj "/CN=127.0.0.1" -keyout "$tls/server-key.pem" -out "$tls/server.csr" &&
  printf 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' >"$tls/server.ext" &&
  openssl x509 -req -days 2 -in "$tls/server.csr" -CA "$tls/ca.pem" -CAkey "$tls/ca-key.pem" \
    -CAcreateserial -extfile "$tls/server.ext" -out "$tls/server-cert.pem" &&
  openssl req -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:P-256 \
    -subj "/CN=agents-runner test client" -keyout "$client/tls/key.pem" -out "$tls/client.csr" &&
  printf 'extendedKeyUsage=clientAuth\n' >"$tls/client.ext" &&
  openssl x509 -req -days 2 -in "$tls/client.csr" -CA "$tls/ca.pem" -CAkey "$tls/ca-key.pem" \
    -CAcreateserial -extfile "$tls/client.ext" -out "$client/tls/cert.pem" &&
  cp "$tls/ca.pem" "$client/tls/ca.pem"
} >"$tls/openssl.log" 2>&1 || fail "openssl could not make the certificates: $(tail -n 5 "$tls/openssl.log")"
chmod 600 "$tls"/*key.pem "$client/tls/key.pem"

# The engine (its bridge, NAT rules and private mounts: engine-up.sh).
if ! out=$(DOCKER_HOST= AR_TEST_ENGINE_UP_DIR=$dir AR_TEST_ENGINE_UP_PRIVATE_FS=1 \
    AR_TEST_ENGINE_UP_DOCKERD_ARGS="-H tcp://127.0.0.1:$tls_port --tlsverify --tlscacert $tls/ca.pem --tlscert $tls/server-cert.pem --tlskey $tls/server-key.pem" \
    sh "$here/engine-up.sh" 2>"$dir/engine-up.log"); then
  fail "the remote dockerd did not start: $(cat "$dir/engine-up.log")"
fi
pid=$(cat "$dir/pid")
socket=unix://$dir/docker.sock

# ssh: keys, a server inside the engine's mount namespace, a client config.
ssh-keygen -q -t ed25519 -N '' -C ar-remote-host -f "$dir/ssh/host_key" ||
  fail "ssh-keygen could not make the host key"
ssh-keygen -q -t ed25519 -N '' -C ar-remote-client -f "$client/id_ed25519" ||
  fail "ssh-keygen could not make the client key"
cp "$client/id_ed25519.pub" "$dir/ssh/authorized_keys"
cat >"$dir/ssh/sshd_config" <<EOF
Port $ssh_port
ListenAddress 127.0.0.1
HostKey $dir/ssh/host_key
PidFile $dir/ssh/sshd.pid
AuthorizedKeysFile $dir/ssh/authorized_keys
AllowUsers root
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
X11Forwarding no
AllowAgentForwarding no
PrintMotd no
SetEnv DOCKER_HOST=$socket
EOF
printf '[127.0.0.1]:%s %s\n' "$ssh_port" "$(cat "$dir/ssh/host_key.pub")" >"$client/known_hosts"
cat >"$client/ssh_config" <<EOF
Host 127.0.0.1
  IdentityFile $client/id_ed25519
  IdentitiesOnly yes
  UserKnownHostsFile $client/known_hosts
  GlobalKnownHostsFile /dev/null
  StrictHostKeyChecking yes
  UpdateHostKeys no
  BatchMode yes
  LogLevel ERROR
EOF
cat >"$client/bin/ssh" <<EOF
#!/bin/sh
exec $ssh -F $client/ssh_config "\$@"
EOF
chmod 755 "$client/bin/ssh"

setsid nsenter -t "$pid" -m -- "$sshd" -D -f "$dir/ssh/sshd_config" -E "$dir/ssh/sshd.log" \
  >/dev/null 2>&1 </dev/null &
i=0
until [ -s "$dir/ssh/sshd.pid" ] && "$client/bin/ssh" -p "$ssh_port" root@127.0.0.1 true 2>"$dir/ssh/client.log"; do
  i=$((i + 1))
  [ $i -le 50 ] || fail "sshd did not let the client in within 10 s: $(cat "$dir/ssh/client.log" "$dir/ssh/sshd.log" 2>/dev/null | tail -n 5)"
  sleep 0.2
done

# Both ways answer, and reach this engine (not another one).
want=$(DOCKER_HOST=$socket docker info --format '{{.ID}}')
got=$(PATH=$client/bin:$PATH DOCKER_HOST=ssh://root@127.0.0.1:$ssh_port docker info --format '{{.ID}}' 2>"$dir/check.log") ||
  fail "docker over ssh:// does not answer: $(cat "$dir/check.log")"
[ "$got" = "$want" ] || fail "docker over ssh:// reached another engine ($got, not $want)"
got=$(DOCKER_HOST=tcp://127.0.0.1:$tls_port DOCKER_TLS_VERIFY=1 DOCKER_CERT_PATH=$client/tls \
  docker info --format '{{.ID}}' 2>"$dir/check.log") ||
  fail "docker over TLS does not answer: $(cat "$dir/check.log")"
[ "$got" = "$want" ] || fail "docker over TLS reached another engine ($got, not $want)"

echo "export AR_TEST_REMOTE_DIR=$dir"
echo "export AR_TEST_REMOTE_SOCKET=$socket"
echo "export AR_TEST_REMOTE_SSH_HOST=ssh://root@127.0.0.1:$ssh_port"
echo "export AR_TEST_REMOTE_SSH_PATH=$client/bin"
echo "export AR_TEST_REMOTE_SSH_CONFIG=$client/ssh_config"
echo "export AR_TEST_REMOTE_TLS_HOST=tcp://127.0.0.1:$tls_port"
echo "export AR_TEST_REMOTE_CERT_PATH=$client/tls"
echo "export AR_TEST_REMOTE_PID=$pid"

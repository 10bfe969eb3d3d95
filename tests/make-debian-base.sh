#!/bin/sh
# make-debian-base.sh — a real Debian base for the field tests and benchmarks
#
#   tests/make-debian-base.sh [--apt-proxy URL] [--no-dev]
#   tests/make-debian-base.sh --diagnose-proxy URL
#
# Prints two image names, one a line, in the engine DOCKER_HOST names (or
# rootful podman with AR_TEST_ENGINE_CLI=podman; CONTAINERS_CONF as
# ../shared/ENGINE.md says):
#   1. Debian 12 (bookworm), debootstrap --variant=minbase, with the
#      container settings of Docker Hub's debian images (below);
#   2. the same with a non-root default user: `dev`, uid 1000, home
#      /home/dev, passwordless sudo (the package, installed with apt);
#      with --no-dev only the first is made and printed.
# Calls for the same engine wait for one another (flock), and so do calls
# that would make the tar: tests started together import and build once.
#
# The root file system tar is made once (debootstrap, about 3.5 minutes)
# and kept in ${XDG_CACHE_HOME:-$HOME/.cache}/agents-runner-tests/ (or
# AR_TEST_CACHE_DIR); a tar
# already made at /var/cache/agents-runner-tests/ (by an earlier
# test-autosplit-engine) is linked or copied there instead. The images are
# labelled io.github.agents-runner.test-base=… and are made again only when
# the tar (or the base image) changed: a second call costs two inspects.
#
# Building the `dev` variant runs apt-get in a container: through the apt
# proxy named by --apt-proxy or AR_TEST_APT_PROXY (an http:// URL the
# container can reach, e.g. the tests' apt-cacher-ng), else straight to
# Debian's archive, with apt retrying (Acquire::Retries) and giving up a
# connection after 30 s. Exit status 1 with one sentence on stderr when a
# step fails; when the proxy could not be reached, with what the host says
# of it (diagnose_proxy below, also what --diagnose-proxy URL prints alone):
# whether something listens on its address and port, which process, the
# interface holding the address and the iptables rules naming that
# interface or address.
#
# SPDX-License-Identifier: GPL-3.0-or-later
set -eu

engine=${AR_TEST_ENGINE_CLI:-docker}
proxy=${AR_TEST_APT_PROXY:-}
diagnose=
want_dev=yes
while [ $# -gt 0 ]; do
  case $1 in
    --no-dev) want_dev=; shift ;;
    --apt-proxy) proxy=${2:?--apt-proxy needs a URL}; shift 2 ;;
    --apt-proxy=*) proxy=${1#--apt-proxy=}; shift ;;
    --diagnose-proxy) diagnose=${2:?--diagnose-proxy needs a URL}; shift 2 ;;
    -h|--help) sed -n '2,/^# SPDX/{/^# SPDX/!p}' "$0"; exit 0 ;;
    *) echo "make-debian-base.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done

fail () {
  echo "make-debian-base.sh: $*" >&2
  exit 1
}

# What the host says of the apt proxy at URL (http://ADDRESS:PORT/).
diagnose_proxy () {
  hp=${1#http://}; hp=${hp%%/*}
  address=${hp%:*}; port=${hp##*:}
  echo "# the apt proxy $1, as the host sees it:"
  listening=$(ss -Hltnp "sport = :$port" 2>/dev/null | grep -F "$address:$port" || true)
  if [ -n "$listening" ]; then
    echo "#   listening: $listening"
    for pid in $(echo "$listening" | grep -o 'pid=[0-9]*' | cut -d= -f2); do
      if kill -0 "$pid" 2>/dev/null; then
        echo "#   process $pid alive: $(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)"
      else
        echo "#   process $pid is gone"
      fi
    done
  else
    echo "#   nothing listens on $address:$port (ss -ltn: $(ss -Hltn 2>/dev/null | grep -c .) listeners, none there)"
  fi
  dev=$(ip -o -4 addr show 2>/dev/null | awk -v a="$address" 'index($4, a "/") == 1 { print $2; exit }')
  if [ -n "$dev" ]; then
    echo "#   $address is on $dev: $(ip -br link show "$dev" 2>/dev/null)" \
      "(MAC $(case $(cat "/sys/class/net/$dev/addr_assign_type" 2>/dev/null) in 3) echo set ;; *) echo 'not set: follows its ports' ;; esac))"
    echo "#   iptables rules naming $dev or $address:"
    iptables-save 2>/dev/null | grep -e "$dev" -e "$address" | sed 's/^/#     /' || true
  else
    echo "#   no interface of this host holds $address"
  fi
}
if [ -n "$diagnose" ]; then
  diagnose_proxy "$diagnose"
  exit 0
fi

cache=${AR_TEST_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/agents-runner-tests}
tar=$cache/debian-bookworm-minbase.tar
shared_tar=/var/cache/agents-runner-tests/debian-bookworm-minbase.tar
base=ar-test-debian:bookworm-minbase
raw=ar-test-debian:bookworm-minbase-debootstrap  # the tar as it is
dev=ar-test-debian:bookworm-minbase-dev
label=io.github.agents-runner.test-base

mkdir -p "$cache"

# ---- the tar: made once, kept ------------------------------------------------
exec 8>"$cache/tar.lock"
flock 8
if [ ! -s "$tar" ] && [ -s "$shared_tar" ]; then
  if ! ln -f "$shared_tar" "$tar" 2>/dev/null; then
    { cp "$shared_tar" "$tar.part" && mv "$tar.part" "$tar"; } || fail "could not copy $shared_tar into $cache"
  fi
fi
if [ ! -s "$tar" ]; then
  [ "$(id -u)" = 0 ] || fail "no $tar yet, and only root can make it with debootstrap"
  command -v debootstrap >/dev/null 2>&1 || fail "no $tar yet, and debootstrap is not installed (tools/deps.sh test)"
  # The archive apt already uses (../shared/ENGINE.md), else Debian's own.
  mirror=$(sed -n 's/^URIs: *\(http[^ ]*\/debian\)$/\1/p' /etc/apt/sources.list.d/*.sources 2>/dev/null | head -n 1)
  mirror=${mirror:-http://deb.debian.org/debian}
  root=$(mktemp -d "$cache/root-XXXXXX")
  echo "# make-debian-base.sh: debootstrap --variant=minbase bookworm from $mirror (once, about 3.5 min)" >&2
  if ! debootstrap --variant=minbase bookworm "$root" "$mirror" >"$cache/debootstrap.log" 2>&1; then
    rm -rf --one-file-system "$root"
    fail "debootstrap failed; see $cache/debootstrap.log"
  fi
  tar --numeric-owner -C "$root" -cf "$tar.part" . || { rm -rf --one-file-system "$root" "$tar.part"; fail "tar failed"; }
  rm -rf --one-file-system "$root"
  mv "$tar.part" "$tar"
fi
exec 8>&-

# ---- the images: made again only when what they come from changed -----------
"$engine" version >/dev/null 2>&1 || fail "no $engine engine answers${DOCKER_HOST:+ at $DOCKER_HOST}"
exec 9>"$cache/images-$(printf '%s %s' "$engine" "${DOCKER_HOST:-default}" | md5sum | cut -c1-16).lock"
flock 9

label_of () {  # IMAGE KEY → the label's value, empty when absent
  "$engine" image inspect --format "{{index .Config.Labels \"$2\"}}" "$1" 2>/dev/null || true
}

# The tar as Docker Hub's debian images are made (debuerreotype): with the
# container settings its minimizing step writes, so that apt and dpkg behave
# here as in the image users start from. dpkg skips its fsyncs, apt keeps no
# downloaded packages or binary caches, fetches no translations and keeps
# its lists compressed, and no service starts at install (policy-rc.d).
# They are versioned in the stamp (the -c1): a change rebuilds the base.
# Imported as it is, then the settings in a layer over it (7 CPU-s, where
# one build with the tar in its context took 10).
stamp=$(stat -c '%s-%Y-%i' "$tar")-c1
if [ "$(label_of "$base" "$label.tar")" != "$stamp" ]; then
  # podman shows its copying progress on stderr, into the tests' logs
  # (docker import shows none)
  quiet=
  [ "$engine" = podman ] && quiet=-q
  "$engine" import $quiet --change "LABEL $label=debian-bookworm-minbase-debootstrap" \
    --change 'CMD ["/bin/bash"]' "$tar" "$raw" >/dev/null || fail "$engine import of $tar failed"
  ctx=$(mktemp -d)
  trap 'rm -rf "$ctx"' EXIT
  clean='"rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true";'
  printf 'force-unsafe-io\n' >"$ctx/docker-apt-speedup"
  printf 'Apt::AutoRemove::SuggestsImportant "false";\n' >"$ctx/docker-autoremove-suggests"
  printf 'DPkg::Post-Invoke { %s };\nAPT::Update::Post-Invoke { %s };\nDir::Cache::pkgcache "";\nDir::Cache::srcpkgcache "";\n' \
    "$clean" "$clean" >"$ctx/docker-clean"
  printf 'Acquire::GzipIndexes "true";\n' >"$ctx/docker-gzip-indexes"
  printf 'Acquire::Languages "none";\n' >"$ctx/docker-no-languages"
  printf '#!/bin/sh\n# no service starts while packages install in a container\nexit 101\n' >"$ctx/policy-rc.d"
  chmod 0644 "$ctx"/docker-*
  chmod 0755 "$ctx/policy-rc.d"
  cat >"$ctx/Dockerfile" <<EOF
FROM $raw
COPY docker-apt-speedup /etc/dpkg/dpkg.cfg.d/
COPY docker-autoremove-suggests docker-clean docker-gzip-indexes docker-no-languages /etc/apt/apt.conf.d/
COPY policy-rc.d /usr/sbin/
LABEL $label=debian-bookworm-minbase $label.tar=$stamp
EOF
  "$engine" build -q --force-rm -t "$base" "$ctx" >"$ctx/build.log" 2>&1 \
    || { tail -n 15 "$ctx/build.log" >&2; fail "$engine build of $base over $raw failed"; }
  rm -rf "$ctx"
  trap - EXIT
fi
base_id=$("$engine" image inspect --format '{{.Id}}' "$base") || fail "the imported $base is not there"

if [ -n "$want_dev" ] && [ "$(label_of "$dev" "$label.from")" != "$base_id" ]; then
  ctx=$(mktemp -d)
  trap 'rm -rf "$ctx"' EXIT
  cat >"$ctx/Dockerfile" <<EOF
FROM $base
RUN set -e; export DEBIAN_FRONTEND=noninteractive; \\
    apt_get () { apt-get -o Acquire::Retries=5 -o Acquire::http::Timeout=30 "\$@"; }; \\
    apt_get update; apt_get install -y --no-install-recommends sudo; \\
    rm -rf /var/lib/apt/lists/*; \\
    useradd --create-home --uid 1000 --shell /bin/bash dev; \\
    echo 'dev ALL=(ALL) NOPASSWD:ALL' >/etc/sudoers.d/dev; chmod 0440 /etc/sudoers.d/dev
USER dev
WORKDIR /home/dev
LABEL $label=debian-bookworm-minbase-dev $label.from=$base_id
EOF
  # http_proxy is one of the build arguments engines know without an ARG
  # line; it is not kept in the image.
  if ! "$engine" build -q --force-rm ${proxy:+--build-arg http_proxy=$proxy} -t "$dev" "$ctx" >"$ctx/build.log" 2>&1; then
    tail -n 15 "$ctx/build.log" >&2
    if [ -n "$proxy" ] && grep -q -e "Could not connect" -e "Failed to fetch" -e "Unable to connect" "$ctx/build.log"; then
      diagnose_proxy "$proxy" >&2
    fi
    fail "building $dev (apt-get install sudo${proxy:+ through $proxy}) failed: can a container reach Debian's archive?"
  fi
fi

echo "$base"
[ -z "$want_dev" ] || echo "$dev"

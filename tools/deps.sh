#!/usr/bin/env bash
# Installs the Debian packages that are missing (and only those).
# Usage: tools/deps.sh build|test
set -euo pipefail

build_pkgs=(
  meson ninja-build pkg-config gcc gettext
  libglib2.0-dev libgtk-4-dev libadwaita-1-dev libgtksourceview-5-dev
  libjson-glib-dev libsoup-3.0-dev
  # the embedded terminal of interactive tasks (Debian 12: 0.70, GTK4 API)
  libvte-2.91-gtk4-dev
  desktop-file-utils appstream
)
test_pkgs=(
  xvfb xauth busybox-static docker.io podman
  # the Debian base of the auto-split engine test (tests/test-autosplit-engine.c)
  # and the caching apt proxy its containers install packages through
  debootstrap apt-cacher-ng
  # rootless podman in the field suite (newuidmap; tests/test-field-rootless.c)
  uidmap
  # the sanitizer and fuzzing lane (clang's ASan, UBSan, LSan, libFuzzer)
  clang libclang-rt-14-dev
  # the format check (tools/check-format.sh, test "format")
  clang-format-14
  # the remote engine of the remote suite (tests/remote-engine-up.sh): an
  # sshd and ssh client on 127.0.0.1, TLS certificates made per run
  openssh-server openssh-client openssl
)

wanted=("${build_pkgs[@]}")
if [ "${1:-build}" = test ]; then
  wanted+=("${test_pkgs[@]}")
fi

missing=()
for p in "${wanted[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "Installing missing packages: ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"

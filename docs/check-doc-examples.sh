#!/usr/bin/env bash
# check-doc-examples.sh — the commands the documentation shows, run for real
#
#   docs/check-doc-examples.sh AGENTS_RUNNER SOURCE_ROOT
#
# Convention in README.md and docs/*.md:
#   ```sh      a runnable block: every line that starts with `agents-runner`
#              is run (a trailing backslash continues it on the next line);
#              other lines (cd, flatpak-builder, comments) are not run here.
#   ```text    illustration only (placeholders such as ENV or ID, output).
# A command passes when it exits 0, or with N when its line ends with a
# comment that says "exit status N".
#
# Each document runs top to bottom in a fresh state of its own: temporary
# HOME and XDG_CONFIG_HOME / XDG_STATE_HOME / XDG_CACHE_HOME, working folder
# with a copy of docs/examples/, and the earlier tool's file at
# ~/.midoriai/agents-runner/environments.json (a copy of
# docs/examples/environments.json). Commands that need a container engine
# (image …, run …, preflight test …, task log …) run only when one answers
# (DOCKER_HOST or the default socket); then the examples' base images are
# replaced by a small local image made from busybox, because the test has no
# network to pull the real ones. Otherwise they are reported as skipped.
# AR_TEST_RUN_LABEL labels what the commands build and limits `image list`
# and `image prune` to it, so that on an engine shared with other tests
# nothing of theirs is listed or removed; all of it is removed at the end.
#
# Also checks that docs/developer-guide.md carries the canonical cache-key
# encoding exactly as the header comment of src/core/images/ar-cache-key.h has it.
#
# Output: TAP.
#
# SPDX-License-Identifier: GPL-3.0-or-later
set -u

binary=${1:?usage: check-doc-examples.sh AGENTS_RUNNER SOURCE_ROOT}
root=${2:?usage: check-doc-examples.sh AGENTS_RUNNER SOURCE_ROOT}
case $binary in /*) ;; *) binary=$PWD/$binary ;; esac
case $root in /*) ;; *) root=$PWD/$root ;; esac

tmp=$(mktemp -d "${TMPDIR:-/tmp}/ar-doc-examples-XXXXXX")
run_id=$(basename "$tmp" | tr 'A-Z' 'a-z' | tr -cd 'a-z0-9')
base_image=""
base_id=""
count=0
failures=0

run_label=io.github.agents-runner.test-run=$run_id

cleanup () {
  if [ -n "$base_id" ]; then
    # Containers first (a task's are removed when it ends; this is for one
    # that was interrupted), then every image with our label, newest first
    # so that children go before their parents.
    containers=$(docker ps -aq --filter "label=$run_label" 2>/dev/null)
    [ -n "$containers" ] && docker rm -f $containers >/dev/null 2>&1
    images=$(docker images -q --filter "label=$run_label" 2>/dev/null)
    [ -n "$images" ] && docker rmi -f $images >/dev/null 2>&1
    docker rmi -f "$base_image" >/dev/null 2>&1
  fi
  rm -rf --one-file-system "$tmp"
}
trap cleanup EXIT

ok () {
  count=$((count + 1))
  echo "ok $count - $1"
}

not_ok () {
  count=$((count + 1))
  failures=$((failures + 1))
  echo "not ok $count - $1"
  if [ -n "${2:-}" ]; then
    printf '%s\n' "$2" | sed 's/^/#   /'
  fi
}

skip () {
  count=$((count + 1))
  echo "ok $count - $1 # SKIP $2"
}

# ---- the cache-key encoding, copied verbatim -------------------------------

check_cache_key_encoding () {
  local header=$root/src/core/images/ar-cache-key.h
  local guide=$root/docs/developer-guide.md
  local want=$tmp/encoding.want
  local have=$tmp/encoding.have
  local what="docs/developer-guide.md has the cache-key encoding of src/core/images/ar-cache-key.h unchanged"

  # From "A key is" to the end of the paragraph naming the known-answer test.
  sed -n '/A key is the lowercase hex SHA-256/,/complete known-answer example)/p' "$header" |
    sed 's/^ \*\( \|$\)//' > "$want"
  # The first fenced block after the marker comment.
  awk '/<!-- cache-key-encoding/ { marker = 1; next }
       marker && /^```/ { if (inside) exit; inside = 1; next }
       inside { print }' "$guide" > "$have"
  if [ ! -s "$want" ]; then
    not_ok "$what" "the encoding comment was not found in src/core/images/ar-cache-key.h"
  elif diff -u "$want" "$have" > "$tmp/encoding.diff"; then
    ok "$what"
  else
    not_ok "$what" "$(cat "$tmp/encoding.diff")"
  fi
}

# ---- an engine, and a base image the examples can use offline ------------

engine_answers () {
  command -v docker >/dev/null 2>&1 && docker info --format '{{.ServerVersion}}' >/dev/null 2>&1
}

make_base_image () {
  local rootfs=$tmp/base-root
  local busybox

  busybox=$(command -v busybox) || return 1
  mkdir -p "$rootfs/bin" "$rootfs/etc" "$rootfs/tmp" "$rootfs/root" || return 1
  cp "$busybox" "$rootfs/bin/busybox" || return 1
  chmod 0755 "$rootfs/bin/busybox"
  for name in sh echo cat mkdir rm date id env ls cp mv chmod ln true false test printf \
              head tail grep sed tr wc touch tee sleep; do
    ln -s busybox "$rootfs/bin/$name"
  done
  printf 'root:x:0:0:root:/root:/bin/sh\n' > "$rootfs/etc/passwd"
  printf 'root:x:0:\n' > "$rootfs/etc/group"
  chmod 1777 "$rootfs/tmp"
  tar --numeric-owner -C "$rootfs" -cf "$tmp/base.tar" . || return 1
  base_image=ar-doc-base:$run_id
  docker import --change "LABEL $run_label" \
    "$tmp/base.tar" "$base_image" >/dev/null || return 1
  base_id=$(docker image inspect -f '{{.Id}}' "$base_image") || return 1
}

# ---- a fresh state for one document ------------------------------------------

fresh_state () {
  local state=$1

  rm -rf "$state"
  mkdir -p "$state/home/.midoriai/agents-runner" "$state/config" "$state/state" "$state/cache" \
           "$state/work/docs" "$state/bin"
  cp -R "$root/docs/examples" "$state/work/docs/examples"
  cp "$root/docs/examples/environments.json" "$state/home/.midoriai/agents-runner/environments.json"
  if [ -n "$base_image" ]; then
    for file in "$state"/work/docs/examples/*.json "$state/home/.midoriai/agents-runner/environments.json"; do
      sed -i "s|\"base_image\": \"[^\"]*\"|\"base_image\": \"$base_image\"|" "$file"
    done
  fi
  ln -s "$binary" "$state/bin/agents-runner"
}

# ---- the commands of one document ----------------------------------------------

# Prints "LINE<TAB>COMMAND" for every runnable command of a Markdown file.
extract_commands () {
  awk '
    /^```/ {
      if (fence) { fence = 0; runnable = 0; next }
      fence = 1
      runnable = ($0 ~ /^```sh[ \t]*$/)
      next
    }
    fence && runnable {
      if (pending != "") {
        line_text = pending " " $0
      } else if ($0 ~ /^agents-runner([ \t]|$)/) {
        start = NR
        line_text = $0
      } else {
        next
      }
      if (line_text ~ /\\$/) {
        pending = substr(line_text, 1, length(line_text) - 1)
        next
      }
      pending = ""
      printf "%d\t%s\n", start, line_text
    }
  ' "$1"
}

needs_engine () {
  set -- $1
  case "$2 ${3:-}" in
    image\ *|run\ *|"preflight test"|"task log") return 0 ;;
  esac
  return 1
}

run_document () {
  local doc=$1
  local rel=${doc#"$root"/}
  local state=$tmp/state
  local line command expected status output

  fresh_state "$state"
  while IFS=$'\t' read -r line command; do
    local what="$rel:$line: $command"

    expected=0
    if [[ $command =~ \#.*exit\ status\ ([0-9]+) ]]; then
      expected=${BASH_REMATCH[1]}
    fi
    if needs_engine "$command" && [ -z "$base_image" ]; then
      skip "$what" "no container engine answers"
      continue
    fi

    output=$(cd "$state/work" &&
             env HOME="$state/home" \
                 XDG_CONFIG_HOME="$state/config" \
                 XDG_STATE_HOME="$state/state" \
                 XDG_CACHE_HOME="$state/cache" \
                 GSETTINGS_BACKEND=memory \
                 AR_TEST_RUN_LABEL="$run_label" \
                 PATH="$state/bin:$PATH" \
                 timeout 300 sh -c "$command" < /dev/null 2>&1)
    status=$?
    if [ "$status" = "$expected" ]; then
      ok "$what"
    else
      not_ok "$what" "exit status $status, the documentation says $expected; output:
$output"
    fi
  done < <(extract_commands "$doc")
}

# ---- main -------------------------------------------------------------------------

check_cache_key_encoding

if [ ! -x "$binary" ]; then
  not_ok "the agents-runner binary exists" "$binary is not an executable"
elif engine_answers; then
  if ! make_base_image; then
    echo "# a container engine answers, but the local base image could not be made:" \
         "the commands that need an engine are skipped"
    base_image=""
    base_id=""
  fi
else
  echo "# no container engine answers: the commands that need one are skipped"
fi

if [ -x "$binary" ]; then
  for doc in "$root/README.md" "$root"/docs/*.md; do
    run_document "$doc"
  done
fi

echo "1..$count"
[ "$failures" -eq 0 ]

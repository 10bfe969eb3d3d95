#!/bin/bash
# Every C file of src/ as .clang-format at the top of the tree has it.
#
#   tools/check-format.sh [SOURCE_ROOT]         check; prints TAP, one line a
#                                               file, the first differences
#   tools/check-format.sh --fix [SOURCE_ROOT]   reformat them all in place
#
# Needs clang-format 14 (clang-format-14, or clang-format of that version):
# other versions break lines differently, so with none the check is skipped.
# --fix first guards each G_DEFINE_QUARK line with clang-format off/on: its
# first argument is stringified, and clang-format 14 would space its dashes.
set -u
fix=0
if [ "${1:-}" = --fix ]; then fix=1; shift; fi
root=${1:-$(cd "$(dirname "$0")/.." && pwd)}
cd "$root" || exit 2

cf=
for c in clang-format-14 clang-format; do
  if command -v "$c" >/dev/null 2>&1 &&
     "$c" --version | grep -q 'version 14\.'; then
    cf=$c
    break
  fi
done
if [ -z "$cf" ]; then
  echo "1..0 # SKIP clang-format 14 not found"
  exit 0
fi

mapfile -t files < <(find src -name '*.[ch]' | LC_ALL=C sort)

if [ $fix -eq 1 ]; then
  for f in "${files[@]}"; do
    # Guard G_DEFINE_QUARK lines not already inside a clang-format off block.
    awk '/clang-format off/ { off = 1 } /clang-format on/ { off = 0 }
         /^G_DEFINE_QUARK/ && !off { print "/* clang-format off */"; print; print "/* clang-format on */"; next }
         { print }' "$f" > "$f.fmt-tmp" && cat "$f.fmt-tmp" > "$f" && rm -f "$f.fmt-tmp"
  done
  exec "$cf" -i --style=file "${files[@]}"
fi

n=0 bad=0
for f in "${files[@]}"; do
  n=$((n + 1))
  if out=$("$cf" --style=file "$f" | diff -u "$f" -); then
    echo "ok $n - $f"
  else
    bad=$((bad + 1))
    changed=$(printf '%s\n' "$out" | grep -c '^-[^-]')
    echo "not ok $n - $f ($changed lines differ; tools/check-format.sh --fix)"
    printf '%s\n' "$out" | sed -n '3,20p' | sed 's/^/#   /'
  fi
done
echo "1..$n"
[ $bad -eq 0 ]

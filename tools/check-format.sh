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

# One clang-format for every file names the ones that differ (one process
# a file cost 20 s of CPU, one for all under a second); only those are
# formatted again, one by one, for their diff.
declare -A differs=()
while IFS= read -r f; do
  differs[$f]=1
done < <("$cf" --style=file --dry-run "${files[@]}" 2>&1 |
         sed -n 's/^\(.*\):[0-9][0-9]*:[0-9][0-9]*: \(warning\|error\): code should be clang-formatted.*/\1/p' | sort -u)

n=0 bad=0
for f in "${files[@]}"; do
  n=$((n + 1))
  if [ -z "${differs[$f]:-}" ]; then
    echo "ok $n - $f"
  elif out=$("$cf" --style=file "$f" | diff -u "$f" -); then
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

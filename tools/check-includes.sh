#!/bin/bash
# The direction of dependencies in src/, checked line by line:
#   core/tasks → images → engine → model,  core/preflight → model,
#   cli → core,  ui → core,  and never cli ↔ ui or core → cli/ui/GTK.
# Prints TAP; one "not ok" names the file, the line and the folder it may
# not use.  Usage: check-includes.sh [SOURCE_ROOT]
set -u
root=${1:-$(cd "$(dirname "$0")/.." && pwd)}
cd "$root/src" || exit 2

declare -A allowed=(
  [core/model]="core/model"
  [core/preflight]="core/preflight core/model"
  [core/engine]="core/engine core/model"
  [core/images]="core/images core/engine core/model"
  [core/tasks]="core/tasks core/images core/engine core/model"
  [cli]="cli core/tasks core/images core/engine core/model core/preflight"
  [ui]="ui core/tasks core/images core/engine core/model core/preflight"
)

# header name → folder that owns it
declare -A owner=()
while IFS= read -r h; do
  owner[$(basename "$h")]=$(dirname "$h")
done < <(find core cli ui -name '*.h')

n=0 bad=0
for folder in "${!allowed[@]}"; do
  for f in "$folder"/*.[ch]; do
    [ -e "$f" ] || continue
    n=$((n + 1))
    problems=()
    while IFS=: read -r line text; do
      inc=${text#*\"}; inc=${inc%%\"*}
      case $inc in config.h | *-resources.h) continue ;; esac  # generated
      where=${owner[$inc]:-}
      if [ -z "$where" ]; then
        problems+=("line $line includes \"$inc\", which is not a header of src/")
      elif [[ " ${allowed[$folder]} " != *" $where "* ]]; then
        problems+=("line $line includes \"$inc\" from $where/, which $folder/ may not use")
      fi
    done < <(grep -n '^#include "' "$f")
    if [[ $folder == core/* ]] && grep -qn '^#include <\(gtk\|adwaita\|gdk\|vte\)' "$f"; then
      problems+=("includes a GTK header: core has no GTK")
    fi
    if [ ${#problems[@]} -eq 0 ]; then
      echo "ok $n - $f"
    else
      bad=$((bad + 1))
      echo "not ok $n - $f"
      printf '#   %s\n' "${problems[@]}"
    fi
  done
done
echo "1..$n"
[ $bad -eq 0 ]

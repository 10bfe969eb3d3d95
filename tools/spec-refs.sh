#!/bin/bash
# References to the design document, docs/design.md.
#
#   tools/spec-refs.sh [SOURCE_ROOT]          rewrite: "SPEC §x.y" becomes
#                                             "design.md §x.y", and a path to
#                                             the specification outside the
#                                             repository becomes docs/design.md
#   tools/spec-refs.sh --check [SOURCE_ROOT]  check (TAP): no file cites SPEC,
#                                             and every "§x.y" cited exists as
#                                             a section of docs/design.md
#
# Looks at the text files of src/ tests/ bench/ tools/ docs/ (not
# docs/design.md itself, whose own "§" are its sections, nor this script).
# A bare "§x.y" counts too: in this tree a section sign always means
# design.md. design.md keeps the specification's section numbers, so the
# rewrite changes no number.
set -u
check=0
if [ "${1:-}" = --check ]; then check=1; shift; fi
root=${1:-$(cd "$(dirname "$0")/.." && pwd)}
cd "$root" || exit 2

files () {
  grep -rlI -e 'SPEC' -e '§' src tests bench tools docs 2>/dev/null |
    grep -v -x -e docs/design.md -e tools/spec-refs.sh | LC_ALL=C sort
}

if [ $check -eq 0 ]; then
  files | while IFS= read -r f; do
    sed -i -E \
      -e 's#(\.\./|/work/)?shared/SPEC\.md#docs/design.md#g' \
      -e 's#\bSPEC\.md#docs/design.md#g' \
      -e 's#\bSPEC §#design.md §#g' \
      -e 's#\bSPEC(:| says| calls)#design.md\1#g' \
      "$f"
  done
  exit 0
fi

# The section numbers of design.md: "## 3. …" gives 3, "### 3.2 …" gives 3.2.
declare -A have=()
while IFS= read -r n; do
  have[$n]=1
done < <(sed -n -E 's/^#{2,3} ([0-9]+(\.[0-9]+)*)\.? .*/\1/p' docs/design.md)

n=0 bad=0
while IFS= read -r f; do
  n=$((n + 1))
  problems=()
  while IFS=: read -r line text; do
    problems+=("line $line cites the specification, which is not in the repository: cite docs/design.md")
  done < <(grep -n -E '\bSPEC\b' "$f")
  while IFS=: read -r line ref; do
    ref=${ref#§}
    [ -n "${have[$ref]:-}" ] ||
      problems+=("line $line cites §$ref, which docs/design.md does not have")
  done < <(grep -n -o -E '§[0-9]+(\.[0-9]+)*' "$f")
  if [ ${#problems[@]} -eq 0 ]; then
    echo "ok $n - $f"
  else
    bad=$((bad + 1))
    echo "not ok $n - $f"
    printf '#   %s\n' "${problems[@]}"
  fi
done < <(files)
echo "1..$n"
[ $bad -eq 0 ]

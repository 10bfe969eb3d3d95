#!/usr/bin/env bash
# tools/sanitize-build.sh [BUILDDIR [SANITIZERS]]: configures a clang build
# with libFuzzer instrumentation and warnings as errors. By default
# _build-sanitize with ASan + UBSan (LSan on), used by tools/test's sanitizer
# lane and by tools/fuzz; tools/fuzz --fast uses _build-fuzz-fast with UBSan
# only, several times faster per execution, for long fuzzing runs.
set -euo pipefail
cd "$(dirname "$0")/.."
builddir=${1:-_build-sanitize}
sanitizers=${2:-address,undefined}
if [ ! -d "$builddir" ]; then
  # Line tables are all a sanitizer's or libFuzzer's report needs (file and
  # line of every frame); full debug information made each compile 35 %
  # slower.
  CC=clang meson setup "$builddir" -Dwerror=true -Dfuzzing=true \
    -Db_sanitize="$sanitizers" -Db_lundef=false -Dbuildtype=debugoptimized \
    -Dc_args=-gline-tables-only
else
  meson setup --reconfigure "$builddir" >/dev/null
fi

#!/usr/bin/env bash
# Configures _build-sanitize: clang, ASan + UBSan (LSan on), libFuzzer
# instrumentation, warnings as errors. Used by tools/test's sanitizer lane
# and by tools/fuzz.
set -euo pipefail
cd "$(dirname "$0")/.."
builddir=_build-sanitize
if [ ! -d "$builddir" ]; then
  CC=clang meson setup "$builddir" -Dwerror=true -Dfuzzing=true \
    -Db_sanitize=address,undefined -Db_lundef=false -Dbuildtype=debugoptimized
else
  meson setup --reconfigure "$builddir" >/dev/null
fi

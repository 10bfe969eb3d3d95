#!/bin/sh
# run-fuzzer.sh FUZZER CORPUS SECONDS: the regression run of one libFuzzer
# harness in the test suite: every input of its corpus, then SECONDS of
# fuzzing from there. New inputs go to a scratch folder, never to the corpus
# in the source tree. A crash, timeout or OOM fails the test and leaves its
# input in fuzz-artifacts/ beside the fuzzer, to be minimised and added to
# the corpus with its fix.
set -eu
fuzzer=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
corpus=$2
seconds=$3
artifacts=$(dirname "$fuzzer")/fuzz-artifacts
mkdir -p "$artifacts"
scratch=$(mktemp -d "${TMPDIR:-/tmp}/ar-fuzz.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
cd "$scratch"
exec_status=0
"$fuzzer" -max_total_time="$seconds" -timeout=20 -rss_limit_mb=2048 \
  -print_final_stats=1 -artifact_prefix="$artifacts/" "$scratch" "$corpus" ||
  exec_status=$?
if [ "$exec_status" -ne 0 ]; then
  echo "the fuzzer failed with status $exec_status; inputs kept in $artifacts" >&2
fi
exit "$exec_status"

#!/usr/bin/env bash
# Builds Pathways and runs every test through ctest, then fuzzes the API briefly
# (tools/fuzz.sh, FUZZ_SECONDS, default 30; 0 skips it). Fails if either fails.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${BUILD_DIR:-$root/build}
start=$(date +%s)
bash "$root/tools/build.sh"
built=$(date +%s)
rc=0
(cd "$build" && ctest --output-on-failure --parallel "$(nproc)" --timeout 300) || rc=$?
tested=$(date +%s)
fuzz_rc=0
if [ "${FUZZ_SECONDS:-30}" != 0 ]; then
  bash "$root/tools/fuzz.sh" "${FUZZ_SECONDS:-30}" || fuzz_rc=$?
fi
echo "build $((built - start)) s, tests $((tested - built)) s, fuzz build and smoke $(($(date +%s) - tested)) s"
[ "$rc" -eq 0 ] && [ "$fuzz_rc" -eq 0 ]

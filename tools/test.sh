#!/usr/bin/env bash
# Builds Pathways and runs every test through ctest, then fuzzes the API briefly
# (tools/fuzz.sh, FUZZ_SECONDS, default 30; 0 skips it). Fails if either fails.
# The fuzz build runs beside the tests at the lowest priority: the tests wait on disks, servers
# and a browser for much of their time, and the compiler takes the cores they leave idle.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${BUILD_DIR:-$root/build}
start=$(date +%s)
bash "$root/tools/build.sh"
built=$(date +%s)
fuzz=${FUZZ_SECONDS:-30}
fuzz_log=$build/fuzz-build.log
fuzz_pid=""
if [ "$fuzz" != 0 ]; then
  # In a process group of its own (setsid), so that a script stopped early (^C, a failure
  # under set -e) takes the whole fuzz build with it and nothing else.
  setsid -w nice -n 19 bash "$root/tools/fuzz.sh" --build-only >"$fuzz_log" 2>&1 &
  fuzz_pid=$!
  trap '[ -z "$fuzz_pid" ] || kill -TERM -- "-$fuzz_pid" 2>/dev/null || true' EXIT
fi
rc=0
(cd "$build" && ctest --output-on-failure --parallel "$(nproc)" --timeout 300) || rc=$?
tested=$(date +%s)
fuzz_rc=0
if [ -n "$fuzz_pid" ]; then
  if ! wait "$fuzz_pid"; then
    cat "$fuzz_log" >&2
    fuzz_rc=1
  fi
  fuzz_pid=""
  fuzz_built=$(date +%s)
  [ "$fuzz_rc" -ne 0 ] || bash "$root/tools/fuzz.sh" "$fuzz" || fuzz_rc=$?
fi
echo "build $((built - start)) s, tests $((tested - built)) s (the fuzz build beside them)," \
  "then the fuzz build's rest $((${fuzz_built:-$tested} - tested)) s" \
  "and smoke $(($(date +%s) - ${fuzz_built:-$tested})) s"
[ "$rc" -eq 0 ] && [ "$fuzz_rc" -eq 0 ]

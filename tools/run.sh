#!/usr/bin/env bash
# Builds Pathways and shows it working. Until the server lands (see the issues), this runs
# the event-store benchmark on a store under ./var, verifies and exports it, and prints where
# to look.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${BUILD_DIR:-$root/build}
bash "$root/tools/build.sh"
bin="$build/tools/pathways"
var="$root/var"
mkdir -p "$var"

echo
echo "== The HTTP server is not built yet; this run shows the event store instead. =="
echo "== Benchmark: durable appends from 32 writers, against raw RocksDB in the same run =="
"$bin" bench append --dir "$var/bench" --events 20000 --writers 32
echo "== Verify the hash chain of what was written =="
"$bin" verify --data "$var/bench/bench-store"
echo "== Verification and export speed =="
"$bin" bench verify --dir "$var/bench"
echo "== The AMIGO pathway: participants end to end, and a sweep of due timers =="
(cd "$root" && "$bin" bench pathways --dir "$var/bench" --participants 500 --timers 5000)
echo
echo "Look at it yourself:"
echo "  $bin export --data $var/bench/bench-store | head -3"
echo "  $bin export --data $var/bench/bench-store --include-personal | head -1"
echo "  $bin replay --data $var/bench/bench-pathways --pathway r0-0"
echo "  $bin forget p-0-0 --data $var/bench/bench-store && $bin verify --data $var/bench/bench-store"
echo "  $bin validate $root/config/workflows/amigo.yaml"
echo "  $bin --help"

#!/usr/bin/env bash
# The architecture, checked:
# - the decide/apply core stays pure: engine/ (outside engine/storage/) and workflows/ include
#   no Asio, Beast, RocksDB, spdlog or engine/storage/, and never read the wall clock;
# - adapters/ works on the engine's ports (engine/ports/): it includes nothing of
#   engine/storage/ and no RocksDB;
# - access rules live in the application layer (adapters/app/): the API's routes name no role;
# - in tools/, only the code that opens a store names the RocksDB store
#   (`RocksEventStore::Open`); everything else takes ports. The benchmarks, which measure the
#   store against raw RocksDB, are the exception.
# Fails listing each offence.
set -u
root=${1:?usage: layering_test.sh REPO_ROOT}
cd "$root" || exit 2

core_pattern='#include *[<"](boost/asio|boost/beast|rocksdb/|spdlog|engine/storage/)|system_clock|gettimeofday|clock_gettime|[^_a-z]time\(nullptr\)|[^_a-z]time\(NULL\)|std::time\(|localtime|gmtime'
adapter_pattern='#include *[<"](rocksdb/|engine/storage/)'
sources() { find "$@" -type f \( -name '*.hpp' -o -name '*.cpp' -o -name '*.h' \); }

core=$(sources engine workflows | grep -v '^engine/storage/')
[ -n "$core" ] || { echo "no sources found under engine/ and workflows/"; exit 1; }

# Each checker must itself be able to fail: a planted offence has to be found.
[ "$(printf '#include <rocksdb/db.h>\n' | grep -cE "$core_pattern")" = 1 ] ||
  { echo "the core pattern does not match a planted offence"; exit 1; }
[ "$(printf '#include "engine/storage/store_impl.hpp"\n' | grep -cE "$adapter_pattern")" = 1 ] ||
  { echo "the adapter pattern does not match a planted offence"; exit 1; }

status=0
offences=$(grep -nE "$core_pattern" $core || true)
if [ -n "$offences" ]; then
  echo "engine/ and workflows/ must not include I/O frameworks or storage, or read the wall clock:"
  echo "$offences"
  status=1
fi
offences=$(grep -nE "$adapter_pattern" $(sources adapters) || true)
if [ -n "$offences" ]; then
  echo "adapters/ must use the engine's ports, not engine/storage/ or RocksDB:"
  echo "$offences"
  status=1
fi
offences=$(grep -n 'Role::k' $(sources adapters/api) || true)
if [ -n "$offences" ]; then
  echo "adapters/api/ maps requests onto adapters/app/; the access rules by role live there:"
  echo "$offences"
  status=1
fi
offences=$(grep -n 'RocksEventStore' $(sources tools | grep -v '^tools/pathways/bench_') |
             grep -v 'RocksEventStore::Open' || true)
if [ -n "$offences" ]; then
  echo "tools/ names the RocksDB store only to open it; pass ports on:"
  echo "$offences"
  status=1
fi
[ "$status" = 0 ] && echo "layering ok: $(echo "$core" | wc -l) core files, adapters and tools checked"
exit "$status"

#!/usr/bin/env bash
# The decide/apply core stays pure: engine/ (outside engine/storage/) and workflows/ include
# no Asio, Beast, RocksDB or spdlog and never read the wall clock. Fails listing each offence.
set -u
root=${1:?usage: layering_test.sh REPO_ROOT}
cd "$root" || exit 2

pattern='#include *[<"](boost/asio|boost/beast|rocksdb/|spdlog)|system_clock|gettimeofday|clock_gettime|[^_a-z]time\(nullptr\)|[^_a-z]time\(NULL\)|std::time\(|localtime|gmtime'
files=$(find engine workflows -type f \( -name '*.hpp' -o -name '*.cpp' -o -name '*.h' \) \
          -not -path 'engine/storage/*')
[ -n "$files" ] || { echo "no sources found under engine/ and workflows/"; exit 1; }

# The checker must itself be able to fail: a planted offence has to be found.
probe=$(printf '#include <rocksdb/db.h>\n' | grep -cE "$pattern")
[ "$probe" = 1 ] || { echo "layering pattern does not match a planted offence"; exit 1; }

offences=$(grep -nE "$pattern" $files || true)
if [ -n "$offences" ]; then
  echo "engine/ and workflows/ must not include I/O frameworks or read the wall clock:"
  echo "$offences"
  exit 1
fi
echo "layering ok: $(echo "$files" | wc -l) files checked"

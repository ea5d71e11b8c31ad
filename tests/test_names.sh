#!/usr/bin/env bash
# Every doctest case is its own ctest entry (doctest_discover_tests), and CMake splits a test
# name at `;`: such a case became a ctest entry whose filter matched nothing and passed
# without running. Fails listing each name with a `;`.
set -u
root=${1:?usage: test_names.sh REPO_ROOT}
cd "$root" || exit 2
[ "$(printf 'TEST_CASE("a; b") {\n' | grep -cE 'TEST_CASE\("[^"]*;')" = 1 ] ||
  { echo "the pattern does not match a planted offence"; exit 1; }
offences=$(grep -rnE '(TEST_CASE|SUBCASE)\("[^"]*;' --include='*.cpp' tests || true)
if [ -n "$offences" ]; then
  echo "test names must not contain ';' (ctest would never run them):"
  echo "$offences"
  exit 1
fi
echo "test names ok"

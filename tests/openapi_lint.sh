#!/usr/bin/env bash
# docs/api/openapi.yaml passes a real OpenAPI linter: Redocly CLI (pinned in
# tools/node/package-lock.json, installed by tools/deps.sh) with its recommended rules as
# errors (docs/api/redocly.yaml). It runs offline: no telemetry, no update check.
set -u
root=${1:?usage: openapi_lint.sh REPO_ROOT}
cd "$root" || exit 2
redocly=tools/node/node_modules/.bin/redocly
[ -x "$redocly" ] || { echo "Redocly CLI is not installed: run tools/deps.sh"; exit 1; }
export REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true NO_COLOR=1
out=$("$redocly" lint docs/api/openapi.yaml --config docs/api/redocly.yaml --format=stylish 2>&1)
rc=$?
echo "$out" | grep -vE '^\s*(║|╔|╚)' | grep -v '^\s*$'
# A broken linter must not pass: it has to have said that it validated the file.
echo "$out" | grep -q 'validated in' || { echo "the linter did not run"; exit 1; }
exit "$rc"

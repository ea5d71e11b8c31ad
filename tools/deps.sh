#!/usr/bin/env bash
# Installs the Debian 12 packages Pathways builds with: nothing when all are present, sudo
# when not root. Sourced by run.sh and test.sh; runnable alone.
set -euo pipefail

PATHWAYS_PACKAGES=(
  cmake ninja-build g++ ccache pkg-config
  libboost1.81-dev libboost-url1.81-dev   # Asio, Beast, MSM, URL (1.74 breaks MSM under C++20)
  librocksdb-dev nlohmann-json3-dev libspdlog-dev libssl-dev
  libcli11-dev                            # the command line (subcommands, checks, help)
  libyaml-cpp-dev                         # definitions: YAML with line and column of every node
  libjq-dev                               # guard expressions: jq, compiled at load time
  doctest-dev
  libcurl4-openssl-dev                    # webhooks (HTTPS with certificate checks) and SMTP
  libkainjow-mustache-dev                 # email templates (Mustache, header-only)
  libhowardhinnant-date-dev tzdata        # Danish calendar time (g++ 12 has no chrono zones)
  libargon2-dev                           # workspace passwords: Argon2id (the reference code)
  libgraphviz-dev                         # workspace state diagrams: Graphviz's dot layout to SVG
  python3-aiosmtpd                        # tests: a real SMTP server on 127.0.0.1
  nodejs                                  # tests: the OpenAPI linter, the browser tests; not the server
  chromium                                # tests: the workspace in a real browser (playwright-core)
  fonts-dejavu-core                       # tests: text in the browser's screenshots
  curl                                    # run.sh waits for the server and shows curl examples
  clang libclang-rt-14-dev                # the fuzz build: libFuzzer and the sanitizers
)

missing=()
for p in "${PATHWAYS_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}" >&2
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# Node packages (tools/node, pinned in its package-lock.json): the design system the build
# embeds in the binary (dkfds), and what the tests use (the OpenAPI linter, playwright-core and
# axe-core). Installed once per lock, offline afterwards. npm comes with the machine's Node.js, or Debian's when it has none.
if ! command -v npm >/dev/null 2>&1; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends npm
fi
node_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/node"
if ! cmp -s "$node_dir/package-lock.json" "$node_dir/node_modules/.pathways-lock"; then
  npm ci --prefix "$node_dir" --no-audit --no-fund --ignore-scripts --loglevel=error >&2
  cp "$node_dir/package-lock.json" "$node_dir/node_modules/.pathways-lock"
fi

#pragma once
// Test support: runs the `pathways` binary as a user would and captures what it prints.
// REQUIRES: the test target defines PATHWAYS_BIN.

#include <doctest/doctest.h>
#include <sys/wait.h>

#include <cstdio>
#include <string>

namespace pathways::testing {

struct Run {
  int exit_code = -1;
  std::string out;
};

// Runs `pathways ARGS` and captures stdout (stderr goes to stdout too with `2>&1` in args).
inline Run Pathways(const std::string& args) {
  Run r;
  std::string command = std::string(PATHWAYS_BIN) + " " + args;
  std::FILE* p = ::popen(command.c_str(), "r");
  REQUIRE(p != nullptr);
  char buf[4096];
  for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, p)) > 0;) r.out.append(buf, n);
  int status = ::pclose(p);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

}  // namespace pathways::testing

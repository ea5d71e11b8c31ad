// pathways validate FILE...: checks pathway definitions without loading them anywhere.

#include <cstdio>

#include "tools/pathways/cli_common.hpp"
#include "workflows/loader.hpp"

namespace pathways::cli {
namespace {

void AddValidate(Command app) {
  Command cmd = app.Sub("validate", "check pathway definition files (YAML)");
  auto files = std::make_shared<std::vector<std::string>>();
  cmd.Add("FILE", *files, "definition files").Required();
  cmd.OnRun([files] {
    int problems = 0;
    for (const std::string& file : *files) {
      workflows::LoadResult r = workflows::LoadDefinitionFile(file);
      for (const auto& d : r.diagnostics) std::fprintf(stderr, "%s\n", d.ToString().c_str());
      problems += static_cast<int>(r.diagnostics.size());
      if (r.definition) {
        const auto& d = *r.definition;
        std::printf(
            "%s: ok: %s version %u, %zu states, %zu transitions, %zu timers, %zu guards, "
            "hash %.12s\n",
            file.c_str(), d.id.c_str(), d.version, d.states.size(), d.transitions.size(),
            d.timers.size(), d.guards.size(), d.hash.c_str());
      }
    }
    if (problems > 0) {
      std::fprintf(stderr, "%d problem%s found\n", problems, problems == 1 ? "" : "s");
      ExitCode() = kExitUsage;
    }
  });
}

}  // namespace

void AddDefinitionCommands(Command app) { AddValidate(app); }

}  // namespace pathways::cli

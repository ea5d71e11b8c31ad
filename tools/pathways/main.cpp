// pathways: the one executable. Wires the subcommands; each lives in its own file.

#include <cstdio>
#include <cstdlib>

#include "tools/pathways/cli_common.hpp"
#include "workflows/definition_set.hpp"

namespace pathways::cli {

std::string CurrentUser() {
  const char* user = std::getenv("USER");
  return user != nullptr && *user != '\0' ? user : "cli";
}

int& ExitCode() {
  static int code = kExitOk;
  return code;
}

void StoreFlags::AddTo(Command command, bool data_required) {
  Option data = command.Add("--data", data_dir, "store directory (RocksDB)");
  if (data_required) data.Required();
  command.Add("--master-key", master_key,
              "master key file (default: DIR.master-key beside the store)");
}

storage::StoreOptions StoreFlags::Options() const {
  storage::StoreOptions o;
  o.dir = data_dir;
  o.master_key_path = master_key;
  return o;
}

std::shared_ptr<definition::DefinitionCatalog> LoadCatalog(const std::vector<std::string>& paths) {
  workflows::DefinitionSet set = workflows::LoadDefinitionSet(paths);
  for (const auto& d : set.diagnostics) std::fprintf(stderr, "%s\n", d.ToString().c_str());
  if (!set.diagnostics.empty()) {
    ExitCode() = kExitUsage;
    return nullptr;
  }
  auto catalog = std::make_shared<definition::DefinitionCatalog>();
  catalog->Merge(set.definitions);  // a set (no version twice) into an empty catalog: all added
  return catalog;
}

std::optional<config::ReportConfig> LoadReports(const std::string& path,
                                                const definition::DefinitionCatalog& catalog) {
  config::ReportConfigResult loaded = config::LoadReportConfig(path, catalog);
  for (const auto& d : loaded.diagnostics) std::fprintf(stderr, "%s\n", d.ToString().c_str());
  if (!loaded.diagnostics.empty()) {
    ExitCode() = kExitUsage;
    return std::nullopt;
  }
  return std::move(loaded.config);
}

int Fail(const std::string& command, const Status& status) {
  std::fprintf(stderr, "pathways %s: error: %s\n", command.c_str(), status.ToString().c_str());
  return kExitError;
}

}  // namespace pathways::cli

int main(int argc, char** argv) {
  using namespace pathways::cli;
  return RunCommandLine(argc, argv, [](Command app) {
    AddDefinitionCommands(app);
    AddStoreCommands(app);
    AddReplayCommand(app);
    AddMigrateCommand(app);
    AddImportCommand(app);
    AddImportCompaniesCommand(app);
    AddReportCommands(app);
    AddBenchCommands(app);
    AddServeCommand(app);
    AddTokenCommands(app);
    AddUserCommands(app);
    AddDeadLetterCommands(app);
    AddProofCommands(app);
  });
}

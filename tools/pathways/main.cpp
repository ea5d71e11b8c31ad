// pathways: the one executable. Wires the subcommands; each lives in its own file.

#include <cstdio>
#include <exception>

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

void StoreFlags::AddTo(CLI::App& command, bool data_required) {
  CLI::Option* data = command.add_option("--data", data_dir, "store directory (RocksDB)");
  if (data_required) data->required();
  command.add_option("--master-key", master_key,
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
  CLI::App app{"Pathways: participants' pathways as hash-chained events", "pathways"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "pathways 0.1.0");
  AddDefinitionCommands(app);
  AddStoreCommands(app);
  AddReplayCommand(app);
  AddMigrateCommand(app);
  AddImportCommand(app);
  AddReportCommands(app);
  AddBenchCommands(app);
  AddServeCommand(app);
  AddTokenCommands(app);
  AddUserCommands(app);
  AddDeadLetterCommands(app);
  // CLI11 would only say that a subcommand is required: name the one it does not know.
  if (argc > 1 && argv[1][0] != '-' &&
      app.get_subcommands([&](CLI::App* sub) { return sub->check_name(argv[1]); }).empty()) {
    std::fprintf(stderr, "pathways: unknown command `%s`; `pathways --help` lists them\n", argv[1]);
    return kExitUsage;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return kExitUsage;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "pathways: unexpected error: %s\n", e.what());
    return kExitError;
  }
  return ExitCode();
}

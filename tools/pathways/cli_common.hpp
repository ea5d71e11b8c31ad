#pragma once
// Shared pieces of the `pathways` subcommands: exit codes, store options, error output.

#include <optional>
#include <string>

#include "adapters/config/report_config.hpp"
#include "engine/definition/catalog.hpp"
#include "engine/result.hpp"
#include "engine/storage/rocks_event_store.hpp"
#include "tools/pathways/command_line.hpp"

namespace pathways::cli {

// Exit codes every subcommand uses.
inline constexpr int kExitOk = 0;
inline constexpr int kExitError = 1;    // the command could not do its work
inline constexpr int kExitUsage = 2;    // bad command line or bad input file
inline constexpr int kExitDamaged = 3;  // verify found the store altered

// --data DIR and --master-key FILE, shared by every command that opens a store.
struct StoreFlags {
  std::string data_dir;
  std::string master_key;
  void AddTo(Command command, bool data_required = true);
  storage::StoreOptions Options() const;
};

// The store opened for writing (it must not be in use) on `clock`; null after saying why
// (the exit code is set).
std::unique_ptr<Store> OpenForWriting(const StoreFlags& flags, const Clock& clock,
                                      const char* command);

// The store opened read-only (a secondary, beside a running server) without the master key:
// what is sealed stays sealed. Null after saying why (the exit code is set).
std::unique_ptr<Store> OpenForReading(const StoreFlags& flags, const char* command);

// Loads definition files or directories as one set (workflows::LoadDefinitionSet) into a new
// catalog. On any problem prints every diagnostic on stderr, sets ExitCode() to kExitUsage and
// returns null.
std::shared_ptr<definition::DefinitionCatalog> LoadCatalog(const std::vector<std::string>& paths);

// Loads a reports file checked against `catalog` (config::LoadReportConfig). On any problem
// prints every diagnostic on stderr, sets ExitCode() to kExitUsage and returns nullopt.
std::optional<config::ReportConfig> LoadReports(const std::string& path,
                                                const definition::DefinitionCatalog& catalog);

// Prints "pathways <command>: error: <message>" on stderr and returns kExitError.
int Fail(const std::string& command, const Status& status);

// Where a command's exit code goes: CLI11 callbacks return nothing.
int& ExitCode();

// Who runs the command, for the actor of what it writes: $USER, or "cli".
std::string CurrentUser();

void AddStoreCommands(Command app);       // verify, export, forget
void AddBenchCommands(Command app);       // bench append, bench verify
void AddDefinitionCommands(Command app);  // validate
void AddReplayCommand(Command app);
void AddMigrateCommand(Command app);          // migrate
void AddImportCommand(Command app);           // import
void AddImportCompaniesCommand(Command app);  // import-companies
void AddReportCommands(Command app);          // report esf, report project
void AddBenchPathways(Command bench);         // bench pathways
void AddBenchHttp(Command bench);             // bench http
void AddBenchWeb(Command bench);              // bench web
void AddBenchNotify(Command bench);           // bench notify
void AddBenchReports(Command bench);          // bench reports
void AddBenchProofs(Command bench);           // bench proofs
void AddServeCommand(Command app);            // serve
void AddTokenCommands(Command app);           // token issue, list, revoke
void AddUserCommands(Command app);            // user set-password
void AddDeadLetterCommands(Command app);      // dead-letters list, show, replay
void AddProofCommands(
    Command app);  // checkpoint key|sign|show, prove inclusion|consistency, verify-proof

}  // namespace pathways::cli

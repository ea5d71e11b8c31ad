// pathways import: registers leads from a CSV file (docs/operations.md, "Importing leads").
// Every row is checked before anything is written: with a bad row nothing is imported unless
// --skip-bad says to import the good ones. Ids follow from the file's content and the row's
// line, so importing the same file again registers nothing twice. Writes, so it needs the
// store to itself (stop the server, or register leads through the API).

#include <unistd.h>

#include <chrono>
#include <cstdio>

#include "adapters/app/lead_import.hpp"
#include "adapters/config/server_config.hpp"
#include "adapters/platform/system_clock.hpp"
#include "tools/pathways/cli_common.hpp"
#include "tools/pathways/import_inputs.hpp"
#include "workflows/yaml_reader.hpp"

namespace pathways::cli {
namespace {

// Draws "importing  1200/5000 [======        ]  24%" on a terminal.
class Progress {
 public:
  explicit Progress(std::size_t total) : total_(total), tty_(::isatty(STDERR_FILENO) == 1) {}
  void Show(std::size_t done, bool last = false) {
    if (!tty_ || total_ == 0) return;
    const auto now = std::chrono::steady_clock::now();
    if (!last && now - shown_ < std::chrono::milliseconds(100)) return;
    shown_ = now;
    constexpr int kWidth = 30;
    const int filled = static_cast<int>(kWidth * done / total_);
    std::fprintf(stderr, "\rimporting %6zu/%zu [%s%s] %3zu%%", done, total_,
                 std::string(static_cast<std::size_t>(filled), '=').c_str(),
                 std::string(static_cast<std::size_t>(kWidth - filled), ' ').c_str(),
                 100 * done / total_);
    if (last) std::fprintf(stderr, "\n");
  }

 private:
  std::size_t total_;
  bool tty_;
  std::chrono::steady_clock::time_point shown_{};
};

}  // namespace

bool ReadImportInputs(const char* command, const std::string& file, const std::string& config,
                      ImportInputs& in) {
  if (!workflows::ReadWholeFile(file, in.text)) {
    ExitCode() = Fail(command, Status::IOError("cannot read " + file));
    return false;
  }
  if (config.empty()) return true;
  in.cfg = config::LoadServerConfig(config);
  for (const auto& d : in.cfg.diagnostics) std::fprintf(stderr, "%s\n", d.ToString().c_str());
  if (!in.cfg.diagnostics.empty()) {
    ExitCode() = kExitUsage;
    return false;
  }
  in.directory = {&in.cfg.config.users, &in.cfg.config.schools, config};
  return true;
}

void AddImportCommand(Command app) {
  Command cmd = app.Sub("import", "register leads from a CSV file");
  struct Args {
    StoreFlags store;
    std::vector<std::string> workflows;
    std::string definition;
    std::string file;
    std::string actor;
    std::string config;
    bool skip_bad = false;
  };
  auto a = std::make_shared<Args>();
  a->store.AddTo(cmd);
  cmd.Add("--workflow", a->workflows, "definition files or directories (repeatable)")
      .Required()
      .OneValueEach();  // one value per --workflow: the CSV file is not one
  cmd.Add("--definition", a->definition, "definition id (default: the newest loaded)");
  cmd.Add("--actor", a->actor, "who the history names as importer (default: $USER)");
  cmd.Add("--config", a->config,
          "server config file, whose users a contact_person column must name "
          "(required with that column)");
  cmd.Flag("--skip-bad", a->skip_bad,
           "import the good rows of a file with bad ones (default: import none)");
  cmd.Add("file", a->file,
          "CSV with a header row: referral_source (required), pathway_id, "
          "participant_id, contact_person, data.<field>, identity.<field>, "
          "guidance.<field>")
      .Required();
  cmd.OnRun([a] {
    auto catalog = LoadCatalog(a->workflows);
    if (catalog == nullptr) return;
    auto def = a->definition.empty() ? catalog->Newest() : catalog->Newest(a->definition);
    if (def == nullptr) {
      std::fprintf(stderr, "pathways import: error: no definition `%s` is loaded\n",
                   a->definition.c_str());
      ExitCode() = kExitUsage;
      return;
    }
    // The users file the server reads names the counsellors and schools leads may go to.
    ImportInputs in;
    if (!ReadImportInputs("import", a->file, a->config, in)) return;
    const std::string& text = in.text;
    const app::ImportDirectory& directory = in.directory;
    adapters::SystemClock clock;
    const Actor actor{a->actor.empty() ? CurrentUser() : a->actor, "administrator"};
    app::LeadImport plan =
        app::PlanLeadImport(text, *def, *catalog, actor, clock.NowMs(), directory);
    for (const app::ImportProblem& p : plan.problems) {
      std::fprintf(stderr, "%s:%zu: %s\n", a->file.c_str(), p.line, p.what.c_str());
    }
    if (!plan.readable || (!plan.problems.empty() && !a->skip_bad)) {
      if (plan.readable) {
        std::fprintf(stderr,
                     "pathways import: %zu bad row(s); nothing imported (--skip-bad imports the "
                     "%zu good ones)\n",
                     plan.problems.size(), plan.rows.size());
      }
      ExitCode() = kExitUsage;
      return;
    }

    storage::StoreOptions o = a->store.Options();
    o.clock = &clock;
    o.definitions = catalog;
    o.create_if_missing = true;  // leads may come before the server's first start
    auto store = storage::RocksEventStore::Open(o);
    if (!store.ok()) {
      ExitCode() = Fail("import", store.status());
      return;
    }
    Progress progress(plan.rows.size());
    const std::size_t total = plan.rows.size();
    const app::ImportOutcome done = app::RunLeadImport(
        **store, std::move(plan.rows), [&progress](std::size_t sent) { progress.Show(sent); });
    progress.Show(total, /*last=*/true);
    for (const app::ImportProblem& f : done.refused) {
      std::fprintf(stderr, "%s:%zu: %s\n", a->file.c_str(), f.line, f.what.c_str());
    }
    std::printf("imported %zu lead(s) from %s", done.imported, a->file.c_str());
    if (done.again > 0) std::printf("; %zu were imported before", done.again);
    if (!plan.problems.empty()) std::printf("; skipped %zu bad row(s)", plan.problems.size());
    if (!done.refused.empty()) std::printf("; %zu refused by the store", done.refused.size());
    std::printf("\n");
    if (!done.refused.empty()) ExitCode() = kExitError;
  });
}

}  // namespace pathways::cli

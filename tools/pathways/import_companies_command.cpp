// pathways import-companies: registers company records from a CSV file (docs/companies.md,
// "Import"). Every row is checked before anything is written, also against the records the
// store has: with a bad row nothing is imported. Ids follow from the CVR numbers and the file,
// so importing the same file again registers nothing twice. Writes, so it needs the store to
// itself (stop the server, or register companies through the API).

#include <cstdio>

#include "adapters/app/company_import.hpp"
#include "adapters/config/server_config.hpp"
#include "adapters/platform/system_clock.hpp"
#include "engine/runtime/company.hpp"
#include "tools/pathways/cli_common.hpp"
#include "tools/pathways/import_inputs.hpp"

namespace pathways::cli {

void AddImportCompaniesCommand(Command app) {
  Command cmd = app.Sub("import-companies", "register company records from a CSV file");
  struct Args {
    StoreFlags store;
    std::vector<std::string> workflows;
    std::string file;
    std::string actor;
    std::string config;
  };
  auto a = std::make_shared<Args>();
  a->store.AddTo(cmd);
  cmd.Add("--workflow", a->workflows, "definition files or directories (repeatable)")
      .Required()
      .OneValueEach();
  cmd.Add("--actor", a->actor, "who the history names as importer (default: $USER)");
  cmd.Add("--config", a->config,
          "server config file, whose users file names the consultants and schools the rows "
          "name (required with those columns)");
  cmd.Add("file", a->file,
          "CSV with a header row: cvr, name, size_band, industry (required), p_number, "
          "municipality, green, consultant, school, contact_name, contact_role, "
          "contact_email, contact_phone")
      .Required();
  cmd.OnRun([a] {
    auto catalog = LoadCatalog(a->workflows);
    if (catalog == nullptr) return;
    auto def = catalog->NewestOfKind(definition::Kind::kCompany);
    if (def == nullptr) {
      std::fprintf(stderr,
                   "pathways import-companies: error: no company definition (`kind: company`) "
                   "is loaded\n");
      ExitCode() = kExitUsage;
      return;
    }
    ImportInputs in;
    if (!ReadImportInputs("import-companies", a->file, a->config, in)) return;
    adapters::SystemClock clock;
    const Actor actor{a->actor.empty() ? CurrentUser() : a->actor, "administrator"};
    auto report = [&](const std::vector<app::ImportProblem>& problems) {
      for (const app::ImportProblem& p : problems) {
        std::fprintf(stderr, "%s:%zu: %s\n", a->file.c_str(), p.line, p.what.c_str());
      }
    };
    app::CompanyImport plan =
        app::PlanCompanyImport(in.text, *def, *catalog, actor, clock.NowMs(), in.directory);
    report(plan.problems);
    if (!plan.problems.empty()) {
      if (plan.readable) {
        std::fprintf(stderr, "pathways import-companies: %zu bad row(s); nothing imported\n",
                     plan.problems.size());
      }
      ExitCode() = kExitUsage;
      return;
    }

    storage::StoreOptions o = a->store.Options();
    o.clock = &clock;
    o.definitions = catalog;
    o.create_if_missing = true;  // records may come before the server's first start
    auto store = storage::RocksEventStore::Open(o);
    if (!store.ok()) {
      ExitCode() = Fail("import-companies", store.status());
      return;
    }
    // Against the records the store has: a CVR with a record from elsewhere is a bad row; one
    // this file registered before is imported again as nothing.
    Result<std::vector<app::ImportProblem>> taken = app::RecordsTaken(**store, plan.rows);
    if (!taken.ok()) {
      ExitCode() = Fail("import-companies", taken.status());
      return;
    }
    if (!taken->empty()) {
      report(*taken);
      std::fprintf(stderr, "pathways import-companies: %zu bad row(s); nothing imported\n",
                   taken->size());
      ExitCode() = kExitUsage;
      return;
    }
    const app::ImportOutcome done = app::RunCompanyImport(**store, std::move(plan.rows));
    report(done.refused);
    std::printf("imported %zu compan%s from %s", done.imported, done.imported == 1 ? "y" : "ies",
                a->file.c_str());
    if (done.again > 0) std::printf("; %zu were imported before", done.again);
    if (!done.refused.empty()) std::printf("; %zu refused by the store", done.refused.size());
    std::printf("\n");
    if (!done.refused.empty()) ExitCode() = kExitError;
  });
}

}  // namespace pathways::cli

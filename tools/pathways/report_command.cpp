// pathways report esf|project --data DIR [--from DAY] [--to DAY] [--school ID] [--at POS|DAY]
// [--format json|csv] (esf: [--shared] [--lang da|en]): the funder's reports from the store's
// report rows (docs/reports.md), read-only beside a running server. The sealed items
// (disability, …) are read with the master key.

#include <cstdio>

#include "adapters/app/project_report.hpp"
#include "adapters/app/reports.hpp"
#include "tools/pathways/cli_common.hpp"

namespace pathways::cli {
namespace {

struct ReportArgs {
  StoreFlags store;
  std::vector<std::string> workflows{"config/workflows"};
  std::string reports = "config/reports.yaml";
  app::ReportQuery query;
  std::string at;
  std::string format = "json";
  std::string lang = "da";
};

// Runs one report: loads the definitions and the reports file, opens the store read-only with
// its master key, pins the position, and prints what `write` makes of the rows.
void RunReport(const ReportArgs& a, bool project) {
  auto catalog = LoadCatalog(a.workflows);
  if (catalog == nullptr) return;
  std::optional<config::ReportConfig> loaded = LoadReports(a.reports, *catalog);
  if (!loaded) return;
  storage::StoreOptions o = a.store.Options();
  o.read_only = true;
  o.load_master_key = true;
  auto store = storage::RocksEventStore::Open(o);
  if (!store.ok()) {
    ExitCode() = Fail("report", store.status());
    return;
  }
  EventStore& log = **store;
  app::ReportQuery query = a.query;
  Result<std::uint64_t> at =
      app::PositionAt(log, a.at.empty() ? std::to_string(log.Head().position) : a.at, "--at");
  Result<TimestampMs> as_of = at.ok() ? app::TimeAt(log, *at) : Result<TimestampMs>(at.status());
  if (!as_of.ok()) {
    ExitCode() = Fail("report", as_of.status());
    return;
  }
  query.at = *at;
  app::RowSource rows = [&](const std::function<bool(const runtime::PathwayState&)>& visit) {
    return (*store)->VisitReportRows(query.at, visit);
  };
  std::string text;
  if (project) {
    Result<app::ProjectReport> report =
        app::ProjectFiguresOf(*loaded, *catalog, rows, query, *as_of);
    if (!report.ok()) {
      ExitCode() = Fail("report", report.status());
      return;
    }
    text = a.format == "csv" ? app::ProjectCsv(*report) : app::ProjectJson(*report).dump(2) + "\n";
  } else {
    Result<app::EsfReport> report =
        app::EsfFigures(*loaded, *catalog, rows, query, app::StoreSealedReader(**store));
    if (!report.ok()) {
      ExitCode() = Fail("report", report.status());
      return;
    }
    text = a.format == "csv" ? app::EsfCsv(*report, a.lang) : app::EsfJson(*report).dump(2) + "\n";
  }
  std::fwrite(text.data(), 1, text.size(), stdout);
}

}  // namespace

void AddReportCommands(Command app) {
  Command report = app.Sub("report", "the funder's reports from the log");
  report.RequireSubcommand();
  for (const bool project : {false, true}) {
    Command cmd = project ? report.Sub("project",
                                       "progress to the target with a forecast, and the "
                                       "project's figures")
                          : report.Sub("esf", "ESF+ indicators by gender, for a period and school");
    auto a = std::make_shared<ReportArgs>();
    a->store.AddTo(cmd);
    cmd.Add("--workflow", a->workflows,
            "definition files or directories (default config/workflows)");
    cmd.Add("--reports", a->reports, "the reports file (default config/reports.yaml)");
    cmd.Add("--from", a->query.from, "the period's first day (YYYY-MM-DD)");
    cmd.Add("--to", a->query.to, "the period's last day (YYYY-MM-DD)");
    cmd.Add("--school", a->query.school, "one school's participants");
    cmd.Add("--at", a->at, "as of a log position, or the end of a day (YYYY-MM-DD)");
    cmd.Add("--format", a->format, "json (default) or csv").OneOf({"json", "csv"});
    if (!project) {
      cmd.Flag("--shared", a->query.shared,
               "for outside the partnership: small cells suppressed, nobody listed");
      cmd.Add("--lang", a->lang, "the CSV's labels: da (default) or en").OneOf({"da", "en"});
    }
    cmd.OnRun([a, project] { RunReport(*a, project); });
  }
}

}  // namespace pathways::cli

// pathways report esf --data DIR [--from DAY] [--to DAY] [--school ID] [--at POS|DAY]
// [--shared] [--format json|csv] [--lang da|en]: the funder's reports from the store's report
// rows (docs/reports.md), read-only beside a running server. The sealed items (disability, …)
// are read with the master key.

#include <charconv>
#include <cstdio>

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

// A position, or the end of a day.
Result<std::uint64_t> ReadAt(const EventStore& store, const std::string& at) {
  if (at.find('-') != std::string::npos) return app::PositionAtEndOf(store, at);
  std::uint64_t position = 0;
  auto [end, ec] = std::from_chars(at.data(), at.data() + at.size(), position);
  if (ec != std::errc() || end != at.data() + at.size()) {
    return Status::InvalidArgument("--at is a log position or a day YYYY-MM-DD, not " + at);
  }
  if (position > store.Head().position) {
    return Status::InvalidArgument("position " + at + " is past the log's head (" +
                                   std::to_string(store.Head().position) + ")");
  }
  return position;
}

void RunEsf(const ReportArgs& a) {
  auto catalog = LoadCatalog(a.workflows);
  if (catalog == nullptr) return;
  config::ReportConfigResult loaded = config::LoadReportConfig(a.reports, *catalog);
  if (!loaded.diagnostics.empty()) {
    for (const auto& d : loaded.diagnostics) std::fprintf(stderr, "%s\n", d.ToString().c_str());
    ExitCode() = kExitUsage;
    return;
  }
  storage::StoreOptions o = a.store.Options();
  o.read_only = true;
  o.load_master_key = true;
  auto store = storage::RocksEventStore::Open(o);
  if (!store.ok()) {
    ExitCode() = Fail("report", store.status());
    return;
  }
  app::ReportQuery query = a.query;
  if (!a.at.empty()) {
    Result<std::uint64_t> at = ReadAt(**store, a.at);
    if (!at.ok()) {
      ExitCode() = Fail("report", at.status());
      return;
    }
    query.at = *at;
  }
  EventStore& log = **store;
  app::RowSource rows = [&](const std::function<bool(const runtime::PathwayState&)>& visit) {
    return (*store)->VisitReportRows(query.at, visit);
  };
  Result<app::EsfReport> report =
      app::EsfFigures(loaded.config, *catalog, rows, query, app::StoreSealedReader(log));
  if (!report.ok()) {
    ExitCode() = Fail("report", report.status());
    return;
  }
  const std::string text =
      a.format == "csv" ? app::EsfCsv(*report, a.lang) : app::EsfJson(*report).dump(2) + "\n";
  std::fwrite(text.data(), 1, text.size(), stdout);
}

}  // namespace

void AddReportCommands(CLI::App& app) {
  auto* report = app.add_subcommand("report", "the funder's reports from the log");
  report->require_subcommand(1);
  auto* esf = report->add_subcommand("esf", "ESF+ indicators by gender, for a period and school");
  auto a = std::make_shared<ReportArgs>();
  a->store.AddTo(*esf);
  esf->add_option("--workflow", a->workflows,
                  "definition files or directories (default config/workflows)");
  esf->add_option("--reports", a->reports, "the reports file (default config/reports.yaml)");
  esf->add_option("--from", a->query.from, "the period's first day (YYYY-MM-DD)");
  esf->add_option("--to", a->query.to, "the period's last day (YYYY-MM-DD)");
  esf->add_option("--school", a->query.school, "one school's participants");
  esf->add_option("--at", a->at, "as of a log position, or the end of a day (YYYY-MM-DD)");
  esf->add_flag("--shared", a->query.shared,
                "for outside the partnership: small cells suppressed, nobody listed");
  esf->add_option("--format", a->format, "json (default) or csv")
      ->check(CLI::IsMember({"json", "csv"}));
  esf->add_option("--lang", a->lang, "the CSV's labels: da (default) or en")
      ->check(CLI::IsMember({"da", "en"}));
  esf->callback([a] { RunEsf(*a); });
}

}  // namespace pathways::cli

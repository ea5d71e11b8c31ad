// pathways bench reports --dir DIR [--participants N]: the funder's reports over a large
// population. Seeds N participants (registered with a date of birth, an entry record with a
// sealed item, the initial guidance; some with an employer, some withdrawn and followed up),
// then times the ESF+ report and the project report as the log stands, the ESF+ report as of
// the middle of the log, and — the raw limit, in the same run — reading the report rows alone
// (decoded, nothing counted). Prints JSON with the figures, the ratios, and the peak resident
// size of the seeding and of the reports after it.

#include <filesystem>
#include <future>
#include <iostream>

#include "adapters/app/project_report.hpp"
#include "adapters/app/reports.hpp"
#include "engine/runtime/cvr.hpp"
#include "tools/pathways/bench_support.hpp"
#include "tools/pathways/cli_common.hpp"

namespace pathways::cli {
namespace {

namespace fs = std::filesystem;

struct ReportsArgs {
  std::string dir;
  int participants = 100'000;
  std::string workflow = "config/workflows";
  std::string reports = "config/reports.yaml";
};

// The k-th of 5,000 employers' CVR numbers: a base of seven digits and the check digit that
// passes the modulus-11 rule (a base no digit completes is passed over).
std::string EmployerCvr(int k) {
  for (int base = 1'000'000 + k;; base += 5000) {
    for (char check = '0'; check <= '9'; ++check) {
      std::string cvr = std::to_string(base) + check;
      if (runtime::IsValidCvr(cvr)) return cvr;
    }
  }
}

// Participant `p`'s commands, in order.
std::vector<runtime::Command> Commands(int p) {
  static const char* genders[] = {"woman", "man", "non_binary"};
  static const char* status[] = {"unemployed", "inactive", "employed"};
  static const char* answers[] = {"yes", "no", "refused"};
  runtime::RegisterLead lead;
  lead.referral_source = p % 4 == 0 ? "union" : "jobcenter";
  lead.contact_person = "vejleder-" + std::to_string(p % 40);
  lead.personal[PersonalScope::kIdentity] = {
      {"name", "Deltager " + std::to_string(p)},
      {"date_of_birth", std::to_string(1960 + p % 45) + "-0" + std::to_string(1 + p % 9) + "-15"}};
  std::vector<runtime::Command> out{lead};
  nlohmann::json entry = {{"gender", genders[p % 3]},
                          {"employment_status", status[p % 3]},
                          {"education_level", p % 5 == 0 ? "isced_3_4" : "isced_0_2"},
                          {"disability", answers[p % 3]},
                          {"minority", answers[(p / 3) % 3]}};
  if (p % 10 != 0) entry["household"] = "other";  // one in ten incomplete
  out.push_back(runtime::FireTrigger{"record_entry", entry});
  out.push_back(runtime::FireTrigger{"hold_intake", nlohmann::json::object()});
  if (p % 3 == 0) {
    runtime::RecordEmployer e;
    e.name = "Virksomhed";
    e.cvr = EmployerCvr(p % 5000);
    e.contact = "Kontakt";
    e.email = "kontakt@example.dk";
    e.sme = p % 2 == 0;
    out.push_back(e);
  }
  if (p % 5 == 0) {
    out.push_back(runtime::FireTrigger{"withdraw", {{"reason", "work"}}});
    out.push_back(runtime::FireTrigger{"record_follow_up_4_weeks", {{"employed", true}}});
  }
  return out;
}

// Seeds in windows of participants whose commands are queued at once (in order per pathway:
// the writer takes them in the order they came), so the writer commits them in large groups.
Status Seed(Store& store, int participants) {
  constexpr int kWindow = 2000;
  for (int first = 0; first < participants; first += kWindow) {
    std::vector<std::future<Result<AppendResult>>> pending;
    for (int p = first; p < std::min(participants, first + kWindow); ++p) {
      int step = 0;
      for (runtime::Command& c : Commands(p)) {
        CommandRequest r;
        r.pathway_id = "r-" + std::to_string(p);
        r.participant_id = "rp-" + std::to_string(p);
        r.command_id = r.pathway_id + "-" + std::to_string(step++);
        r.actor = {"vejleder-1", "counsellor"};
        r.command = std::move(c);
        auto done = std::make_shared<std::promise<Result<AppendResult>>>();
        pending.push_back(done->get_future());
        store.ExecuteAsync(std::move(r),
                           [done](Result<AppendResult> a) { done->set_value(std::move(a)); });
      }
    }
    for (auto& f : pending) {
      Result<AppendResult> r = f.get();
      if (!r.ok()) return r.status();
    }
  }
  return Status::Ok();
}

template <typename F>
double Time(F f) {
  const auto t0 = SteadyClock::now();
  f();
  return Seconds(t0, SteadyClock::now());
}

}  // namespace

void AddBenchReports(Command bench) {
  Command cmd = bench.Sub("reports", "the ESF+ and project reports over a population");
  auto a = std::make_shared<ReportsArgs>();
  cmd.Add("--dir", a->dir, "scratch directory (a store is created in it)").Required();
  cmd.Add("--participants", a->participants, "participants (default 100000)").Range(1, 2'000'000);
  cmd.Add("--workflow", a->workflow, "definition files or directories");
  cmd.Add("--reports", a->reports, "the reports file");
  cmd.OnRun([a] {
    auto catalog = LoadCatalog({a->workflow});
    if (catalog == nullptr) return;
    config::ReportConfigResult loaded = config::LoadReportConfig(a->reports, *catalog);
    if (!loaded.diagnostics.empty()) {
      for (const auto& d : loaded.diagnostics) std::cerr << d.ToString() << "\n";
      return void(ExitCode() = kExitUsage);
    }
    ManualClock clock(1772442000000);
    auto store = OpenScratchStore(fs::path(a->dir) / "bench-reports", clock, catalog);
    if (!store.ok()) return void(ExitCode() = Fail("bench reports", store.status()));
    const double seed_s = Time([&] {
      if (Status st = Seed(**store, a->participants); !st.ok()) ExitCode() = Fail("bench", st);
    });
    if (ExitCode() != kExitOk) return;
    // Measured at rest: the seeding's compactions would take a core from the reports.
    if (Status st = (*store)->Settle(); !st.ok()) return void(ExitCode() = Fail("bench", st));
    const double seeded_peak_mb = PeakRssMb();
    const bool reset_peak = ResetPeakRss();  // the reports' own peak from here
    const std::uint64_t head = (*store)->Head().position;
    const config::ReportConfig& c = loaded.config;
    auto rows_at = [&](std::optional<std::uint64_t> at) {
      return app::RowSource([&, at](const std::function<bool(const runtime::PathwayState&)>& v) {
        return (*store)->VisitReportRows(at, v);
      });
    };
    // Each figure the best of three: the first run warms RocksDB's block cache.
    std::uint64_t rows = 0;
    bool failed = false;
    auto best = [&](auto f) {
      double s = 1e9;
      for (int i = 0; i < 3; ++i) s = std::min(s, Time(f));
      return s;
    };
    const double raw_s = best([&] {
      rows = 0;
      failed |= !rows_at(std::nullopt)([&](const runtime::PathwayState&) {
                   ++rows;
                   return true;
                 }).ok();
    });
    std::int64_t participants = 0;
    const double esf_s = best([&] {
      Result<app::EsfReport> r =
          app::EsfFigures(c, *catalog, rows_at(std::nullopt), {}, app::StoreSealedReader(**store));
      failed |= !r.ok();
      if (r.ok()) participants = r->indicators.front().total.count;
    });
    const double project_s = best([&] {
      Result<app::ProjectReport> r =
          app::ProjectFiguresOf(c, *catalog, rows_at(std::nullopt), {}, clock.NowMs());
      failed |= !r.ok();
    });
    const double raw_history_s = best([&] {
      failed |= !rows_at(head / 2)([](const runtime::PathwayState&) { return true; }).ok();
    });
    const double esf_at_s = best([&] {
      app::ReportQuery q;
      q.at = head / 2;
      failed |=
          !app::EsfFigures(c, *catalog, rows_at(head / 2), q, app::StoreSealedReader(**store)).ok();
    });
    const nlohmann::json out = {
        {"participants", a->participants},
        {"counted_in_eeco01", participants},
        {"report_rows", rows},
        {"log_events", head},
        {"seed_s", Round(seed_s, 1)},
        {"raw_rows_read_s", Round(raw_s)},
        {"esf_s", Round(esf_s)},
        {"project_s", Round(project_s)},
        {"both_s", Round(esf_s + project_s)},
        {"esf_over_raw", Round(esf_s / std::max(raw_s, 1e-6), 2)},
        {"project_over_raw", Round(project_s / std::max(raw_s, 1e-6), 2)},
        {"raw_history_rows_read_s", Round(raw_history_s)},
        {"esf_at_half_s", Round(esf_at_s)},
        {"esf_at_half_over_raw_history", Round(esf_at_s / std::max(raw_history_s, 1e-6), 2)},
        {"target_s", 1.0},
        {"seeding_peak_rss_mb", Round(seeded_peak_mb, 0)},
        // With the peak reset after seeding: what the store and the reports held at most.
        {reset_peak ? "reports_peak_rss_mb" : "peak_rss_mb", Round(PeakRssMb(), 0)},
        {"target_rss_mb", 300}};
    std::cout << out.dump(2) << "\n";
    ExitCode() = failed ? kExitError : kExitOk;
  });
}

}  // namespace pathways::cli

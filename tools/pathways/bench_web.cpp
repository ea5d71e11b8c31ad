// pathways bench web: the workspace's pages rendered on the server for one counsellor with a
// caseload of N participants whose names are in the vault, and one company consultant keeping
// M company records. "Mine deltagere" (every name read and each read recorded before the page
// is sent), the participant page (its whole history in words), "Mine virksomheder" (every
// record the consultant keeps) and the company page (its contact persons read and recorded,
// its contacts and history) are requested through the workspace's handler, signed in; the
// figures are each page's latency and its own HTML's size. The raw limits, measured in the
// same run on the same store, are what the lists cannot do without: the caseload's rows and
// each participant's personal data read straight from the store with nothing recorded, and the
// company records' state rows read by their prefix.

#include <cstdio>
#include <filesystem>
#include <future>
#include <nlohmann/json.hpp>
#include <regex>

#include "adapters/auth/passwords.hpp"
#include "adapters/web/web.hpp"
#include "engine/personal_view.hpp"
#include "engine/runtime/company.hpp"
#include "engine/runtime/cvr.hpp"
#include "tools/pathways/bench_support.hpp"
#include "tools/pathways/cli_common.hpp"

namespace pathways::cli {
namespace {

namespace fs = std::filesystem;

struct WebArgs {
  std::string dir;
  std::string workflow = "config/workflows";
  int participants = 500;
  int companies = 500;
  int rounds = 40;
  int load = 20000;  // commands by other counsellors just before the pages are measured
};

constexpr const char* kOrigin = "http://bench";
constexpr const char* kPassword = "a password for the benchmark only";

// One request through the workspace's handler, answered on this thread or the writer's.
http::Response Call(web::Web& web, std::string method, std::string target, std::string cookie,
                    std::string body = "") {
  http::Request r;
  r.method = std::move(method);
  r.target = std::move(target);
  http::ParseTarget(r.target, r);
  r.headers["host"] = "bench";
  r.headers["origin"] = kOrigin;
  r.headers["cookie"] = std::move(cookie);
  r.headers["content-type"] = "application/x-www-form-urlencoded";
  r.body = std::move(body);
  r.remote = "127.0.0.1";
  std::promise<http::Response> answered;
  web.Handle(std::move(r), [&answered](http::Response a) { answered.set_value(std::move(a)); });
  return answered.get_future().get();
}

std::string Header(const http::Response& r, const std::string& name) {
  std::string out;
  for (const auto& [k, v] : r.headers) {
    if (k == name) out = v;  // the last of its name
  }
  return out;
}

std::string Capture(const std::string& text, const char* pattern) {
  std::smatch m;
  return std::regex_search(text, m, std::regex(pattern)) ? m[1].str() : std::string();
}

// Requests `target` `rounds` times; latencies in ms, and the last answer's size.
RunFigures Pages(web::Web& web, const std::string& cookie, int rounds,
                 const std::function<std::string(int)>& target, std::size_t& bytes) {
  RunFigures f;
  const auto start = SteadyClock::now();
  for (int i = 0; i < rounds; ++i) {
    const auto t0 = SteadyClock::now();
    http::Response r = Call(web, "GET", target(i), cookie);
    f.latencies_ms.push_back(Seconds(t0, SteadyClock::now()) * 1000);
    if (r.status != 200) ++f.errors;
    bytes = r.body.size();
  }
  f.seconds = Seconds(start, SteadyClock::now());
  return f;
}

// Signs `user` in as a browser would and gives the session's purpose; the session cookie, or
// empty when signing in failed.
std::string SignIn(web::Web& web, const std::string& user) {
  http::Response form = Call(web, "GET", "/sign-in", "");
  const std::string signin_cookie = Capture(Header(form, "Set-Cookie"), "^(pw_signin=[0-9a-f]+)");
  const std::string token = Capture(form.body, "name=\"csrf\" value=\"([0-9a-f]+)\"");
  http::Response signed_in =
      Call(web, "POST", "/sign-in", signin_cookie,
           "csrf=" + token + "&user=" + user + "&password=a+password+for+the+benchmark+only");
  const std::string cookie = Capture(Header(signed_in, "Set-Cookie"), "^(pw_session=[0-9a-f]+)");
  if (cookie.empty()) return cookie;
  const std::string csrf =
      Capture(Call(web, "GET", "/tasks", cookie).body, "name=\"csrf\" value=\"([0-9a-f]+)\"");
  Call(web, "POST", "/purpose", cookie, "csrf=" + csrf + "&purpose=benchmark");
  return cookie;
}

// The `n`th CVR number from 10000000 up that passes the register's modulus-11 check.
std::vector<std::string> Cvrs(int n) {
  std::vector<std::string> out;
  for (int candidate = 10'000'000; static_cast<int>(out.size()) < n; ++candidate) {
    if (runtime::IsValidCvr(std::to_string(candidate))) out.push_back(std::to_string(candidate));
  }
  return out;
}

// A company record kept by the consultant `konsulent`: registered, a contact person, a visit
// with notes, and for every other one the first step of the dialogue taken.
Status SeedBenchCompany(CommandExecutor& store, const std::string& cvr, int i, TimestampMs now) {
  const std::string pathway = runtime::CompanyPathwayId(cvr);
  std::vector<runtime::Command> steps = {
      runtime::RegisterCompany{{cvr,
                                "Bench Virksomhed " + std::to_string(i),
                                "",
                                i % 4 == 3 ? "large" : "small",
                                i % 2 == 0 ? "25" : "43",
                                "751",
                                {"energy_efficiency"}},
                               "konsulent",
                               "bench"},
      runtime::RecordContactPerson{"", "Kontakt " + std::to_string(i), "Indehaver",
                                   "kontakt" + std::to_string(i) + "@bench.example", ""},
      runtime::RecordCompanyContact{"visit",
                                    now,
                                    45,
                                    {},
                                    {"p1"},
                                    "Første besøg",
                                    "Noter fra besøget hos nummer " + std::to_string(i)}};
  if (i % 2 == 0)
    steps.emplace_back(runtime::FireTrigger{"make_contact", nlohmann::json::object()});
  for (std::size_t step = 0; step < steps.size(); ++step) {
    CommandRequest r;
    r.pathway_id = pathway;
    r.participant_id = pathway;
    r.command_id = pathway + "-" + std::to_string(step);
    r.actor = {"konsulent", "consultant"};
    r.command = std::move(steps[step]);
    if (auto done = store.Execute(std::move(r)); !done.ok()) return done.status();
  }
  return Status::Ok();
}

}  // namespace

void AddBenchWeb(Command bench) {
  Command cmd = bench.Sub(
      "web", "the workspace's caseload and participant pages, rendered for a large caseload");
  auto a = std::make_shared<WebArgs>();
  cmd.Add("--dir", a->dir, "scratch directory (a store is created in it)").Required();
  cmd.Add("--participants", a->participants, "the counsellor's caseload (default 500)")
      .Range(1, 100'000);
  cmd.Add("--companies", a->companies, "the consultant's company records (default 500)")
      .Range(1, 100'000);
  cmd.Add("--rounds", a->rounds, "requests of each page (default 40)").Range(1, 100'000);
  cmd.Add("--workflow", a->workflow, "definition files or directories");
  cmd.Add("--load", a->load,
          "commands by 32 writers on other pathways right before the pages (default 20000)")
      .Range(0, 10'000'000);
  cmd.OnRun([a] {
    auto catalog = LoadCatalog({a->workflow});
    if (catalog == nullptr) return;
    const fs::path root = fs::path(a->dir) / "bench-web";
    ManualClock clock(1772442000000);
    auto store = OpenScratchStore(root, clock, catalog);
    if (!store.ok()) return void(ExitCode() = Fail("bench web", store.status()));
    // A caseload a little past the walk of AMIGO's first steps: each participant a lead with a
    // name and a contact person, and every third one further along with more history.
    for (int p = 0; p < a->participants; ++p) {
      if (Status st = SeedBenchPathway(**store, p, p % 3 == 0 ? 6 : 2); !st.ok()) {
        return void(ExitCode() = Fail("bench web", st));
      }
    }
    if (catalog->NewestOfKind(definition::Kind::kCompany) == nullptr) {
      return void(ExitCode() = Fail("bench web", Status::FailedPrecondition(
                                                     "no company definition in --workflow")));
    }
    const std::vector<std::string> cvrs = Cvrs(a->companies);
    for (int i = 0; i < a->companies; ++i) {
      if (Status st = SeedBenchCompany(**store, cvrs[i], i, clock.NowMs()); !st.ok()) {
        return void(ExitCode() = Fail("bench web", st));
      }
    }
    const std::string passwords = (root / "passwords.json").string();
    for (const char* user : {"bench", "konsulent"}) {
      if (Status st = auth::PasswordFile(passwords).Set(user, kPassword, clock.NowMs()); !st.ok()) {
        return void(ExitCode() = Fail("bench web", st));
      }
    }
    const std::map<std::string, config::User> users = {
        {"bench", {"bench", "Bench", config::Role::kCounsellor, "bench", "", "", ""}},
        {"konsulent", {"konsulent", "Konsulent", config::Role::kConsultant, "bench", "", "", ""}}};
    web::WebOptions wo;
    wo.store = store->get();
    wo.catalog = catalog;
    wo.clock = &clock;
    wo.users = &users;
    wo.passwords_file = passwords;
    wo.origin = kOrigin;
    web::Web web(std::move(wo));

    // Signed in as a browser would be, with the purpose given.
    const std::string cookie = SignIn(web, "bench");
    const std::string consultant = SignIn(web, "konsulent");
    if (cookie.empty() || consultant.empty()) {
      return void(ExitCode() = Fail("bench web", Status::FailedPrecondition("could not sign in")));
    }

    // A write load first, as a counsellor opens the caseload while colleagues work: the
    // memtables full of it and RocksDB flushing and compacting behind the pages.
    constexpr int kLoadWriters = 32;
    const RunFigures load = RunWriters(
        static_cast<std::uint64_t>(a->load), kLoadWriters,
        [&store](std::uint64_t w, std::uint64_t i) {
          const std::uint64_t participant = (i / kAmigoSteps) * kLoadWriters + w;
          const std::string pathway = "load-" + std::to_string(participant);
          return Execute(**store, pathway, pathway + "-" + std::to_string(i % kAmigoSteps),
                         AmigoStep(static_cast<int>(i % kAmigoSteps), participant, "kollega"));
        });

    std::size_t caseload_bytes = 0;
    std::size_t participant_bytes = 0;
    RunFigures caseload = Pages(
        web, cookie, a->rounds, [](int) { return "/participants"; }, caseload_bytes);
    RunFigures participant = Pages(
        web, cookie, a->rounds * 5,
        [n = a->participants](int i) { return "/participants/b-" + std::to_string((i * 7) % n); },
        participant_bytes);

    std::size_t companies_bytes = 0;
    std::size_t company_bytes = 0;
    RunFigures companies = Pages(
        web, consultant, a->rounds, [](int) { return "/companies"; }, companies_bytes);
    RunFigures company = Pages(
        web, consultant, a->rounds * 5,
        [&cvrs](int i) { return "/companies/" + cvrs[(i * 7) % cvrs.size()]; }, company_bytes);
    // The raw limit of the list: the records' state rows, read by their prefix.
    RunFigures raw_companies;
    const auto raw_companies_start = SteadyClock::now();
    for (int i = 0; i < a->rounds; ++i) {
      const auto t0 = SteadyClock::now();
      auto rows =
          (*store)->PathwaysWithPrefix(std::string(runtime::kCompanyPathwayPrefix), 200'000);
      if (!rows.ok() || rows->size() != cvrs.size()) ++raw_companies.errors;
      raw_companies.latencies_ms.push_back(Seconds(t0, SteadyClock::now()) * 1000);
    }
    raw_companies.seconds = Seconds(raw_companies_start, SteadyClock::now());

    // The raw limit: the caseload's rows and every name, read straight from the store.
    RunFigures raw;
    const auto raw_start = SteadyClock::now();
    for (int i = 0; i < a->rounds; ++i) {
      const auto t0 = SteadyClock::now();
      auto rows = (*store)->Caseload("bench", 100'000);
      if (!rows.ok()) ++raw.errors;
      for (const CaseloadEntry& e : rows.ok() ? *rows : std::vector<CaseloadEntry>{}) {
        if (!ReadPersonal(**store, e.pathway_id, {PersonalScope::kIdentity}).ok()) ++raw.errors;
      }
      raw.latencies_ms.push_back(Seconds(t0, SteadyClock::now()) * 1000);
    }
    raw.seconds = Seconds(raw_start, SteadyClock::now());

    const double caseload_p99 = Percentile(caseload.latencies_ms, 0.99);
    const double participant_p99 = Percentile(participant.latencies_ms, 0.99);
    const double raw_p50 = Percentile(raw.latencies_ms, 0.5);
    const double companies_p99 = Percentile(companies.latencies_ms, 0.99);
    const double company_p99 = Percentile(company.latencies_ms, 0.99);
    const double raw_companies_p50 = Percentile(raw_companies.latencies_ms, 0.5);
    nlohmann::json out = {
        {"bench", "web"},
        {"participants", a->participants},
        {"load_commands", a->load},
        {"load_errors", load.errors},
        {"caseload_p50_ms", Round(Percentile(caseload.latencies_ms, 0.5))},
        {"caseload_p99_ms", Round(caseload_p99)},
        {"caseload_html_kb", Round(caseload_bytes / 1024.0, 1)},
        {"participant_p50_ms", Round(Percentile(participant.latencies_ms, 0.5))},
        {"participant_p99_ms", Round(participant_p99)},
        {"participant_html_kb", Round(participant_bytes / 1024.0, 1)},
        {"raw_caseload_reads_p50_ms", Round(raw_p50)},
        {"caseload_p50_over_raw",
         Round(Percentile(caseload.latencies_ms, 0.5) / std::max(raw_p50, 1e-3))},
        {"companies", a->companies},
        {"companies_p50_ms", Round(Percentile(companies.latencies_ms, 0.5))},
        {"companies_p99_ms", Round(companies_p99)},
        {"companies_html_kb", Round(companies_bytes / 1024.0, 1)},
        {"company_p50_ms", Round(Percentile(company.latencies_ms, 0.5))},
        {"company_p99_ms", Round(company_p99)},
        {"company_html_kb", Round(company_bytes / 1024.0, 1)},
        {"raw_company_rows_p50_ms", Round(raw_companies_p50)},
        {"companies_p50_over_raw",
         Round(Percentile(companies.latencies_ms, 0.5) / std::max(raw_companies_p50, 1e-3))},
        // The company list is held to the caseload's targets; its HTML carries every record.
        {"targets_met", caseload_p99 < 40 && participant_p99 < 30 && caseload_bytes < 100 * 1024 &&
                            participant_bytes < 100 * 1024 && companies_p99 < 40 &&
                            company_p99 < 30 && company_bytes < 100 * 1024},
        {"peak_rss_mb", Round(PeakRssMb(), 1)}};
    std::printf("%s\n", out.dump().c_str());
    ExitCode() = caseload.errors == 0 && participant.errors == 0 && raw.errors == 0 &&
                         load.errors == 0 && companies.errors == 0 && company.errors == 0 &&
                         raw_companies.errors == 0
                     ? kExitOk
                     : kExitError;
  });
}

}  // namespace pathways::cli

// pathways bench web: the workspace's pages rendered on the server for one counsellor with a
// caseload of N participants whose names are in the vault. "Mine deltagere" (every name read
// and each read recorded before the page is sent) and the participant page (its whole history
// in words) are requested through the workspace's handler, signed in as the counsellor; the
// figures are each page's latency and its own HTML's size. The raw limit, measured in the same
// run on the same store, is what the caseload page cannot do without: reading the caseload's
// rows and each participant's personal data straight from the store, with nothing recorded.

#include <cstdio>
#include <filesystem>
#include <future>
#include <nlohmann/json.hpp>
#include <regex>

#include "adapters/auth/passwords.hpp"
#include "adapters/web/web.hpp"
#include "engine/personal_view.hpp"
#include "tools/pathways/bench_support.hpp"
#include "tools/pathways/cli_common.hpp"

namespace pathways::cli {
namespace {

namespace fs = std::filesystem;

struct WebArgs {
  std::string dir;
  std::string workflow = "config/workflows";
  int participants = 500;
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

}  // namespace

void AddBenchWeb(Command bench) {
  Command cmd = bench.Sub(
      "web", "the workspace's caseload and participant pages, rendered for a large caseload");
  auto a = std::make_shared<WebArgs>();
  cmd.Add("--dir", a->dir, "scratch directory (a store is created in it)").Required();
  cmd.Add("--participants", a->participants, "the counsellor's caseload (default 500)")
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
    const std::string passwords = (root / "passwords.json").string();
    if (Status st = auth::PasswordFile(passwords).Set("bench", kPassword, clock.NowMs());
        !st.ok()) {
      return void(ExitCode() = Fail("bench web", st));
    }
    const std::map<std::string, config::User> users = {
        {"bench", {"bench", "Bench", config::Role::kCounsellor, "bench", "", "", ""}}};
    web::WebOptions wo;
    wo.store = store->get();
    wo.catalog = catalog;
    wo.clock = &clock;
    wo.users = &users;
    wo.passwords_file = passwords;
    wo.origin = kOrigin;
    web::Web web(std::move(wo));

    // Signed in as a browser would be, with the purpose given.
    http::Response form = Call(web, "GET", "/sign-in", "");
    const std::string signin_cookie = Capture(Header(form, "Set-Cookie"), "^(pw_signin=[0-9a-f]+)");
    const std::string token = Capture(form.body, "name=\"csrf\" value=\"([0-9a-f]+)\"");
    http::Response signed_in =
        Call(web, "POST", "/sign-in", signin_cookie,
             "csrf=" + token + "&user=bench&password=a+password+for+the+benchmark+only");
    const std::string cookie = Capture(Header(signed_in, "Set-Cookie"), "^(pw_session=[0-9a-f]+)");
    if (cookie.empty()) {
      return void(ExitCode() = Fail("bench web", Status::FailedPrecondition("could not sign in")));
    }
    const std::string csrf = Capture(Call(web, "GET", "/participants", cookie).body,
                                     "name=\"csrf\" value=\"([0-9a-f]+)\"");
    Call(web, "POST", "/purpose", cookie, "csrf=" + csrf + "&purpose=benchmark");

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
        {"targets_met", caseload_p99 < 40 && participant_p99 < 30 && caseload_bytes < 100 * 1024 &&
                            participant_bytes < 100 * 1024},
        {"peak_rss_mb", Round(PeakRssMb(), 1)}};
    std::printf("%s\n", out.dump().c_str());
    ExitCode() =
        caseload.errors == 0 && participant.errors == 0 && raw.errors == 0 && load.errors == 0
            ? kExitOk
            : kExitError;
  });
}

}  // namespace pathways::cli

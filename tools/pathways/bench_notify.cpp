// pathways bench notify: webhook deliveries end to end. A fresh store with the AMIGO
// definition, the notification adapters over it, and a receiver in this process on 127.0.0.1
// that checks every signature. Each notification is a participant's intake, which the
// referring authority hears of; its latency runs from the command's commit to the receiver.
//
//   1. backlog: --deliveries intakes committed while the adapters are stopped, then drained:
//      what the adapters alone deliver per second (send, and record the outcome);
//   2. paced: one intake at a time at --rate per second, nothing backlogged: p50 and p99;
//   3. burst: --deliveries intakes from 32 writers at once: deliveries per second, from the
//      first commit to the last arrival, and their latencies under that load;
//   4. raw: the same receiver hit by as many signing keep-alive senders as the adapter has
//      workers, with no store: the transport's limit in the same run, and the ratios to it.

#include <cstdio>
#include <filesystem>
#include <mutex>
#include <nlohmann/json.hpp>
#include <unordered_map>

#include "adapters/config/notify_config.hpp"
#include "adapters/http/server.hpp"
#include "adapters/notify/dispatcher.hpp"
#include "adapters/notify/webhook_sender.hpp"
#include "adapters/notify/webhook_signature.hpp"
#include "adapters/platform/system_clock.hpp"
#include "tools/pathways/bench_support.hpp"
#include "tools/pathways/cli_common.hpp"

namespace pathways::cli {
namespace {

namespace fs = std::filesystem;

constexpr const char* kSecret = "whsec_YmVuY2gtbm90aWZ5LXNlY3JldC1rZXktMDEyMzQ1Njc=";

struct NotifyArgs {
  std::string dir;
  std::string workflow = "config/workflows/amigo.yaml";
  std::uint64_t deliveries = 20000;
  std::uint64_t paced = 1000;
  double rate = 500;
  int workers = 8;
};

// The partner's side: verifies each signature and notes when each pathway's notice arrived.
class BenchReceiver {
 public:
  BenchReceiver() : key_(*notify::ParseWebhookSecret(kSecret)) {
    http::ServerOptions o;
    o.host = "127.0.0.1";
    o.port = 0;
    o.threads = 1;
    server_ = std::make_unique<http::Server>(o, [this](http::Request r, http::Responder done) {
      const auto at = SteadyClock::now();
      const std::string& ts = r.Header("webhook-timestamp");
      const bool ok = !ts.empty() &&
                      notify::VerifyWebhook({key_}, r.Header("webhook-id"), ts,
                                            r.Header("webhook-signature"), r.body, std::stoll(ts))
                          .ok();
      std::string pathway;
      if (const nlohmann::json body = nlohmann::json::parse(r.body, nullptr, false);
          body.is_object()) {
        pathway = body["data"].value("pathway_id", "");
      }
      {
        std::lock_guard lock(mu_);
        ++received_;
        if (!ok) ++bad_signatures_;
        if (!pathway.empty()) arrived_.emplace(pathway, at);
      }
      http::Response answer;
      answer.status = 204;
      done(answer);
    });
  }
  Status Start() { return server_->Start(); }
  void Stop() {
    server_->Stop();
    server_->Wait(5000);
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(server_->port()) + "/"; }
  std::string key() const { return key_; }
  std::uint64_t received() {
    std::lock_guard lock(mu_);
    return received_;
  }
  std::uint64_t bad_signatures() {
    std::lock_guard lock(mu_);
    return bad_signatures_;
  }
  // Arrival times of `pathways`' notices; waits (at most `timeout`) for all of them.
  std::vector<std::optional<SteadyClock::time_point>> Arrivals(
      const std::vector<std::string>& pathways, std::chrono::seconds timeout) {
    const auto deadline = SteadyClock::now() + timeout;
    for (;;) {
      std::vector<std::optional<SteadyClock::time_point>> out;
      std::size_t missing = 0;
      {
        std::lock_guard lock(mu_);
        for (const auto& p : pathways) {
          auto it = arrived_.find(p);
          out.push_back(it == arrived_.end() ? std::nullopt
                                             : std::optional<SteadyClock::time_point>(it->second));
          missing += it == arrived_.end() ? 1 : 0;
        }
      }
      if (missing == 0 || SteadyClock::now() > deadline) return out;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  }

 private:
  std::string key_;
  std::unique_ptr<http::Server> server_;
  std::mutex mu_;
  std::uint64_t received_ = 0;                                        // guarded by mu_
  std::uint64_t bad_signatures_ = 0;                                  // guarded by mu_
  std::unordered_map<std::string, SteadyClock::time_point> arrived_;  // guarded by mu_
};

runtime::Command Intake() { return runtime::FireTrigger{"hold_intake", {{"age_at_entry", 30}}}; }

// Latencies (commit to arrival) of the pathways' notices, in ms; counts the ones that never came.
std::vector<double> Latencies(const std::vector<SteadyClock::time_point>& committed,
                              const std::vector<std::optional<SteadyClock::time_point>>& arrived,
                              std::uint64_t& missing) {
  std::vector<double> ms;
  for (std::size_t i = 0; i < committed.size(); ++i) {
    if (!arrived[i]) {
      ++missing;
      continue;
    }
    ms.push_back(std::max(0.0, Seconds(committed[i], *arrived[i]) * 1000.0));
  }
  return ms;
}

void Run(const NotifyArgs& a) {
  auto catalog = LoadCatalog({a.workflow});
  if (catalog == nullptr) return;
  std::error_code ec;
  for (const char* name : {"bench-notify", "bench-notify.master-key"}) {
    fs::remove_all(fs::path(a.dir) / name, ec);
  }
  fs::create_directories(a.dir, ec);
  adapters::SystemClock wall;
  storage::StoreOptions o;
  o.dir = (fs::path(a.dir) / "bench-notify").string();
  o.create_if_missing = true;
  o.clock = &wall;
  o.definitions = catalog;
  auto store = storage::RocksEventStore::Open(o);
  if (!store.ok()) {
    ExitCode() = Fail("bench notify", store.status());
    return;
  }
  BenchReceiver receiver;
  if (Status st = receiver.Start(); !st.ok()) {
    ExitCode() = Fail("bench notify", st);
    return;
  }

  // Leads with their contact person, before the adapters start: none of this notifies.
  const std::uint64_t total = a.paced + 2 * a.deliveries;
  auto pathway = [](std::uint64_t i) { return "n" + std::to_string(i); };
  RunFigures seeded = RunWriters(total, 32, [&](std::uint64_t w, std::uint64_t i) {
    const std::uint64_t n = i * 32 + w;
    return Execute(
        **store, pathway(n), pathway(n) + "-lead",
        runtime::RegisterLead{"jobcenter", nlohmann::json::object(), {}, "vejleder-1", ""});
  });
  if (seeded.errors > 0) {
    ExitCode() = Fail("bench notify", Status::IOError("seeding the leads failed"));
    return;
  }

  config::NotifyConfig c;
  c.workers = a.workers;
  c.timeout = std::chrono::seconds(10);
  c.parties["referring_authority"].webhook = config::WebhookTarget{receiver.url(), {kSecret}, ""};
  notify::DispatcherOptions no;
  no.UseStore(**store);
  no.catalog = catalog;
  no.clock = &wall;
  no.config = std::move(c);
  notify::Dispatcher dispatcher(std::move(no));

  // ---- 1. backlog: committed first, then drained ----
  std::vector<std::string> backlog_ids(a.deliveries);
  for (std::uint64_t i = 0; i < a.deliveries; ++i) {
    backlog_ids[i] = pathway(a.paced + a.deliveries + i);
  }
  RunFigures backlog = RunWriters(a.deliveries, 32, [&](std::uint64_t w, std::uint64_t i) {
    const std::uint64_t n = i * 32 + w;
    return Execute(**store, backlog_ids[n], backlog_ids[n] + "-intake", Intake());
  });
  const auto drain_start = SteadyClock::now();
  if (Status st = dispatcher.Start(); !st.ok()) {
    ExitCode() = Fail("bench notify", st);
    return;
  }
  std::uint64_t drained = 0;
  for (const auto& t : receiver.Arrivals(backlog_ids, std::chrono::seconds(120))) {
    drained += t ? 1 : 0;
  }
  dispatcher.WaitIdle(std::chrono::seconds(120));
  const double drain_s = Seconds(drain_start, SteadyClock::now());

  // ---- 2. paced: nothing backlogged ----
  std::vector<std::string> paced_ids;
  std::vector<SteadyClock::time_point> paced_commits;
  const auto gap = std::chrono::duration<double>(1.0 / a.rate);
  const auto paced_start = SteadyClock::now();
  for (std::uint64_t i = 0; i < a.paced; ++i) {
    std::this_thread::sleep_until(paced_start + std::chrono::duration_cast<SteadyClock::duration>(
                                                    gap * static_cast<double>(i)));
    const std::string id = pathway(i);
    if (!Execute(**store, id, id + "-intake", Intake())) continue;
    paced_commits.push_back(SteadyClock::now());
    paced_ids.push_back(id);
  }
  std::uint64_t paced_missing = 0;
  std::vector<double> paced_ms = Latencies(
      paced_commits, receiver.Arrivals(paced_ids, std::chrono::seconds(30)), paced_missing);
  dispatcher.WaitIdle(std::chrono::seconds(30));

  // ---- 3. burst: as many as the writers commit ----
  std::vector<SteadyClock::time_point> burst_commits(a.deliveries);
  std::vector<std::string> burst_ids(a.deliveries);
  for (std::uint64_t i = 0; i < a.deliveries; ++i) burst_ids[i] = pathway(a.paced + i);
  const double cpu0 = ProcessCpuSeconds();
  const auto burst_start = SteadyClock::now();
  RunFigures burst = RunWriters(a.deliveries, 32, [&](std::uint64_t w, std::uint64_t i) {
    const std::uint64_t n = i * 32 + w;
    const bool ok = Execute(**store, burst_ids[n], burst_ids[n] + "-intake", Intake());
    burst_commits[n] = SteadyClock::now();
    return ok;
  });
  const auto arrivals = receiver.Arrivals(burst_ids, std::chrono::seconds(120));
  SteadyClock::time_point last = burst_start;
  for (const auto& t : arrivals) {
    if (t) last = std::max(last, *t);
  }
  const double burst_s = Seconds(burst_start, last);
  const double burst_cpu_s = ProcessCpuSeconds() - cpu0;
  std::uint64_t burst_missing = 0;
  std::vector<double> burst_ms = Latencies(burst_commits, arrivals, burst_missing);
  const bool recorded = dispatcher.WaitIdle(std::chrono::seconds(120));
  std::uint64_t delivered = 0;
  for (const auto& s : dispatcher.Stats()) delivered += s.delivered;
  dispatcher.Stop();

  // ---- 4. raw: signed keep-alive posts straight to the receiver ----
  const std::uint64_t raw_posts = a.deliveries;
  const std::string body =
      R"({"type":"pathway.notification","timestamp":"2026-03-02T09:00:00.000Z","data":{"notification_id":"raw:n1","pathway_id":"raw","party":"referring_authority","because":"trigger hold_intake","categories":["status"],"state":{"id":"intake"},"status":"active"}})";
  const std::int64_t now_s = wall.NowMs() / 1000;
  std::vector<std::unique_ptr<notify::WebhookSender>> senders;
  for (int w = 0; w < a.workers; ++w) senders.push_back(std::make_unique<notify::WebhookSender>());
  const notify::WebhookEndpoint endpoint{
      receiver.url(), {receiver.key()}, std::chrono::seconds(10), ""};
  RunFigures raw = RunWriters(raw_posts, a.workers, [&](std::uint64_t w, std::uint64_t i) {
    const notify::WebhookMessage m{"raw-" + std::to_string(w) + "-" + std::to_string(i), now_s,
                                   body};
    return senders[w]->Send(endpoint, m).outcome == notify::DeliveryOutcome::kDelivered;
  });
  receiver.Stop();

  const double per_s =
      burst_s > 0 ? static_cast<double>(a.deliveries - burst_missing) / burst_s : 0;
  const double raw_per_s = raw.seconds > 0 ? static_cast<double>(raw_posts) / raw.seconds : 0;
  nlohmann::json out = {
      {"deliveries", a.deliveries - burst_missing},
      {"deliveries_per_s", Round(per_s, 1)},
      {"p50_ms", Round(Percentile(paced_ms, 0.50))},
      {"p99_ms", Round(Percentile(paced_ms, 0.99))},
      {"paced",
       {{"notifications", paced_ids.size()},
        {"rate_per_s", a.rate},
        {"missing", paced_missing},
        {"max_ms",
         Round(paced_ms.empty() ? 0 : *std::max_element(paced_ms.begin(), paced_ms.end()))}}},
      {"backlog",
       {{"notifications", a.deliveries},
        {"delivered", drained},
        {"drained_per_s", Round(static_cast<double>(drained) / drain_s, 1)},
        {"commit_errors", backlog.errors}}},
      {"burst",
       {{"seconds", Round(burst_s)},
        {"commits_per_s", Round(static_cast<double>(a.deliveries) / burst.seconds, 1)},
        {"p50_ms", Round(Percentile(burst_ms, 0.50))},
        {"p99_ms", Round(Percentile(burst_ms, 0.99))},
        {"missing", burst_missing},
        {"cpu_s", Round(burst_cpu_s)},
        {"errors", burst.errors}}},
      {"outcomes_recorded", recorded},
      {"delivered_by_adapters", delivered},
      {"bad_signatures", receiver.bad_signatures()},
      {"workers", a.workers},
      {"raw_posts_per_s", Round(raw_per_s, 1)},
      {"raw_errors", raw.errors},
      // The adapters' own rate (the drain) against the transport's: what sending, recording
      // and settling each delivery costs beyond the HTTP exchange itself.
      {"ratio_to_raw", Round(raw_per_s > 0 ? drained / drain_s / raw_per_s : 0)},
      {"burst_ratio_to_raw", Round(raw_per_s > 0 ? per_s / raw_per_s : 0)},
      {"peak_rss_mb", Round(PeakRssMb(), 1)}};
  std::printf("%s\n", out.dump(2).c_str());
  if (burst_missing > 0 || paced_missing > 0 || drained < a.deliveries ||
      receiver.bad_signatures() > 0) {
    ExitCode() = kExitError;
  }
}

}  // namespace

void AddBenchNotify(Command bench) {
  Command cmd = bench.Sub("notify", "webhook deliveries from commit to a local receiver");
  auto a = std::make_shared<NotifyArgs>();
  cmd.Add("--dir", a->dir, "scratch directory (bench-notify inside)").Required();
  cmd.Add("--deliveries", a->deliveries, "notifications in the burst (default 20000)").Positive();
  cmd.Add("--paced", a->paced, "notifications sent one at a time first (default 1000)");
  cmd.Add("--rate", a->rate, "their rate per second (default 500)").Range(1.0, 100000.0);
  cmd.Add("--workers", a->workers, "webhook deliveries in flight at once (default 8)")
      .Range(1, 256);
  cmd.Add("--workflow", a->workflow, "the definition (default config/workflows/amigo.yaml)");
  cmd.OnRun([a] { Run(*a); });
}

}  // namespace pathways::cli

// pathways serve: the server. Reads the config file (flags override it), loads the pathway
// definitions, opens the store, starts the timer scheduler and the HTTP server, and on first
// start of a demo config seeds synthetic participants. SIGTERM/SIGINT: stop accepting, finish
// what is in flight, close the store, exit 0. SIGHUP: reload definitions, tokens and the
// notifications file; a broken file is refused and the running one stays.

#include <pthread.h>
#include <signal.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <set>

#include "adapters/api/api.hpp"
#include "adapters/app/checkpoint_signer.hpp"
#include "adapters/app/retention.hpp"
#include "adapters/auth/links.hpp"
#include "adapters/config/notify_config.hpp"
#include "adapters/config/report_config.hpp"
#include "adapters/config/server_config.hpp"
#include "adapters/http/server.hpp"
#include "adapters/notify/dispatcher.hpp"
#include "adapters/notify/email_text.hpp"
#include "adapters/notify/routing.hpp"
#include "adapters/notify/witness_publisher.hpp"
#include "adapters/platform/system_clock.hpp"
#include "adapters/web/web.hpp"
#include "engine/codec/event_json.hpp"
#include "engine/runtime/timer_scheduler.hpp"
#include "engine/storage/checkpoint_key.hpp"
#include "tools/pathways/amigo_script.hpp"
#include "tools/pathways/cli_common.hpp"
#include "tools/pathways/demo_seed.hpp"
#include "workflows/definition_set.hpp"

namespace pathways::cli {
namespace {

// Where the workspace is, for the signed links in partners' emails: `workspace.origin`, else
// the address the server listens on. A port of 0 is the kernel's choice, known once the server
// listens: a notice sent before then (at start, a retry or the demo's) waits for it.
class LinkBase {
 public:
  explicit LinkBase(std::string origin) : base_(std::move(origin)), settled_(!base_.empty()) {}
  // On every address (0.0.0.0, ::) no address is the one partners reach: links need
  // `workspace.origin` then, and emails go without them.
  void Listening(const std::string& scheme, const std::string& host, unsigned port) {
    {
      std::lock_guard lock(mu_);
      if (settled_) return;
      settled_ = true;
      if (host == "0.0.0.0" || host == "::") {
        spdlog::warn(
            "no links in partners' emails: set workspace.origin to the address they reach");
      } else {
        const bool v6 = host.find(':') != std::string::npos;
        base_ = scheme + "://" + (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
      }
    }
    settled_cv_.notify_all();
  }
  // The server did not start: nothing waits for it.
  void NotListening() {
    {
      std::lock_guard lock(mu_);
      settled_ = true;
    }
    settled_cv_.notify_all();
  }
  // The base, or "" for none; waits (at most 30 s) until the server listens.
  std::string Get() const {
    std::unique_lock lock(mu_);
    settled_cv_.wait_for(lock, std::chrono::seconds(30), [this] { return settled_; });
    return base_;
  }

 private:
  mutable std::mutex mu_;
  mutable std::condition_variable settled_cv_;
  std::string base_;
  bool settled_;
};

struct ServeArgs {
  std::string config;
  std::string data;
  std::string listen;
  std::string clock;
};

void PrintDiagnostics(const std::vector<workflows::Diagnostic>& ds) {
  for (const auto& d : ds) std::fprintf(stderr, "%s\n", d.ToString().c_str());
}

// The notifications file (none: an empty config), checked against the loaded definitions'
// parties.
config::NotifyConfigResult LoadNotifications(const std::string& file,
                                             const definition::DefinitionCatalog& catalog) {
  if (file.empty()) return {};
  config::NotifyConfigResult n = config::LoadNotifyConfig(file);
  std::map<std::string, bool> external;
  std::set<std::string> triggers;
  for (const auto& def : catalog.All()) {
    for (const auto& p : def->parties) external[p.id] = p.external;
    for (const auto& t : def->transitions) triggers.insert(t.trigger);
  }
  if (n.diagnostics.empty()) n.diagnostics = config::CheckParties(n.config, external);
  if (n.diagnostics.empty()) n.diagnostics = config::CheckTriggers(n.config, triggers);
  return n;
}

// What the server runs on, every file of it checked.
struct Prepared {
  config::ServerConfig cfg;
  std::shared_ptr<definition::DefinitionCatalog> catalog;
  config::NotifyConfig notify;
  std::optional<config::ReportConfig> reports;  // when the config names a reports file
  std::optional<TimestampMs> clock_start;       // a manual clock's start, when configured
  bool store_exists = false;
};

// Reads and checks every file the server would read — the config and users file, the
// definitions, the notifications file and its templates, the reports file, the tokens file, the TLS
// certificate and key, and with `check_store` an existing store's format and master key (on
// a read-only view; serve leaves that to the store's own open, which checks the same on a
// view before it writes) — and creates or changes nothing. Prints every problem; nullopt
// (exit code set) on any.
std::optional<Prepared> Prepare(const ServeArgs& a, bool check_store) {
  config::ConfigResult loaded = config::LoadServerConfig(a.config);
  if (!loaded.diagnostics.empty()) {
    PrintDiagnostics(loaded.diagnostics);
    ExitCode() = kExitUsage;
    return std::nullopt;
  }
  Prepared p;
  config::ServerConfig& cfg = p.cfg;
  cfg = std::move(loaded.config);
  if (!a.data.empty()) cfg.data_dir = a.data;
  if (!a.listen.empty()) {
    const std::size_t colon = a.listen.rfind(':');
    const std::string port = colon == std::string::npos ? "" : a.listen.substr(colon + 1);
    if (colon == 0 || port.empty() || port.size() > 5 ||
        !std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; }) ||
        std::stoi(port) > 65535) {
      std::fprintf(stderr, "pathways serve: error: --listen `%s` must be HOST:PORT\n",
                   a.listen.c_str());
      ExitCode() = kExitUsage;
      return std::nullopt;
    }
    cfg.host = a.listen.substr(0, colon);
    cfg.port = static_cast<std::uint16_t>(std::stoi(port));
  }
  if (!a.clock.empty()) cfg.manual_clock = a.clock == "manual";

  p.catalog = LoadCatalog(cfg.workflows);
  if (p.catalog == nullptr) return std::nullopt;
  config::NotifyConfigResult notify_config = LoadNotifications(cfg.notifications_file, *p.catalog);
  std::vector<workflows::Diagnostic> problems = std::move(notify_config.diagnostics);
  if (problems.empty()) {
    // Templates parse, and inbox routes name users the server knows.
    if (!notify_config.config.templates_dir.empty()) {
      for (auto& d : notify::EmailTemplates().Load(notify_config.config.templates_dir)) {
        problems.push_back(std::move(d));
      }
    }
    for (const auto& [party, channels] : notify_config.config.parties) {
      // A partner's referrals go to a counsellor of the school they name.
      if (channels.inbound && channels.inbound->referrals) {
        const config::Referrals& r = *channels.inbound->referrals;
        const auto user = cfg.users.find(r.contact_person);
        std::string problem;
        if (user == cfg.users.end() || user->second.role != config::Role::kCounsellor) {
          problem = "`" + r.contact_person + "` is not a counsellor in " + cfg.users_file;
        } else if (user->second.school != r.school) {
          problem = "`" + r.contact_person + "` is not of school `" + r.school + "`";
        } else if (!r.school.empty() && !cfg.schools.count(r.school)) {
          problem = "school `" + r.school + "` is not in " + cfg.users_file;
        } else if (r.school.empty() && !cfg.schools.empty()) {
          problem = "referrals name the `school` they go to";
        }
        if (!problem.empty()) {
          problems.push_back({cfg.notifications_file, r.line, r.column,
                              "the referrals of party " + party + ": " + problem});
        }
      }
      for (const std::string& user : channels.inbox) {
        if (user == config::kContactPerson || user == config::kTeamLeads ||
            cfg.users.count(user) != 0) {
          continue;
        }
        problems.push_back({cfg.notifications_file, channels.line, channels.column,
                            "the inbox of party " + party + " names user `" + user +
                                "`, who is not in " + cfg.users_file});
      }
    }
  }
  if (!cfg.reports_file.empty()) {
    config::ReportConfigResult reports = config::LoadReportConfig(cfg.reports_file, *p.catalog);
    problems.insert(problems.end(), reports.diagnostics.begin(), reports.diagnostics.end());
    p.reports = std::move(reports.config);
  }
  if (cfg.manual_clock && !cfg.clock_start.empty()) {
    TimestampMs start = 0;
    if (!codec::ParseIso8601(cfg.clock_start, start)) {
      problems.push_back(
          {cfg.file, 1, 1, "clock_start `" + cfg.clock_start + "` is not an ISO 8601 time"});
    }
    p.clock_start = start;
  }
  if (Status st = http::CheckTls(cfg.tls_certificate, cfg.tls_private_key); !st.ok()) {
    problems.push_back({cfg.file, 1, 1, st.message()});
  }
  if (Status st = api::TokenStore(cfg.tokens_file).Reload(); !st.ok()) {
    problems.push_back({cfg.tokens_file, 1, 1, st.message()});
  }
  // An existing store: its format and master key, on a read-only view that writes nothing.
  std::error_code ec;
  p.store_exists =
      std::filesystem::exists(cfg.data_dir, ec) && !std::filesystem::is_empty(cfg.data_dir, ec);
  if (problems.empty() && p.store_exists && check_store) {
    storage::StoreOptions o;
    o.dir = cfg.data_dir;
    o.master_key_path = cfg.master_key;
    o.read_only = true;
    o.load_master_key = true;
    if (auto view = storage::RocksEventStore::Open(o); !view.ok()) {
      problems.push_back({cfg.data_dir, 1, 1, view.status().message()});
    }
  }
  if (!problems.empty()) {
    PrintDiagnostics(problems);
    ExitCode() = kExitUsage;
    return std::nullopt;
  }
  p.notify = std::move(notify_config.config);
  return p;
}

int Check(const ServeArgs& a) {
  std::optional<Prepared> p = Prepare(a, /*check_store=*/true);
  if (!p) return ExitCode();
  std::printf(
      "ok: %s: %zu definition version(s), %zu user(s), %s, store %s (%s)\n", a.config.c_str(),
      p->catalog->All().size(), p->cfg.users.size(),
      p->cfg.notifications_file.empty() ? "no notifications" : p->cfg.notifications_file.c_str(),
      p->cfg.data_dir.c_str(),
      p->store_exists ? "format and master key checked" : "created on first start");
  return kExitOk;
}

int Serve(const ServeArgs& a) {
  // Signals go to the thread that waits for them, never to the server's, the writer's or
  // RocksDB's threads: block them before any thread starts, which opening a store (even a
  // read-only view of it) does.
  sigset_t signals;
  sigemptyset(&signals);
  for (int s : {SIGTERM, SIGINT, SIGHUP}) sigaddset(&signals, s);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  std::optional<Prepared> prepared = Prepare(a, /*check_store=*/false);
  if (!prepared) return ExitCode();
  config::ServerConfig& cfg = prepared->cfg;
  std::shared_ptr<definition::DefinitionCatalog> catalog = prepared->catalog;

  adapters::SystemClock system_clock;
  std::unique_ptr<ManualClock> manual;
  if (cfg.manual_clock) {
    manual = std::make_unique<ManualClock>(prepared->clock_start.value_or(system_clock.NowMs()));
  }
  const Clock& clock = manual ? static_cast<const Clock&>(*manual) : system_clock;

  storage::StoreOptions o;
  o.dir = cfg.data_dir;
  o.master_key_path = cfg.master_key;
  o.create_if_missing = true;
  o.clock = &clock;
  o.definitions = catalog;
  auto store = storage::RocksEventStore::Open(o);
  if (!store.ok()) return Fail("serve", store.status());

  // The key of the links partners confirm by, beside the store like its master key.
  Result<auth::LinkSigner> links = auth::LinkSigner::Open(cfg.data_dir + ".link-key");
  if (!links.ok()) return Fail("serve", links.status());
  LinkBase link_base(cfg.workspace.origin);
  // A port of our choosing is known now; port 0 once the server listens.
  if (cfg.port != 0)
    link_base.Listening(cfg.tls_certificate.empty() ? "http" : "https", cfg.host, cfg.port);

  api::TokenStore tokens(cfg.tokens_file);
  if (Status st = tokens.Reload(); !st.ok()) return Fail("serve", st);

  // The key the log's checkpoints are signed with, made at the first start beside the store.
  CryptoRandom random;
  Result<audit::note::Signer> checkpoint_key = storage::LoadOrCreateCheckpointKey(
      cfg.checkpoints.key,
      cfg.checkpoints.origin.empty() ? storage::DefaultOrigin(cfg.data_dir)
                                     : cfg.checkpoints.origin,
      random);
  if (!checkpoint_key.ok()) return Fail("serve", checkpoint_key.status());

  if (cfg.demo_participants > 0 && (*store)->Head().position == 0) {
    if (Status st = SeedDemo(**store, cfg, *catalog); !st.ok()) return Fail("serve", st);
    spdlog::info("seeded {} demo participants", cfg.demo_participants);
  }

  runtime::TimerScheduler scheduler(**store, **store, clock);
  scheduler.Start();
  // Each newer checkpoint goes to the notifications file's witnesses. Made before the signer,
  // so the signer (whose thread tells it) stops first on every way out.
  Result<std::shared_ptr<const notify::Routing>> witness_routing =
      notify::MakeRouting(prepared->notify);
  if (!witness_routing.ok()) return Fail("serve", witness_routing.status());
  notify::WitnessPublisher witnesses({store->get(), *witness_routing,
                                      audit::note::EncodeVerifier(checkpoint_key->verifier),
                                      &system_clock, nullptr});
  app::CheckpointSigner checkpoints(**store, std::move(*checkpoint_key),
                                    cfg.checkpoints.every_minutes * 60'000LL);
  spdlog::info("checkpoints: signed as {}, verifier key {}", checkpoints.origin(),
               checkpoints.VerifierKey());
  checkpoints.OnSigned([&witnesses](const StoredCheckpoint& c) { witnesses.Publish(c); });
  witnesses.Start();
  checkpoints.Start();
  // Data restricted until the ESF audit end is erased when its day is over (docs/privacy.md).
  app::RetentionSweeper retention(**store, clock);
  if (prepared->reports && !prepared->reports->audit_end.empty()) retention.Start();

  // Retries and signatures run on the wall clock, whatever clock the pathways run on.
  notify::DispatcherOptions no;
  no.UseStore(**store);
  no.catalog = catalog;
  no.clock = &system_clock;
  no.config = std::move(prepared->notify);
  for (const auto& [id, user] : cfg.users) {
    no.contact_persons[id] = {user.name, user.email, user.phone};
    if (user.role == config::Role::kTeamLead) no.team_leads[user.school].push_back(id);
  }
  no.confirm_link = [&links, &link_base](const std::string& party, const std::string& pathway,
                                         const std::string& id, TimestampMs expires) {
    const std::string base = link_base.Get();
    if (base.empty()) return std::string();
    return base + "/confirm/" + links->Sign({id, party, pathway, expires});
  };
  notify::Dispatcher notifier(std::move(no));
  if (Status st = notifier.Start(); !st.ok()) return Fail("serve", st);

  api::ApiOptions ao;
  ao.store = store->get();
  ao.catalog = catalog;
  ao.clock = &clock;
  ao.manual_clock = manual.get();
  ao.scheduler = &scheduler;
  ao.tokens = &tokens;
  ao.users = cfg.users;
  ao.schools = cfg.schools;
  ao.max_queue = cfg.queue;
  ao.backup_dir = cfg.backup_dir;
  if (prepared->reports) ao.reports = &*prepared->reports;
  ao.notifier = &notifier;
  ao.wall_clock = &system_clock;
  ao.checkpoints = &checkpoints;
  ao.witnesses = &witnesses;
  // SIGHUP and POST /v1/definitions/reload do the same.
  const std::vector<std::string> workflow_paths = cfg.workflows;
  std::atomic<std::uint64_t> reloads_applied{0};
  std::atomic<std::uint64_t> reloads_refused{0};
  auto reload = [catalog, workflow_paths, &reloads_applied, &reloads_refused](
                    std::vector<std::string>& added, std::size_t& unchanged) {
    workflows::ReloadReport r = workflows::ReloadDefinitions(*catalog, workflow_paths);
    for (const auto& d : r.added) added.push_back(d->id + " version " + std::to_string(d->version));
    unchanged = r.unchanged;
    ++(r.diagnostics.empty() ? reloads_applied : reloads_refused);
    return r.diagnostics;
  };
  ao.reload = reload;
  http::Server* server_ptr = nullptr;
  ao.extra_metrics = [&server_ptr, &reloads_applied, &reloads_refused] {
    if (server_ptr == nullptr) return std::string();
    const http::ServerStats s = server_ptr->Stats();
    return "# HELP pathways_definition_reloads_total Reloads of the definitions (SIGHUP or the "
           "API), applied or refused.\n"
           "# TYPE pathways_definition_reloads_total counter\n"
           "pathways_definition_reloads_total{result=\"applied\"} " +
           std::to_string(reloads_applied.load()) +
           "\npathways_definition_reloads_total{result=\"refused\"} " +
           std::to_string(reloads_refused.load()) +
           "\n# HELP pathways_http_connections_open Open connections.\n"
           "# TYPE pathways_http_connections_open gauge\n"
           "pathways_http_connections_open " +
           std::to_string(s.connections_open) +
           "\n# HELP pathways_http_connections_refused_total Connections refused over the cap.\n"
           "# TYPE pathways_http_connections_refused_total counter\n"
           "pathways_http_connections_refused_total " +
           std::to_string(s.connections_refused) + "\n";
  };
  api::Api api(std::move(ao));

  web::WebOptions wo;
  wo.store = store->get();
  wo.catalog = catalog;
  wo.clock = &clock;
  wo.wall_clock = &system_clock;
  wo.users = &cfg.users;
  wo.schools = &cfg.schools;
  wo.passwords_file = cfg.passwords_file;
  wo.sessions.idle_ms = cfg.workspace.idle_minutes * 60'000LL;
  wo.sessions.lifetime_ms = cfg.workspace.session_hours * 3'600'000LL;
  wo.throttle.per_user = static_cast<std::size_t>(cfg.workspace.failures_per_user);
  wo.throttle.per_address = static_cast<std::size_t>(cfg.workspace.failures_per_address);
  wo.throttle.window_ms = cfg.workspace.throttle_minutes * 60'000LL;
  wo.tls = !cfg.tls_certificate.empty();
  wo.origin = cfg.workspace.origin;
  wo.notifier = &notifier;
  wo.links = &*links;
  wo.checkpoints = &checkpoints;
  wo.witnesses = &witnesses;
  if (prepared->reports) wo.reports = &*prepared->reports;
  web::Web workspace(std::move(wo));

  http::ServerOptions so;
  so.host = cfg.host;
  so.port = cfg.port;
  so.threads = cfg.threads;
  so.max_body_bytes = cfg.body_bytes;
  so.max_header_bytes = cfg.header_bytes;
  so.read_timeout_ms = cfg.read_timeout_ms;
  so.write_timeout_ms = cfg.write_timeout_ms;
  so.idle_timeout_ms = cfg.idle_timeout_ms;
  so.max_connections = cfg.connections;
  so.certificate_file = cfg.tls_certificate;
  so.private_key_file = cfg.tls_private_key;
  http::Server server(
      so,
      [&api, &workspace](http::Request r, http::Responder done) {
        if (web::Web::Serves(r.path)) return workspace.Handle(std::move(r), std::move(done));
        api.Handle(std::move(r), std::move(done));
      },
      [&api](const http::RequestLog& l) {
        api.Observe(l.status, l.ms);
        // A signed link is a credential until it is used: never in the log.
        const std::string_view path = l.path.starts_with("/confirm/") ? "/confirm/…" : l.path;
        spdlog::info("{} {} {} {:.1f}ms {}", l.method, path, l.status, l.ms, l.remote);
      });
  if (Status st = server.Start(); !st.ok()) {
    link_base.NotListening();
    return Fail("serve", st);
  }
  server_ptr = &server;
  link_base.Listening(server.tls() ? "https" : "http", cfg.host, server.port());
  std::printf("pathways serve: listening on %s://%s:%u (store %s, %zu definition(s), clock %s)\n",
              server.tls() ? "https" : "http", cfg.host.c_str(), server.port(),
              cfg.data_dir.c_str(), catalog->All().size(), manual ? "manual" : "system");
  std::fflush(stdout);

  for (;;) {
    int sig = 0;
    if (sigwait(&signals, &sig) != 0) continue;
    if (sig == SIGHUP) {
      std::vector<std::string> added;
      std::size_t unchanged = 0;
      const std::vector<workflows::Diagnostic> problems = reload(added, unchanged);
      for (const auto& d : problems) spdlog::error("reload refused: {}", d.ToString());
      if (problems.empty()) {
        spdlog::info("reloaded: {} new definition version(s), {} unchanged", added.size(),
                     unchanged);
      }
      if (Status st = tokens.Reload(); !st.ok()) spdlog::error("tokens: {}", st.ToString());
      if (!cfg.notifications_file.empty()) {
        config::NotifyConfigResult n = LoadNotifications(cfg.notifications_file, *catalog);
        for (const auto& d : n.diagnostics)
          spdlog::error("notifications refused: {}", d.ToString());
        Status st = n.diagnostics.empty() ? notifier.Reload(std::move(n.config))
                                          : Status::InvalidArgument("kept the running file");
        if (st.ok()) {
          spdlog::info("reloaded notifications from {}", cfg.notifications_file);
        } else if (n.diagnostics.empty()) {
          spdlog::error("notifications refused: {}", st.ToString());
        }
      }
      continue;
    }
    spdlog::info("stopping: finishing requests in flight");
    break;
  }
  server.Stop();
  server.Wait(10'000);
  server_ptr = nullptr;
  scheduler.Stop();
  checkpoints.Stop();
  witnesses.Stop();
  retention.Stop();
  notifier.Stop();
  (*store)->Close();
  spdlog::info("stopped; the store is closed");
  return kExitOk;
}

}  // namespace

void AddServeCommand(Command app) {
  Command cmd = app.Sub("serve", "run the HTTP server");
  auto a = std::make_shared<ServeArgs>();
  auto check = std::make_shared<bool>(false);
  cmd.Flag("--check", *check, "check every file the server would read (as check-config) and exit");
  cmd.Add("--config", a->config, "server config file (e.g. config/pathways.yaml)").Required();
  cmd.Add("--data", a->data, "store directory (overrides the config file)");
  cmd.Add("--listen", a->listen, "HOST:PORT (overrides the config file)");
  cmd.Add("--clock", a->clock, "system or manual (overrides the config file)")
      .OneOf({"system", "manual"});
  cmd.OnRun([a, check] { ExitCode() = *check ? Check(*a) : Serve(*a); });

  Command checker =
      app.Sub("check-config",
              "check every file the server would read (config, users, definitions, notifications, "
              "templates, tokens, TLS, the store's format and master key) without starting it");
  auto c = std::make_shared<ServeArgs>();
  checker.Add("--config", c->config, "server config file").Required();
  checker.Add("--data", c->data, "store directory (overrides the config file)");
  checker.OnRun([c] { ExitCode() = Check(*c); });
}

}  // namespace pathways::cli

#pragma once
// The HTTP API under /v1 (docs/api/openapi.yaml): who may do what, JSON in and out, errors as
// RFC 9457 problem+json, commands through the store's writer, reads from the projections.
//
// Thread-safe: Handle() is called from the server's threads; commands are answered from the
// writer's.

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "adapters/api/live_feed.hpp"
#include "adapters/api/tokens.hpp"
#include "adapters/config/report_config.hpp"
#include "adapters/config/server_config.hpp"
#include "adapters/http/http_message.hpp"
#include "engine/clock.hpp"
#include "engine/definition/catalog.hpp"
#include "engine/ports/store.hpp"
#include "engine/runtime/timer_scheduler.hpp"
#include "workflows/diagnostics.hpp"

namespace pathways::app {
class CheckpointSigner;
}  // namespace pathways::app

namespace pathways::notify {
class Dispatcher;
class WitnessPublisher;
}  // namespace pathways::notify

namespace pathways::api {

struct ApiOptions {
  Store* store = nullptr;                                  // required; every port
  std::shared_ptr<definition::DefinitionCatalog> catalog;  // required
  const Clock* clock = nullptr;                            // required
  ManualClock* manual_clock = nullptr;                     // set with --clock manual
  runtime::TimerScheduler* scheduler = nullptr;            // optional
  TokenStore* tokens = nullptr;                            // required
  std::map<std::string, config::User> users;
  std::map<std::string, config::School> schools;
  std::size_t max_queue = 10'000;  // writer queue depth from which writes answer 429
  LiveFeedOptions live;            // GET /v1/live (Server-Sent Events)
  std::string backup_dir;          // POST /v1/admin/backup; empty: not offered
  // Reloads the definitions (SIGHUP does the same); diagnostics empty: done.
  std::function<std::vector<workflows::Diagnostic>(std::vector<std::string>& added,
                                                   std::size_t& unchanged)>
      reload;
  // The notification adapters (dead letters, endpoints, callbacks); null: not offered.
  notify::Dispatcher* notifier = nullptr;
  // Checks callback signatures' timestamps; null: `clock` (give the wall clock when `clock`
  // is a manual one).
  const Clock* wall_clock = nullptr;
  // The funder's indicators (GET /v1/reports/…); null: not offered. Outlives the Api.
  const config::ReportConfig* reports = nullptr;
  // The log's checkpoints signed on demand (GET and POST /v1/audit/checkpoint); null: only
  // those already kept are served, and none is signed.
  app::CheckpointSigner* checkpoints = nullptr;
  // The checkpoints' witnesses: how each stands (GET /v1/audit/witnesses) and whose
  // cosignatures are kept (POST /v1/audit/checkpoint/cosignatures); null: none.
  notify::WitnessPublisher* witnesses = nullptr;
  // Extra metrics text appended to /metrics (the server's connection counters).
  std::function<std::string()> extra_metrics;
};

class Api {
 public:
  explicit Api(ApiOptions options);
  ~Api();
  Api(const Api&) = delete;
  Api& operator=(const Api&) = delete;

  void Handle(http::Request request, http::Responder respond);
  // Every route as (method, path pattern with "{}" for each parameter): the OpenAPI test
  // checks the spec names exactly these.
  static std::vector<std::pair<std::string, std::string>> Routes();
  // Counts an answered request for /metrics.
  void Observe(int status, double ms);

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace pathways::api

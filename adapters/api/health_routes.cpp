// The routes that say how the server is: health, readiness (can it write?) and the
// Prometheus metrics of the HTTP layer, the writer and the store.

#include "adapters/api/api_impl.hpp"
#include "adapters/notify/dispatcher.hpp"

namespace pathways::api {

void Api::Impl::Health(Call& c) { c.respond(Json(200, {{"status", "ok"}})); }

void Api::Impl::Ready(Call& c) {
  const bool definitions = options.catalog && options.catalog->Newest() != nullptr;
  // Probing writability also lets a store whose disk was full resume once space is back.
  const Status writable = options.store->Writable();
  const bool writer = writable.ok() && options.store->Stats().queue_depth < options.max_queue;
  nlohmann::json body = {{"definitions_loaded", definitions},
                         {"accepting_commands", writer},
                         {"store", std::string(WriteStateName(options.store->Stats().write_state))},
                         {"head", options.store->Head().position},
                         // Degraded, not unready: streams catch up from the store meanwhile.
                         {"live_feed", !live_running      ? "off"
                                       : live.following() ? "following"
                                                          : "restarting"}};
  body["status"] = definitions && writer ? "ready" : "not ready";
  c.respond(Json(definitions && writer ? 200 : 503, body));
}

void Api::Impl::Metrics(Call& c) {
  std::string out;
  auto line = [&](const char* name, const std::string& labels, double value) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.6g", value);
    out += std::string(name) + labels + " " + buf + "\n";
  };
  // One unlabelled sample with its HELP and TYPE lines.
  auto metric = [&](const char* name, const char* type, const char* help, double value) {
    out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n";
    line(name, "", value);
  };
  const WriterStats w = options.store->Stats();
  out += "# HELP pathways_http_requests_total Requests answered, by status.\n";
  out += "# TYPE pathways_http_requests_total counter\n";
  {
    std::lock_guard lock(metrics_mu);
    for (const auto& [status, n] : by_status) {
      line("pathways_http_requests_total", "{code=\"" + std::to_string(status) + "\"}",
           static_cast<double>(n));
    }
    out += "# HELP pathways_http_request_duration_seconds Time to answer a request.\n";
    out += "# TYPE pathways_http_request_duration_seconds histogram\n";
    std::uint64_t cumulative = 0;
    for (std::size_t i = 0; i < kBucketsMs.size(); ++i) {
      cumulative += buckets[i];
      char le[32];
      std::snprintf(le, sizeof le, "%g", kBucketsMs[i] / 1000.0);
      line("pathways_http_request_duration_seconds_bucket", std::string("{le=\"") + le + "\"}",
           static_cast<double>(cumulative));
    }
    cumulative += buckets.back();
    line("pathways_http_request_duration_seconds_bucket", "{le=\"+Inf\"}",
         static_cast<double>(cumulative));
    line("pathways_http_request_duration_seconds_sum", "", latency_sum_ms / 1000.0);
    line("pathways_http_request_duration_seconds_count", "", static_cast<double>(cumulative));
  }
  metric("pathways_writer_queue_depth", "gauge", "Commands waiting for the writer.",
         static_cast<double>(w.queue_depth));
  metric("pathways_writer_batches_total", "counter", "Synced WriteBatches committed.",
         static_cast<double>(w.batches));
  metric("pathways_writer_events_total", "counter", "Events committed (events per batch: divide).",
         static_cast<double>(w.events));
  metric("pathways_writer_requests_total", "counter", "Commands and appends answered.",
         static_cast<double>(w.appends));
  metric("pathways_writer_keys_total", "counter",
         "Keys the committed batches wrote, in every column family (keys per event: divide).",
         static_cast<double>(w.keys));
  metric("pathways_writer_bytes_total", "counter", "Bytes the committed batches wrote.",
         static_cast<double>(w.bytes));
  metric("pathways_commands_refused_busy_total", "counter", "Writes answered 429 (queue full).",
         static_cast<double>(rejected_queue_full.load()));
  metric("pathways_store_writable", "gauge",
         "1 while the store takes writes; 0 after a failed write (see pathways_store_state).",
         w.write_state == WriteState::kWritable ? 1.0 : 0.0);
  out +=
      "# HELP pathways_store_state Whether the store takes writes: writable, full (resumes "
      "when there is space) or failed (needs a restart).\n"
      "# TYPE pathways_store_state gauge\n";
  for (WriteState s : {WriteState::kWritable, WriteState::kFull, WriteState::kFailed}) {
    line("pathways_store_state", "{state=\"" + std::string(WriteStateName(s)) + "\"}",
         w.write_state == s ? 1.0 : 0.0);
  }
  metric("pathways_store_failed_writes_total", "counter", "Synced writes the disk refused.",
         static_cast<double>(w.failed_writes));
  metric("pathways_store_resumes_total", "counter",
         "Times writing resumed after a full disk had space again.",
         static_cast<double>(w.resumes));
  metric("pathways_log_head_position", "gauge", "The last committed position.",
         static_cast<double>(options.store->Head().position));
  metric("pathways_live_streams", "gauge", "Open Server-Sent Event streams.",
         static_cast<double>(live.open_streams()));
  metric("pathways_live_events_sent_total", "counter", "Events sent on live streams.",
         static_cast<double>(live.events_sent()));
  metric("pathways_live_following", "gauge",
         "1 while the live feed reads the log live, 0 while it recovers from a failed read.",
         live_running && live.following() ? 1.0 : 0.0);
  metric("pathways_live_follower_restarts_total", "counter",
         "Times the live feed's reading of the log failed and was started again.",
         static_cast<double>(live.follower_restarts()));
  if (options.scheduler != nullptr) {
    const auto t = options.scheduler->stats();
    metric("pathways_timers_fired_total", "counter", "Timer firings committed.",
           static_cast<double>(t.fired));
  }
  if (options.notifier != nullptr) out += options.notifier->Metrics();
  if (options.extra_metrics) out += options.extra_metrics();
  http::Response r;
  r.content_type = "text/plain; version=0.0.4";
  r.body = std::move(out);
  c.respond(std::move(r));
}

}  // namespace pathways::api

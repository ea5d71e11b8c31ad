// The dispatcher: starts one adapter per set of channels (dispatcher_adapter.cpp), reloads
// their routing, and answers for them: figures, metrics, dead letters, replays and endpoints.
// Routing (routing.cpp), endpoint health (endpoint_health.cpp) and the ledger
// (delivery_ledger.cpp) are files of their own.

#include "adapters/notify/dispatcher.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "adapters/notify/dispatcher_adapter.hpp"
#include "engine/codec/event_json.hpp"

namespace pathways::notify {

Dispatcher::Adapter* Dispatcher::Shared::AdapterFor(Channel c) const {
  for (Adapter* a : adapters) {
    if (a->Handles(c)) return a;
  }
  return nullptr;
}

// ---- the dispatcher ----

Dispatcher::Dispatcher(DispatcherOptions options)
    : shared_(std::make_unique<Shared>(std::move(options))) {
  // The number of workers is fixed while the dispatcher runs; a reload keeps it.
  const std::size_t webhook_workers = static_cast<std::size_t>(shared_->routing()->config.workers);
  adapters_.push_back(std::make_unique<Adapter>(*shared_, "webhook", std::vector{Channel::kWebhook},
                                                webhook_workers));
  adapters_.push_back(std::make_unique<Adapter>(*shared_, "email", std::vector{Channel::kEmail},
                                                shared_->options.email_workers));
  adapters_.push_back(std::make_unique<Adapter>(*shared_, "inbox",
                                                std::vector{Channel::kInbox, Channel::kNone}, 0));
  for (auto& a : adapters_) shared_->adapters.push_back(a.get());
}

Dispatcher::~Dispatcher() { Stop(); }

Status Dispatcher::Start() {
  if (started_) return Status::Ok();
  if (!shared_->broken.ok()) return shared_->broken;
  if (Status st = shared_->health.Load(); !st.ok()) return st;
  Result<std::uint64_t> dead = shared_->ledger.CountDead();
  if (!dead.ok()) return dead.status();
  shared_->dead_letters = *dead;
  for (auto& a : adapters_) {
    if (Status st = a->Start(); !st.ok()) return st;
  }
  started_ = true;
  return Status::Ok();
}

void Dispatcher::Stop() {
  for (auto& a : adapters_) a->Stop();
  started_ = false;
}

std::vector<AdapterStats> Dispatcher::Stats() const {
  const std::uint64_t head = shared_->ledger.CommittedPosition();
  std::vector<AdapterStats> out;
  for (const auto& a : adapters_) out.push_back(a->Stats(head));
  return out;
}

std::shared_ptr<const config::NotifyConfig> Dispatcher::config() const {
  std::shared_ptr<const Routing> r = shared_->routing();
  return {r, &r->config};  // shares the snapshot's ownership
}

Status Dispatcher::Reload(config::NotifyConfig config) {
  Result<std::shared_ptr<const Routing>> r = MakeRouting(std::move(config));
  if (!r.ok()) return r.status();
  shared_->SetRouting(std::move(*r));
  // Waiting deliveries are attempted under the new file when they fall due; dead letters wait
  // for a replay (one to a party that now has a channel is routed to it).
  return Status::Ok();
}

std::uint64_t Dispatcher::DeadLetterCount() const { return shared_->dead_letters.load(); }

std::string Dispatcher::Metrics() const {
  std::string out;
  const std::vector<AdapterStats> stats = Stats();
  auto family = [&](const char* name, const char* type, const char* help,
                    std::uint64_t AdapterStats::*field) {
    out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n";
    for (const AdapterStats& s : stats) {
      out +=
          std::string(name) + "{adapter=\"" + s.adapter + "\"} " + std::to_string(s.*field) + "\n";
    }
  };
  family("pathways_notify_lag_events", "gauge", "Log events not yet routed by the adapter.",
         &AdapterStats::lag_events);
  family("pathways_notify_waiting", "gauge", "Deliveries waiting to be delivered.",
         &AdapterStats::waiting);
  family("pathways_notify_in_flight", "gauge", "Deliveries being attempted now.",
         &AdapterStats::in_flight);
  family("pathways_notify_attempts_total", "counter", "Delivery attempts since start.",
         &AdapterStats::attempts);
  family("pathways_notify_failures_total", "counter", "Failed attempts since start.",
         &AdapterStats::failures);
  family("pathways_notify_delivered_total", "counter", "Deliveries made since start.",
         &AdapterStats::delivered);
  family("pathways_notify_dead_lettered_total", "counter", "Deliveries given up on since start.",
         &AdapterStats::dead_lettered);
  const std::size_t disabled = shared_->health.DisabledCount();
  out +=
      "# HELP pathways_notify_dead_letters Dead letters waiting for a replay.\n"
      "# TYPE pathways_notify_dead_letters gauge\npathways_notify_dead_letters " +
      std::to_string(DeadLetterCount()) +
      "\n# HELP pathways_notify_endpoints_disabled Endpoints disabled.\n"
      "# TYPE pathways_notify_endpoints_disabled gauge\npathways_notify_endpoints_disabled " +
      std::to_string(disabled) + "\n";
  return out;
}

Result<DeadLetterPage> Dispatcher::DeadLetters(const std::string& after, std::size_t max) const {
  return shared_->ledger.DeadLetters(after, max);
}

Result<std::optional<Delivery>> Dispatcher::Get(std::uint64_t id) const {
  return shared_->ledger.Get(id);
}

Result<Delivery> Dispatcher::Replay(std::uint64_t id) {
  Result<Delivery> d = shared_->ledger.Revive(id, shared_->Now());
  if (!d.ok()) return d;
  --shared_->dead_letters;
  if (Adapter* a = shared_->AdapterFor(d->channel)) a->Poke(1);
  return d;
}

std::vector<EndpointView> Dispatcher::Endpoints() const {
  std::vector<EndpointView> out;
  const std::shared_ptr<const Routing> routing = shared_->routing();
  for (const auto& entry : routing->config.parties) {
    const std::string& party = entry.first;  // not a structured binding: clang 14's lambdas
    const config::PartyChannels& p = entry.second;
    auto add = [&](Channel c, std::string target) {
      EndpointView v;
      v.name = EndpointName(party, c);
      v.party = party;
      v.channel = std::string(ChannelName(c));
      v.target = std::move(target);
      v.health = shared_->health.Of(v.name);
      out.push_back(std::move(v));
    };
    if (p.webhook) add(Channel::kWebhook, p.webhook->url);
    if (p.email) {
      std::string to;
      for (const auto& a : p.email->to) to += (to.empty() ? "" : ", ") + a;
      add(Channel::kEmail, to);
    }
  }
  return out;
}

Status Dispatcher::Enable(const std::string& name) {
  bool known = false;
  for (const EndpointView& v : Endpoints()) known = known || v.name == name;
  if (!known) return Status::NotFound("no endpoint " + name + " in the notifications file");
  shared_->health.Enable(name);
  return Status::Ok();
}

bool Dispatcher::WaitIdle(std::chrono::milliseconds timeout, std::int64_t horizon_ms) const {
  const std::uint64_t head = shared_->ledger.CommittedPosition();
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    const TimestampMs until = shared_->Now() + horizon_ms;
    bool idle = true;
    for (const auto& a : adapters_) idle = idle && a->Idle(head, until);
    if (idle) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

nlohmann::json DescribeDelivery(const Delivery& d, bool with_notification) {
  const nlohmann::json& n = d.notification;
  nlohmann::json v = {{"id", d.id},
                      {"channel", ChannelName(d.channel)},
                      {"endpoint", d.endpoint},
                      {"status", DeliveryStatusName(d.status())},
                      {"attempts", d.attempts},
                      {"replays", d.replays},
                      {"created_at", codec::FormatIso8601OrEmpty(d.created_at)},
                      {"last_error", d.last_error},
                      {"notification_id", n.value("notification_id", "")},
                      {"pathway_id", n.value("pathway_id", "")},
                      {"party", n.value("party", "")},
                      {"categories", n.value("categories", nlohmann::json::array())},
                      {"because", n.value("because", "")},
                      {"position", d.position()}};
  if (d.channel == Channel::kWebhook || d.channel == Channel::kEmail) {
    v["message_id"] = MessageId(d);
  }
  if (d.dead) {
    v["dead_at"] = codec::FormatIso8601OrEmpty(d.dead_at);
  } else {
    v["next_attempt_at"] = codec::FormatIso8601OrEmpty(d.next_at);
  }
  if (with_notification) v["notification"] = n;
  return v;
}

std::string Dispatcher::WebhookId(const Delivery& d) { return MessageId(d); }

}  // namespace pathways::notify

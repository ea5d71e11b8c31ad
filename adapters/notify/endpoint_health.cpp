#include "adapters/notify/endpoint_health.hpp"

#include <spdlog/spdlog.h>

#include <optional>

#include "engine/codec/event_json.hpp"

namespace pathways::notify {
namespace {

// System stream for what the adapters tell administrators (EndpointDisabled, EndpointEnabled).
constexpr const char* kNotifyStream = "$notify";

}  // namespace

Status EndpointHealthBook::Load() {
  Result<std::vector<EndpointHealth>> kept = ledger_.Endpoints();
  if (!kept.ok()) return kept.status();
  std::lock_guard lock(mu_);
  for (auto& h : *kept) health_[h.name] = h;
  return Status::Ok();
}

bool EndpointHealthBook::Usable(const std::string& endpoint, std::string& why) const {
  std::lock_guard lock(mu_);
  auto it = health_.find(endpoint);
  if (it == health_.end() || it->second.disabled_at == 0) return true;
  why = "endpoint " + endpoint + " is disabled since " +
        codec::FormatIso8601(it->second.disabled_at) + ": " + it->second.disabled_reason;
  return false;
}

void EndpointHealthBook::Succeeded(const std::string& endpoint) {
  std::optional<EndpointHealth> changed;
  {
    std::lock_guard lock(mu_);
    EndpointHealth& h = health_[endpoint];
    h.name = endpoint;
    h.last_delivered_at = clock_.NowMs();
    if (h.failing_since != 0) {
      h.failing_since = 0;
      changed = h;
    }
  }
  if (changed) Persist(*changed);
}

void EndpointHealthBook::Failed(const Routing& r, const std::string& endpoint, bool gone,
                                const std::string& error) {
  std::optional<EndpointHealth> changed;
  bool disabled = false;
  const TimestampMs now = clock_.NowMs();
  {
    std::lock_guard lock(mu_);
    EndpointHealth& h = health_[endpoint];
    h.name = endpoint;
    if (h.disabled_at != 0) return;
    if (h.failing_since == 0) {
      h.failing_since = now;
      changed = h;
    }
    if (gone || now - h.failing_since >= r.config.disable_after.count()) {
      h.disabled_at = now;
      h.disabled_reason =
          gone ? "the receiver answered 410 Gone"
               : "failing since " + codec::FormatIso8601(h.failing_since) + ": " + error;
      changed = h;
      disabled = true;
    }
  }
  if (changed) Persist(*changed);
  if (disabled) TellAdministrators(r, *changed);
}

void EndpointHealthBook::Enable(const std::string& endpoint) {
  EndpointHealth h;
  {
    std::lock_guard lock(mu_);
    h = health_[endpoint];
    h.name = endpoint;
    h.disabled_at = 0;
    h.disabled_reason.clear();
    h.failing_since = 0;
    health_[endpoint] = h;
  }
  Persist(h);
  Record(events::EndpointEnabled{h.name}, h);
}

EndpointHealth EndpointHealthBook::Of(const std::string& endpoint) const {
  std::lock_guard lock(mu_);
  auto it = health_.find(endpoint);
  EndpointHealth h = it == health_.end() ? EndpointHealth{} : it->second;
  h.name = endpoint;
  return h;
}

std::size_t EndpointHealthBook::DisabledCount() const {
  std::lock_guard lock(mu_);
  std::size_t disabled = 0;
  for (const auto& [name, h] : health_) disabled += h.disabled_at != 0 ? 1 : 0;
  return disabled;
}

void EndpointHealthBook::Persist(const EndpointHealth& h) {
  if (Status st = ledger_.PutEndpoint(h); !st.ok()) {
    spdlog::error("notify: cannot record the health of {}: {}", h.name, st.ToString());
  }
}

void EndpointHealthBook::Record(const events::SystemEvent& event, const EndpointHealth& h) {
  const std::string type(std::visit([](const auto& e) { return e.kType; }, event));
  AppendRequest r;
  r.stream_id = kNotifyStream;
  r.participant_id = kNotifyStream;  // no participant: the stream is its own
  r.command_id = type + ":" + h.name + ":" + std::to_string(clock_.NowMs());
  r.actor = kNotifier;
  r.events.push_back(events::Encode(event));
  // Waited for: once the endpoint's state has changed, the record of it is durable.
  if (Result<AppendResult> done = log_.Append(std::move(r)); !done.ok()) {
    spdlog::error("notify: cannot record {} of {}: {}", type, h.name, done.status().ToString());
  }
}

void EndpointHealthBook::TellAdministrators(const Routing& r, const EndpointHealth& h) {
  spdlog::error("notify: endpoint {} disabled: {}", h.name, h.disabled_reason);
  Record(events::EndpointDisabled{h.name, h.disabled_reason, h.failing_since}, h);
  if (r.config.administrators.empty() || !r.config.smtp) return;
  EmailSender sender;
  for (const std::string& to : r.config.administrators) {
    EmailMessage m;
    m.to = to;
    m.subject = "Pathways: endpoint " + h.name + " er slået fra (disabled)";
    m.text = "Pathways har slået endpoint " + h.name + " fra: " + h.disabled_reason +
             ".\nNye leverancer til det går til dead letters. Slå det til igen med\n"
             "  POST /v1/admin/endpoints/" +
             h.name +
             "/enable\nog send dead letters igen med POST "
             "/v1/admin/dead-letters/{id}/replay.\n\n"
             "Pathways disabled endpoint " +
             h.name + ": " + h.disabled_reason +
             ".\nNew deliveries to it go to dead letters until it is enabled again.\n";
    m.message_id = "endpoint-" + h.name + "-" + std::to_string(h.disabled_at) + "@pathways";
    EmailResult sent = sender.Send(r.smtp, m);
    if (!sent.sent) spdlog::error("notify: cannot email {}: {}", to, sent.error);
  }
}

}  // namespace pathways::notify

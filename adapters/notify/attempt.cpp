#include "adapters/notify/attempt.hpp"

#include <algorithm>

#include "adapters/notify/payload.hpp"
#include "engine/personal_view.hpp"

namespace pathways::notify {
namespace {

std::string Text(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

Result<Payload> PayloadOf(const nlohmann::json& row, const AttemptContext& ctx) {
  std::vector<std::string> categories;
  for (const auto& c : row.value("categories", nlohmann::json::array())) {
    if (c.is_string()) categories.push_back(c.get<std::string>());
  }
  PersonalView personal;
  if (const auto scopes = PersonalScopesFor(categories); !scopes.empty()) {
    Result<PersonalView> read = ReadPersonal(ctx.log, Text(row, "pathway_id"), scopes);
    if (!read.ok()) return read.status();
    personal = std::move(*read);
  }
  auto def = DefinitionOf(ctx.catalog, row);
  const auto contact = ctx.contact_persons.find(Text(row, "contact_person"));
  return BuildPayload(row, def.get(), personal,
                      contact == ctx.contact_persons.end() ? nullptr : &contact->second);
}

Outcome Ended(Outcome::Kind kind, Delivery d, std::string detail, TimestampMs next_at = 0) {
  return Outcome{kind, std::move(d), std::move(detail), next_at, Status::Ok()};
}

Outcome Delivered(Delivery d, std::string recipients) {
  return Ended(Outcome::Kind::kDelivered, std::move(d), std::move(recipients));
}

Outcome Dead(Delivery d, std::string error) {
  return Ended(Outcome::Kind::kDead, std::move(d), std::move(error));
}

Outcome Retry(const AttemptContext& ctx, Delivery d, std::string error,
              std::optional<std::chrono::seconds> retry_after) {
  std::optional<std::chrono::milliseconds> delay = ctx.next_delay(d.attempts + 1);
  if (!delay) return Dead(std::move(d), std::move(error));
  if (retry_after) delay = std::max<std::chrono::milliseconds>(*delay, *retry_after);
  return Ended(Outcome::Kind::kRetry, std::move(d), std::move(error),
               ctx.clock.NowMs() + delay->count());
}

}  // namespace

std::string MessageId(const Delivery& d) { return "ntf_" + std::to_string(d.id); }

Delivery NewDelivery(std::uint64_t position, const nlohmann::json& row, Channel c,
                     TimestampMs now) {
  Delivery d;
  d.id = DeliveryId(position, c);
  d.channel = c;
  d.created_at = now;
  d.next_at = now;
  d.endpoint = EndpointName(Text(row, "party"), c);
  d.notification = row;
  return d;
}

Outcome AttemptRemote(Delivery d, const AttemptContext& ctx, WebhookSender& webhook,
                      EmailSender& email) {
  const Routing& r = ctx.routing;
  std::string why;
  if (!ctx.health.Usable(d.endpoint, why)) return Dead(std::move(d), why);
  const nlohmann::json& row = d.notification;
  const std::string party = Text(row, "party");
  const config::PartyChannels* pc = r.config.Find(party);
  if (d.channel == Channel::kWebhook && (pc == nullptr || !pc->webhook)) {
    return Dead(std::move(d), "party " + party + " has no webhook configured any more");
  }
  if (d.channel == Channel::kEmail && (pc == nullptr || !pc->email)) {
    return Dead(std::move(d), "party " + party + " has no email configured any more");
  }
  Result<Payload> payload = PayloadOf(row, ctx);
  if (!payload.ok()) return Retry(ctx, std::move(d), payload.status().ToString(), std::nullopt);

  if (d.channel == Channel::kWebhook) {
    WebhookMessage m;
    m.id = MessageId(d);
    m.timestamp = ctx.clock.NowMs() / 1000;
    m.body = payload->body.dump();
    DeliveryResult sent = webhook.Send(r.webhooks.at(party), m);
    d.notification["sent"] = {{"categories", payload->categories}, {"personal", payload->personal}};
    if (sent.outcome == DeliveryOutcome::kDelivered) {
      ctx.health.Succeeded(d.endpoint);
      return Delivered(std::move(d), pc->webhook->url);
    }
    ctx.health.Failed(r, d.endpoint, sent.outcome == DeliveryOutcome::kGone, sent.error);
    if (sent.outcome == DeliveryOutcome::kGone) return Dead(std::move(d), sent.error);
    return Retry(ctx, std::move(d), sent.error, sent.retry_after);
  }
  // Email: one message per address, the same Message-ID for every attempt.
  const EmailText words = r.templates.Render(*payload, pc->email->language);
  d.notification["sent"] = {{"categories", payload->categories}, {"personal", payload->personal}};
  for (const std::string& to : pc->email->to) {
    EmailMessage m;
    m.to = to;
    m.subject = words.subject;
    m.text = words.text;
    m.html = words.html;
    m.message_id = MessageId(d) + "@pathways";
    EmailResult sent = email.Send(r.smtp, m);
    if (!sent.sent) {
      ctx.health.Failed(r, d.endpoint, false, sent.error);
      if (sent.permanent) return Dead(std::move(d), sent.error);
      return Retry(ctx, std::move(d), sent.error, std::nullopt);
    }
  }
  ctx.health.Succeeded(d.endpoint);
  std::string recipients;
  for (const auto& to : pc->email->to) recipients += (recipients.empty() ? "" : ", ") + to;
  return Delivered(std::move(d), recipients);
}

// The inbox adapter's channels: no network, so attempts run in its loop.
Outcome AttemptLocal(Delivery d, const AttemptContext& ctx) {
  const Routing& r = ctx.routing;
  const nlohmann::json& row = d.notification;
  const std::string party = Text(row, "party");
  if (d.channel == Channel::kNone) {
    // Replayed once a channel was configured: route it anew.
    std::vector<Channel> now = ChannelsFor(r, ctx.catalog, row);
    if (now.size() == 1 && now[0] == Channel::kNone) {
      return Dead(std::move(d),
                  "party " + party + " has no channel in " +
                      (r.config.file.empty() ? std::string("the config") : r.config.file));
    }
    std::vector<Delivery> routed;
    for (Channel c : now) routed.push_back(NewDelivery(d.position(), row, c, ctx.clock.NowMs()));
    if (Status st = ctx.ledger.Enqueue("", 0, routed); !st.ok()) {
      return Retry(ctx, std::move(d), st.ToString(), std::nullopt);
    }
    for (Channel c : now) {
      ctx.poke(c);
    }
    return Ended(Outcome::Kind::kRerouted, std::move(d), "");
  }
  // Inbox: the configured users; `contact_person` is the user the request names (such as
  // the counsellor who raised a risk) or else the pathway's contact person.
  const config::PartyChannels* pc = r.config.Find(party);
  std::vector<std::string> wanted =
      pc == nullptr ? std::vector<std::string>{config::kContactPerson} : pc->inbox;
  std::string recipients;
  for (std::string user : wanted) {
    if (user == config::kContactPerson) {
      user = !Text(row, "user").empty() ? Text(row, "user") : Text(row, "contact_person");
    }
    if (!user.empty()) recipients += (recipients.empty() ? "" : ", ") + user;
  }
  if (recipients.empty()) {
    return Dead(std::move(d), "no one to tell: the pathway has no contact person");
  }
  d.notification["sent"] = {{"categories", row.value("categories", nlohmann::json::array())},
                            {"personal", false}};
  return Delivered(std::move(d), recipients);
}

}  // namespace pathways::notify

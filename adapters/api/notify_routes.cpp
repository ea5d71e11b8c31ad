// The notification adapters over the API: dead letters (list, inspect, replay), endpoints
// (health, enable), and signed callbacks from partner systems that become commands.

#include "adapters/api/api_impl.hpp"
#include "adapters/notify/dispatcher.hpp"
#include "adapters/notify/webhook_signature.hpp"
#include "engine/codec/event_json.hpp"

namespace pathways::api {

bool Api::Impl::NotifierReady(Call& c) {
  if (options.notifier != nullptr) return true;
  c.respond(Problem(501, "not-configured", "notifications are not running on this server"));
  return false;
}

void Api::Impl::DeadLetters(Call& c) {
  if (!NotifierReady(c)) return;
  QueryParams q(c.req);
  const std::size_t limit = q.Count("limit", 100, 1000);
  if (!q.ok()) return c.respond(q.Problem());
  const std::string* after = c.req.Query("after");
  auto page = options.notifier->DeadLetters(after == nullptr ? "" : *after, limit);
  if (!page.ok()) return c.respond(ProblemFor(page.status()));
  nlohmann::json letters = nlohmann::json::array();
  for (const auto& d : page->letters) letters.push_back(notify::DescribeDelivery(d));
  nlohmann::json body = {{"dead_letters", letters}, {"total", options.notifier->DeadLetterCount()}};
  if (!page->next.empty()) body["next"] = page->next;
  c.respond(Json(200, body));
}

void Api::Impl::GetDelivery(Call& c) {
  if (!NotifierReady(c)) return;
  const auto id = ParseUnsigned(c.params[0]);
  if (!id) return c.respond(Problem(404, "not-found", "no delivery " + c.params[0]));
  auto d = options.notifier->Get(*id);
  if (!d.ok()) return c.respond(ProblemFor(d.status()));
  if (!d->has_value()) {
    return c.respond(Problem(404, "not-found",
                             "no delivery " + c.params[0] +
                                 " is waiting or dead (delivered ones are in the pathway's "
                                 "history as NotificationDelivered)"));
  }
  c.respond(Json(200, notify::DescribeDelivery(**d, /*with_notification=*/true)));
}

void Api::Impl::ReplayDelivery(Call& c) {
  if (!NotifierReady(c)) return;
  Fields f(c.req.body, {});
  if (!f.ok()) return c.respond(f.Problem());
  const auto id = ParseUnsigned(c.params[0]);
  if (!id) return c.respond(Problem(404, "not-found", "no delivery " + c.params[0]));
  auto d = options.notifier->Replay(*id);
  if (!d.ok()) {
    if (d.status().code() == StatusCode::kFailedPrecondition) {
      return c.respond(Problem(409, "not-dead", d.status().message()));
    }
    return c.respond(ProblemFor(d.status()));
  }
  c.respond(Json(202, notify::DescribeDelivery(*d)));
}

void Api::Impl::Endpoints(Call& c) {
  if (!NotifierReady(c)) return;
  nlohmann::json list = nlohmann::json::array();
  for (const auto& e : options.notifier->Endpoints()) {
    nlohmann::json v = {
        {"name", e.name},
        {"party", e.party},
        {"channel", e.channel},
        {"target", e.target},
        {"enabled", e.health.disabled_at == 0},
        {"failing_since", codec::FormatIso8601OrEmpty(e.health.failing_since)},
        {"last_delivered_at", codec::FormatIso8601OrEmpty(e.health.last_delivered_at)}};
    if (e.health.disabled_at != 0) {
      v["disabled_at"] = codec::FormatIso8601OrEmpty(e.health.disabled_at);
      v["disabled_reason"] = e.health.disabled_reason;
    }
    list.push_back(std::move(v));
  }
  c.respond(Json(200, {{"endpoints", list}}));
}

void Api::Impl::EnableEndpoint(Call& c) {
  if (!NotifierReady(c)) return;
  Fields f(c.req.body, {});
  if (!f.ok()) return c.respond(f.Problem());
  // On the background thread: enabling waits for its record in the $notify stream.
  auto call = std::make_shared<Call>(std::move(c));
  jobs.Run([this, call] {
    if (Status st = options.notifier->Enable(call->params[0]); !st.ok()) {
      return call->respond(ProblemFor(st));
    }
    call->respond(Json(200, {{"name", call->params[0]}, {"enabled", true}}));
  });
}

// A partner's signed callback, verified like our own webhooks (Standard Webhooks), acting as
// the party: {pathway_id, trigger, payload?} fires a trigger on a pathway; {lead: {identity,
// data?, municipality?}} refers a new lead (when the notifications file gives the party
// `referrals`), registered at its school with its intake counsellor. The webhook-id is the
// command id, so a partner that retries gets the first answer again (the same pathway).
void Api::Impl::Callback(Call& c) {
  if (!NotifierReady(c)) return;
  const std::string& party = c.params[0];
  const std::shared_ptr<const config::NotifyConfig> notify_config = options.notifier->config();
  const config::PartyChannels* pc = notify_config->Find(party);
  if (pc == nullptr || !pc->inbound) {
    return c.respond(Problem(404, "not-found", "party " + party + " sends no callbacks here"));
  }
  std::vector<std::string> keys;
  for (const auto& secret : pc->inbound->secrets) {
    if (auto key = notify::ParseWebhookSecret(secret); key.ok()) keys.push_back(*key);
  }
  const std::string& id = c.req.Header("webhook-id");
  Status verified = notify::VerifyWebhook(
      keys, id, c.req.Header("webhook-timestamp"), c.req.Header("webhook-signature"), c.req.body,
      (options.wall_clock != nullptr ? options.wall_clock : options.clock)->NowMs() / 1000);
  if (id.empty() || id.size() > 200 || !verified.ok()) {
    return c.respond(
        Problem(401, "invalid-signature",
                id.empty() ? std::string("the webhook-id header is missing") : verified.message()));
  }
  const nlohmann::json body = nlohmann::json::parse(c.req.body, nullptr, false);
  if (body.is_object() && body.contains("lead")) return Referral(c, party, *pc, id);
  Fields f(c.req.body, {"pathway_id", "trigger", "payload"});
  std::string pathway = f.Text("pathway_id", true, 200);
  std::string trigger = f.Text("trigger", true, 100);
  nlohmann::json payload = f.Object("payload");
  if (!f.ok()) return c.respond(f.Problem());
  const auto& allowed = pc->inbound->triggers;
  if (std::find(allowed.begin(), allowed.end(), trigger) == allowed.end()) {
    return c.respond(
        Problem(403, "forbidden", "party " + party + " may not fire `" + trigger + "`"));
  }
  CommandRequest r;
  r.pathway_id = std::move(pathway);
  r.command_id = "callback:" + party + ":" + id;
  r.fingerprint = TokenHash(c.req.body);
  r.actor = {party, "partner"};
  r.command = runtime::FireTrigger{std::move(trigger), std::move(payload)};
  auto call = std::make_shared<Call>(std::move(c));
  options.store->ExecuteAsync(std::move(r), [call](Result<AppendResult> result) {
    if (!result.ok()) return call->respond(ProblemFor(result.status()));
    call->respond(Written(200, *result));
  });
}

// A new lead from a partner: registered as the party, with the referral source, school and
// intake counsellor its `referrals` say, then its municipality when given.
void Api::Impl::Referral(Call& c, const std::string& party, const config::PartyChannels& pc,
                         const std::string& webhook_id) {
  if (!pc.inbound->referrals) {
    return c.respond(Problem(403, "forbidden", "party " + party + " may not refer leads"));
  }
  const config::Referrals& refer = *pc.inbound->referrals;
  Fields f(c.req.body, {"lead"});
  const nlohmann::json lead = f.Object("lead");
  if (!f.ok()) return c.respond(f.Problem());
  for (const auto& [key, value] : lead.items()) {
    if (key != "identity" && key != "data" && key != "municipality") {
      return c.respond(
          Problem(400, "invalid-body",
                  "a lead has `identity`, `data` and `municipality`, not `" + key + "`"));
    }
  }
  const nlohmann::json identity = lead.value("identity", nlohmann::json::object());
  const nlohmann::json data = lead.value("data", nlohmann::json::object());
  const nlohmann::json municipality = lead.value("municipality", nlohmann::json(""));
  if (!identity.is_object() || identity.empty() || !data.is_object() || !municipality.is_string()) {
    return c.respond(Problem(400, "invalid-body",
                             "a lead needs `identity` (an object with the person's name), `data` "
                             "is an object and `municipality` a code"));
  }
  // Checked before anything is written: a bad lead registers nothing.
  const std::string code = municipality.get<std::string>();
  if (!code.empty() &&
      (code.size() != 3 || code.find_first_not_of("0123456789") != std::string::npos)) {
    return c.respond(
        Problem(400, "invalid-body", "`municipality` is a code of 3 digits (751: Aarhus)"));
  }
  const std::string seed = "callback:" + party + ":" + webhook_id;
  CommandRequest r;
  r.pathway_id = DerivedId("pw-", seed);
  r.participant_id = DerivedId("p-", seed + "\nparticipant");
  r.command_id = seed;
  r.fingerprint = TokenHash(c.req.body);
  r.actor = {party, "partner"};
  r.command = runtime::RegisterLead{refer.referral_source,
                                    data,
                                    {{PersonalScope::kIdentity, identity}},
                                    refer.contact_person,
                                    refer.school};
  auto call = std::make_shared<Call>(std::move(c));
  options.store->ExecuteAsync(
      std::move(r), [this, call, seed, party, code](Result<AppendResult> registered) {
        if (!registered.ok()) return call->respond(BodyProblemFor(registered.status()));
        auto created = [call](const AppendResult& done) {
          call->respond(Written(201, done).With("Location", "/v1/pathways/" + done.stream_id));
        };
        if (code.empty()) return created(*registered);
        CommandRequest m;
        m.pathway_id = registered->stream_id;
        m.command_id = seed + ":municipality";
        m.actor = {party, "partner"};
        m.command = runtime::RecordMunicipality{code};
        options.store->ExecuteAsync(std::move(m), [call, created](Result<AppendResult> recorded) {
          if (!recorded.ok()) return call->respond(ProblemFor(recorded.status()));
          created(*recorded);
        });
      });
}

}  // namespace pathways::api

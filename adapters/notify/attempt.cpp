#include "adapters/notify/attempt.hpp"

#include <algorithm>

#include "adapters/notify/json_fields.hpp"
#include "adapters/notify/payload.hpp"
#include "engine/personal_view.hpp"

namespace pathways::notify {
namespace {

Result<Payload> PayloadOf(const nlohmann::json& row, const AttemptContext& ctx) {
  std::vector<std::string> categories;
  for (const auto& c : row.value("categories", nlohmann::json::array())) {
    if (c.is_string()) categories.push_back(c.get<std::string>());
  }
  auto def = DefinitionOf(ctx.catalog, row);
  PersonalView personal;
  if (const auto scopes = PersonalScopesFor(categories, def.get()); !scopes.empty()) {
    Result<PersonalView> read = ReadPersonal(ctx.log, StringField(row, "pathway_id"), scopes);
    if (!read.ok()) return read.status();
    personal = std::move(*read);
  }
  const auto contact = ctx.contact_persons.find(StringField(row, "contact_person"));
  return BuildPayload(row, def.get(), personal,
                      contact == ctx.contact_persons.end() ? nullptr : &contact->second,
                      AddresseeOf(ctx.routing.config, row));
}

// The participant's identity fields (their own email and phone), read when a notice goes to
// them; NotFound when erased or restricted.
Result<nlohmann::json> ParticipantIdentity(const AttemptContext& ctx, const nlohmann::json& row) {
  Result<PersonalView> read =
      ReadPersonal(ctx.log, StringField(row, "pathway_id"), {PersonalScope::kIdentity});
  if (!read.ok()) return read.status();
  if (read->erased.count(PersonalScope::kIdentity)) {
    return Status::NotFound("the participant's identity data is erased");
  }
  if (auto until = read->restricted_until.find(PersonalScope::kIdentity);
      until != read->restricted_until.end()) {
    return Status::NotFound("the participant's identity data is restricted until " + until->second +
                            " (an erasure asked for before the ESF audit end)");
  }
  auto it = read->fields.find(PersonalScope::kIdentity);
  return it == read->fields.end() ? nlohmann::json::object() : it->second;
}

// A party that hears only with the participant's consent (`consent` in the definition, a
// yes/no sealed in the special scope, so the plain log never tells who consented): Ok when the
// answer is yes; NotFound, saying why, when it is not (or no longer readable).
Status ConsentHolds(const AttemptContext& ctx, const nlohmann::json& row,
                    const definition::Definition* def) {
  const definition::Party* party =
      def == nullptr ? nullptr : def->FindParty(StringField(row, "party"));
  if (party == nullptr || party->consent.empty()) return Status::Ok();
  Result<PersonalView> read =
      ReadPersonal(ctx.log, StringField(row, "pathway_id"), {PersonalScope::kSpecial});
  if (!read.ok()) return read.status();
  const auto sealed = read->fields.find(PersonalScope::kSpecial);
  if (sealed != read->fields.end() && sealed->second.value(party->consent, false) == true) {
    return Status::Ok();
  }
  return Status::NotFound("withheld: " + party->id +
                          " hears only with the participant's consent (" + party->consent +
                          "), and it is not given");
}

// Where an email goes: the configured addresses, with `employer`, `municipality` and
// `participant` standing for the pathway's own. `shown` is what the history records: the
// participant's own address is personal data, so it is named, never written.
struct Recipients {
  std::vector<std::string> addresses;
  std::string shown;
  std::string missing;  // why a word had no address (the delivery is dead when none is left)
};
Result<Recipients> EmailRecipients(const AttemptContext& ctx, const nlohmann::json& row,
                                   const std::string& party, const config::EmailTarget& t) {
  Recipients out;
  auto add = [&](const std::string& address, const std::string& shown) {
    out.addresses.push_back(address);
    out.shown += (out.shown.empty() ? "" : ", ") + shown;
  };
  for (const std::string& to : t.to) {
    if (to == config::kEmployerAddress) {
      const std::string email =
          StringField(row.value("employer", nlohmann::json::object()), "email");
      if (email.empty()) {
        out.missing = "the pathway has no employer recorded";
      } else {
        add(email, email);
      }
    } else if (to == config::kMunicipalityAddress) {
      const std::string code = StringField(row, "municipality");
      const auto& table = ctx.routing.config.municipalities;
      const auto m = table.find(code);
      if (code.empty()) {
        out.missing = "the pathway has no municipality recorded";
      } else if (m == table.end()) {
        out.missing = "municipality " + code + " is not in the notifications file's municipalities";
      } else if (const auto a = m->second.addresses.find(party); a == m->second.addresses.end()) {
        out.missing =
            "municipality " + code + " (" + m->second.name + ") has no address for " + party;
      } else {
        for (const std::string& address : a->second) add(address, address);
      }
    } else if (to == config::kParticipantAddress) {
      Result<nlohmann::json> identity = ParticipantIdentity(ctx, row);
      if (!identity.ok()) return identity.status();
      const std::string email = StringField(*identity, "email");
      if (email.empty()) {
        out.missing = "the participant has no email in their identity data";
      } else {
        add(email, "the participant (identity.email)");
      }
    } else {
      add(to, to);
    }
  }
  return out;
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
  d.endpoint = EndpointName(StringField(row, "party"), c);
  d.notification = row;
  return d;
}

Outcome AttemptRemote(Delivery d, const AttemptContext& ctx, WebhookSender& webhook,
                      EmailSender& email) {
  const Routing& r = ctx.routing;
  std::string why;
  if (!ctx.health.Usable(d.endpoint, why)) return Dead(std::move(d), why);
  const nlohmann::json& row = d.notification;
  const std::string party = StringField(row, "party");
  const config::PartyChannels* pc = r.config.Find(party);
  if (d.channel == Channel::kWebhook && (pc == nullptr || !pc->webhook)) {
    return Dead(std::move(d), "party " + party + " has no webhook configured any more");
  }
  if (d.channel == Channel::kEmail && (pc == nullptr || !pc->email)) {
    return Dead(std::move(d), "party " + party + " has no email configured any more");
  }
  if (Status consent = ConsentHolds(ctx, row, DefinitionOf(ctx.catalog, row).get());
      !consent.ok()) {
    return consent.code() == StatusCode::kNotFound
               ? Dead(std::move(d), consent.message())
               : Retry(ctx, std::move(d), consent.ToString(), std::nullopt);
  }
  Result<Payload> payload = PayloadOf(row, ctx);
  if (!payload.ok()) return Retry(ctx, std::move(d), payload.status().ToString(), std::nullopt);

  if (d.channel == Channel::kWebhook) {
    WebhookMessage m;
    m.id = MessageId(d);
    m.timestamp = ctx.clock.NowMs() / 1000;
    m.body = payload->body.dump();
    std::string shown = pc->webhook->url;
    if (pc->webhook->sms) {
      // A text message: the participant's phone and a few plain words, nothing more.
      Result<nlohmann::json> identity = ParticipantIdentity(ctx, row);
      if (!identity.ok()) {
        return identity.status().code() == StatusCode::kNotFound
                   ? Dead(std::move(d), identity.status().message())
                   : Retry(ctx, std::move(d), identity.status().ToString(), std::nullopt);
      }
      std::string phone = StringField(*identity, "mobile");
      if (phone.empty()) phone = StringField(*identity, "phone");
      if (phone.empty()) {
        return Dead(std::move(d), "the participant has no phone in their identity data");
      }
      m.body =
          nlohmann::json{{"to", phone}, {"text", r.templates.Render(*payload, "da").sms}}.dump();
      shown = "the participant (identity phone) via " + pc->webhook->url;
    }
    DeliveryResult sent = webhook.Send(r.webhooks.at(party), m);
    d.notification["sent"] = {{"categories", payload->categories}, {"personal", payload->personal}};
    if (sent.outcome == DeliveryOutcome::kDelivered) {
      ctx.health.Succeeded(d.endpoint);
      return Delivered(std::move(d), shown);
    }
    ctx.health.Failed(r, d.endpoint, sent.outcome == DeliveryOutcome::kGone, sent.error);
    if (sent.outcome == DeliveryOutcome::kGone) return Dead(std::move(d), sent.error);
    return Retry(ctx, std::move(d), sent.error, sent.retry_after);
  }
  // Email: one message per address, the same Message-ID for every attempt.
  Result<Recipients> to_whom = EmailRecipients(ctx, row, party, *pc->email);
  if (!to_whom.ok()) {
    return to_whom.status().code() == StatusCode::kNotFound
               ? Dead(std::move(d), to_whom.status().message())
               : Retry(ctx, std::move(d), to_whom.status().ToString(), std::nullopt);
  }
  if (to_whom->addresses.empty()) return Dead(std::move(d), to_whom->missing);
  // A party that confirms by link gets one in the email: the delivery's id is the link's, so
  // every attempt carries the same link, used once.
  nlohmann::json confirm;
  if (pc->confirm && ctx.confirm_link) {
    const TimestampMs expires = ctx.clock.NowMs() + pc->confirm->valid.count();
    const std::string url =
        ctx.confirm_link(party, StringField(row, "pathway_id"), MessageId(d), expires);
    if (!url.empty()) confirm = {{"url", url}, {"expires_at", expires}};
  }
  const EmailText words = r.templates.Render(*payload, pc->email->language, confirm);
  d.notification["sent"] = {{"categories", payload->categories}, {"personal", payload->personal}};
  for (const std::string& to : to_whom->addresses) {
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
  return Delivered(std::move(d), to_whom->shown);
}

// The inbox adapter's channels: no network, so attempts run in its loop.
Outcome AttemptLocal(Delivery d, const AttemptContext& ctx) {
  const Routing& r = ctx.routing;
  const nlohmann::json& row = d.notification;
  const std::string party = StringField(row, "party");
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
  std::string missing = "no one to tell: the pathway has no contact person";
  auto add = [&](const std::string& user) {
    if (!user.empty()) recipients += (recipients.empty() ? "" : ", ") + user;
  };
  for (const std::string& user : wanted) {
    if (user == config::kContactPerson) {
      add(!StringField(row, "user").empty() ? StringField(row, "user")
                                            : StringField(row, "contact_person"));
    } else if (user == config::kTeamLeads) {
      // The team leads of the pathway's school.
      const std::string school = StringField(row, "school");
      const auto leads = ctx.team_leads.find(school);
      if (leads == ctx.team_leads.end() || leads->second.empty()) {
        missing = "no team lead in the users file for " +
                  (school.empty() ? std::string("pathways without a school") : "school " + school);
      } else {
        for (const std::string& lead : leads->second) add(lead);
      }
    } else {
      add(user);
    }
  }
  if (recipients.empty()) return Dead(std::move(d), missing);
  d.notification["sent"] = {{"categories", row.value("categories", nlohmann::json::array())},
                            {"personal", false}};
  return Delivered(std::move(d), recipients);
}

}  // namespace pathways::notify

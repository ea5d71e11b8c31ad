// The page a partner without an account (a small employer) opens from a signed link in a
// notice's email (adapters/auth/links.hpp): the things the notifications file lets its party
// confirm that the pathway's state allows now, each a form. A confirmation is a command acting
// as the party, recorded like a signed callback, under the link's own command id: a link is
// used once. No session and no personal data: the email said whom it is about.

#include <algorithm>
#include <set>

#include "adapters/api/tokens.hpp"
#include "adapters/notify/dispatcher.hpp"
#include "adapters/web/web_impl.hpp"

namespace pathways::web {

std::optional<auth::LinkClaims> Web::Impl::OpenLink(Page& p, json& model) {
  const std::string& token = p.segments[1];
  // An expired link still names its pathway: the page says whom to ask instead.
  auth::LinkClaims expired;
  Result<auth::LinkClaims> claims = Status::InvalidArgument("no links");
  if (o.links != nullptr) claims = o.links->Verify(token, o.wall_clock->NowMs(), &expired);
  const bool known = claims.ok() || claims.status().code() == StatusCode::kFailedPrecondition;
  const auth::LinkClaims& c = claims.ok() ? *claims : expired;
  // The notifications file decides what a party may confirm, now: a party that lost its
  // `confirm` has links that no longer work.
  std::optional<config::ConfirmTarget> target;
  if (known && o.notifier != nullptr) {
    const config::PartyChannels* pc = o.notifier->config()->Find(c.party);
    if (pc != nullptr) target = pc->confirm;
  }
  Result<std::optional<runtime::PathwayState>> s = std::optional<runtime::PathwayState>();
  if (target) s = o.store->LoadPathway(c.pathway_id);
  if (!s.ok() || !s->has_value()) {
    Error(p, 404, "link_invalid", Message(p.lang, "link_invalid_text"));
    return std::nullopt;
  }
  const runtime::PathwayState& state = **s;
  auto def = o.catalog->Find(state.definition_id, state.definition_version);
  model["reference"] = state.pathway_id;
  // The employer by its own name ("Bekræft for Smedjen ApS"); other parties by their label.
  model["party"] = c.party == config::kEmployerAddress && !state.employer.name.empty()
                       ? state.employer.name
                       : (def ? LabelOf(def->parties, c.party, p.lang) : c.party);
  model["expires"] = When(c.expires_at, p.lang);
  model["action"] = "/confirm/" + token;
  if (auto u = o.users->find(state.contact_person); u != o.users->end()) {
    model["counsellor"] = {
        {"name", u->second.name}, {"phone", u->second.phone}, {"email", u->second.email}};
  }
  if (!claims.ok()) {
    model["expired"] = true;
    model["heading"] = Message(p.lang, "link_expired");
    Send(p, 410, model["heading"], RenderTemplate("confirm", model, p.lang));
    return std::nullopt;
  }
  // Used already: what was confirmed, and when.
  for (std::uint64_t from = 1; from != 0;) {
    Result<StreamPage> page = o.store->ReadStream(c.pathway_id, from, 256);
    if (!page.ok()) {
      Error(p, 503, "unavailable", Message(p.lang, "unavailable_text"));
      return std::nullopt;
    }
    for (const RecordedEvent& e : page->events) {
      if (e.command_id != c.CommandId()) continue;
      const json data = json::parse(e.data, nullptr, false);
      std::string what = Message(p.lang, "event_" + e.type);
      if (e.type == "TransitionTaken" && def && data.is_object()) {
        for (const definition::Transition& t : def->transitions) {
          if (t.trigger == data.value("trigger", "")) {
            what = TriggerLabel(*def, t, data.value("from", ""), p.lang);
            break;
          }
        }
      }
      model["used"] = {{"what", what}, {"when", When(e.occurred_at, p.lang)}};
      const bool just_now = p.req.Query("done") != nullptr;
      model["heading"] = Message(p.lang, just_now ? "link_thanks" : "link_used");
      Send(p, just_now ? 200 : 410, model["heading"], RenderTemplate("confirm", model, p.lang));
      return std::nullopt;
    }
    from = page->next_version;
  }
  // What the party may confirm that the pathway's state allows now.
  json offered = json::array();
  std::set<std::string> seen;
  if (def) {
    for (const definition::Transition& t : def->transitions) {
      if (std::find(t.from.begin(), t.from.end(), state.state) == t.from.end()) continue;
      if (std::find(target->triggers.begin(), target->triggers.end(), t.trigger) ==
          target->triggers.end()) {
        continue;
      }
      if (seen.insert(t.trigger).second) {
        offered.push_back(TriggerForm(*def, t, state.state, p.lang));
      }
    }
  }
  model["transitions"] = std::move(offered);
  model["offer"] = true;
  model["heading"] = Message(p.lang, "link_heading", {{"party", model["party"]}});
  return *claims;
}

void Web::Impl::Confirm(Page& p, bool get) {
  json model = json::object();
  std::optional<auth::LinkClaims> link = OpenLink(p, model);
  if (!link) return;
  const std::string title = model["heading"];
  if (get) return Send(p, 200, title, RenderTemplate("confirm", model, p.lang));

  const Form form(p.req.body);
  const std::string trigger = form.Text("trigger");
  bool offered = false;
  for (const json& t : model["transitions"]) offered = offered || t.value("trigger", "") == trigger;
  if (!offered) {
    model["refusal"] = Message(p.lang, "link_not_offered");
    return Send(p, 422, title, RenderTemplate("confirm", model, p.lang));
  }
  Result<std::optional<runtime::PathwayState>> s = o.store->LoadPathway(link->pathway_id);
  auto def = s.ok() && s->has_value()
                 ? o.catalog->Find((*s)->definition_id, (*s)->definition_version)
                 : nullptr;
  if (!def) return Error(p, 503, "unavailable", Message(p.lang, "unavailable_text"));
  std::string problem;
  json payload = TriggerPayload(form, *def, trigger, p.lang, problem);
  if (!problem.empty()) {
    model["refusal"] = problem;
    return Send(p, 400, title, RenderTemplate("confirm", model, p.lang));
  }
  CommandRequest r;
  r.pathway_id = link->pathway_id;
  r.command_id = link->CommandId();
  // The same form sent twice is one confirmation; another one under a used link is refused.
  r.fingerprint = api::TokenHash(trigger + "\n" + payload.dump());
  r.actor = {link->party, "partner"};
  r.command = runtime::FireTrigger{trigger, std::move(payload)};
  Result<AppendResult> done = o.store->Execute(std::move(r));
  if (done.ok()) return p.respond(Redirect("/confirm/" + p.segments[1] + "?done=1"));
  switch (done.status().code()) {
    case StatusCode::kConflict:  // used meanwhile, for something else: the page says what
      return p.respond(Redirect("/confirm/" + p.segments[1]));
    case StatusCode::kRejected:
    case StatusCode::kInvalidArgument:
      model["refusal"] = RefusalInWords(done.status().message(), def.get(), p.lang);
      return Send(p, 422, title, RenderTemplate("confirm", model, p.lang));
    default: return Error(p, 503, "unavailable", Message(p.lang, "unavailable_text"));
  }
}

}  // namespace pathways::web

// Personal data over the API: shown only to the roles that need it, and every read recorded
// as a PersonalDataViewed event (who, whose, when, which scopes, why) in the participant's
// access stream before the data leaves the server.

#include "adapters/api/api_impl.hpp"
#include "engine/event_types.hpp"
#include "engine/personal_view.hpp"

namespace pathways::api {
void Api::Impl::GetPersonal(Call& c) {
  const std::string* purpose_query = c.req.Query("purpose");
  const std::string purpose = purpose_query == nullptr ? "" : *purpose_query;
  if (purpose.size() > 200) {
    return c.respond(Problem(400, "invalid-request", "`purpose` is at most 200 bytes"));
  }
  std::optional<runtime::PathwayState> s = VisiblePathway(c, c.params[0]);
  if (!s) return;
  const std::vector<PersonalScope> allowed = app::ReadableScopes(c.user->role);
  if (allowed.empty()) {
    return c.respond(Problem(403, "forbidden", "this role sees no personal data"));
  }

  Result<PersonalView> personal = ReadPersonal(*options.store, c.params[0], allowed);
  if (!personal.ok()) return c.respond(ProblemFor(personal.status()));
  nlohmann::json body = {{"pathway_id", s->pathway_id}, {"participant_id", s->participant_id}};
  std::vector<std::string> scopes;
  for (PersonalScope scope : allowed) {
    const std::string name(PersonalScopeName(scope));
    scopes.push_back(name);
    if (personal->erased.count(scope)) {
      body[name] = {{"erased", true}};
    } else {
      auto it = personal->fields.find(scope);
      body[name] = it == personal->fields.end() ? nlohmann::json::object() : it->second;
    }
  }

  // Recorded first, answered after: no read leaves without its record.
  AppendRequest record;
  record.stream_id = AccessStreamId(s->participant_id);
  record.participant_id = s->participant_id;
  record.command_id = NewId("view-");
  record.actor = {c.user->id, std::string(config::RoleName(c.user->role))};
  record.events.push_back(
      events::Encode(events::PersonalDataViewed{s->pathway_id, scopes, purpose}));
  auto call = std::make_shared<Call>(std::move(c));
  options.store->AppendAsync(
      std::move(record), [call, body = std::move(body)](Result<AppendResult> done) mutable {
        if (!done.ok()) {
          return call->respond(Problem(
              503, "unavailable",
              "the read could not be recorded, so nothing is shown: " + done.status().message()));
        }
        body["recorded_at_position"] = done->last_position;
        call->respond(Json(200, body).With("Cache-Control", "no-store"));
      });
}

void Api::Impl::PersonalAccessLog(Call& c) {
  std::optional<runtime::PathwayState> s = VisiblePathway(c, c.params[0]);
  if (!s) return;
  auto page = options.store->ReadStream(AccessStreamId(s->participant_id), 1, 1000);
  if (!page.ok()) return c.respond(ProblemFor(page.status()));
  nlohmann::json reads = nlohmann::json::array();
  for (const RecordedEvent& e : page->events) {
    nlohmann::json view = EventView(e);
    reads.push_back({{"at", view["occurred_at"]},
                     {"by", view["actor"]},
                     {"position", e.position},
                     {"data", view["data"]}});
  }
  nlohmann::json body = {{"participant_id", s->participant_id}, {"reads", reads}};
  if (page->next_version != 0) body["more"] = true;
  c.respond(Json(200, body));
}

}  // namespace pathways::api

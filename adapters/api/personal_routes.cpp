// Personal data over the API: shown only to the roles that need it, and every read recorded
// as a PersonalDataViewed event (who, whose, when, which scopes, why) in the participant's
// access stream before the data leaves the server.

#include "adapters/api/api_impl.hpp"
#include "adapters/api/problem.hpp"
#include "adapters/app/retention.hpp"
#include "engine/codec/event_json.hpp"

namespace pathways::api {
void Api::Impl::GetPersonal(Call& c) {
  const std::string* purpose = c.req.Query("purpose");
  const config::User& user = *c.user;
  const std::string pathway = c.params[0];
  auto call = std::make_shared<Call>(std::move(c));
  workspace.ReadPersonal(
      user, pathway, purpose == nullptr ? "" : *purpose,
      [call](Result<app::Workspace::PersonalRead> read) {
        if (!read.ok()) {
          const Status& st = read.status();
          // A bad `purpose` is a bad query; a read that could not be recorded is unavailable.
          return call->respond(st.code() == StatusCode::kInvalidArgument
                                   ? Problem(400, "invalid-request", st.message())
                                   : ProblemFor(st));
        }
        nlohmann::json body = {{"pathway_id", read->pathway_id},
                               {"participant_id", read->participant_id},
                               {"recorded_at_position", read->recorded_at_position}};
        for (PersonalScope scope : read->scopes) {
          const std::string name(PersonalScopeName(scope));
          auto restricted = read->view.restricted_until.find(scope);
          auto it = read->view.fields.find(scope);
          if (read->view.erased.count(scope)) {
            body[name] = {{"erased", true}};
          } else if (restricted != read->view.restricted_until.end() &&
                     it == read->view.fields.end()) {
            body[name] = {{"restricted", true}, {"until", restricted->second}};
          } else {
            body[name] = it == read->view.fields.end() ? nlohmann::json::object() : it->second;
            // An auditor reads restricted data, and is told until when it is kept.
            if (restricted != read->view.restricted_until.end()) {
              body["restricted"][name] = restricted->second;
            }
          }
        }
        call->respond(Json(200, body).With("Cache-Control", "no-store"));
      });
}

void Api::Impl::PersonalAccessLog(Call& c) {
  std::optional<runtime::PathwayState> s = VisiblePathway(c, c.params[0]);
  if (!s) return;
  // One more than shown tells whether there are more.
  Result<std::vector<RecordedEvent>> read = workspace.PersonalReads(*c.user, c.params[0], 1001);
  if (!read.ok()) return c.respond(ProblemFor(read.status()));
  nlohmann::json reads = nlohmann::json::array();
  for (std::size_t i = 0; i < read->size() && i < 1000; ++i) {
    const RecordedEvent& e = (*read)[i];
    nlohmann::json view = EventView(e);
    reads.push_back({{"at", view["occurred_at"]},
                     {"by", view["actor"]},
                     {"position", e.position},
                     {"data", view["data"]}});
  }
  nlohmann::json body = {{"participant_id", s->participant_id}, {"reads", reads}};
  if (read->size() > 1000) body["more"] = true;
  c.respond(Json(200, body));
}

void Api::Impl::RequestErasure(Call& c) {
  Fields f(c.req.body, {"reason"});
  const std::string reason = f.Text("reason", true);
  if (!f.ok()) return c.respond(f.Problem());
  std::optional<runtime::PathwayState> s = VisiblePathway(c, c.params[0]);
  if (!s) return;
  app::ErasureRequest r;
  r.participant_id = s->participant_id;
  r.actor = app::ActorOf(*c.user);
  r.reason = reason;
  // Under an Idempotency-Key a retry finishes what the first request began.
  const std::string& key = c.req.Header("idempotency-key");
  if (key.size() > 100 ||
      !std::all_of(key.begin(), key.end(), [](char ch) { return ch > 0x20 && ch < 0x7f; })) {
    return c.respond(
        Problem(400, "invalid-request", "Idempotency-Key must be 1-100 printable characters"));
  }
  r.command_id = key.empty() ? NewId("erasure-") : "erasure:" + c.user->id + ":" + key;
  const std::string audit_end = options.reports != nullptr ? options.reports->audit_end : "";
  // Rare and administrative: done on this thread, answered once durable.
  Result<app::ErasureOutcome> done =
      app::RequestErasure(*options.store, audit_end, options.clock->NowMs(), r);
  if (!done.ok()) return c.respond(ProblemFor(done.status()));
  auto names = [](const std::vector<PersonalScope>& scopes) {
    nlohmann::json out = nlohmann::json::array();
    for (PersonalScope scope : scopes) out.push_back(PersonalScopeName(scope));
    return out;
  };
  nlohmann::json body = {{"participant_id", r.participant_id},
                         {"erased", names(done->erased)},
                         {"restricted", names(done->restricted)},
                         {"position", done->position}};
  if (!done->until.empty()) body["until"] = done->until;
  c.respond(Json(200, body));
}

void Api::Impl::Restrictions(Call& c) {
  Result<std::vector<app::Restriction>> all = app::Restrictions(*options.store);
  if (!all.ok()) return c.respond(ProblemFor(all.status()));
  nlohmann::json list = nlohmann::json::array();
  for (const app::Restriction& r : *all) {
    list.push_back({{"participant_id", r.participant_id},
                    {"scopes", r.scopes},
                    {"until", r.until},
                    {"reason", r.reason},
                    {"requested_by", r.actor.user},
                    {"requested_at", codec::FormatIso8601(r.requested_at)},
                    {"erased_at", r.erased_at ? nlohmann::json(codec::FormatIso8601(*r.erased_at))
                                              : nlohmann::json()}});
  }
  c.respond(Json(200, {{"restrictions", list}}));
}

}  // namespace pathways::api

// Personal data over the API: shown only to the roles that need it, and every read recorded
// as a PersonalDataViewed event (who, whose, when, which scopes, why) in the participant's
// access stream before the data leaves the server.

#include "adapters/api/api_impl.hpp"

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
          if (read->view.erased.count(scope)) {
            body[name] = {{"erased", true}};
          } else {
            auto it = read->view.fields.find(scope);
            body[name] = it == read->view.fields.end() ? nlohmann::json::object() : it->second;
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

}  // namespace pathways::api

// The routes of a school's team: the team lead's overview of the counsellors' load and the
// tasks that need a look, and handing a whole caseload to another counsellor.

#include "adapters/api/api_impl.hpp"
#include "engine/codec/event_json.hpp"

namespace pathways::api {

void Api::Impl::Team(Call& c) {
  const std::string* school = c.req.Query("school");
  Result<app::TeamView> team = workspace.Team(*c.user, school == nullptr ? "" : *school);
  if (!team.ok()) return c.respond(ProblemFor(team.status()));
  nlohmann::json counsellors = nlohmann::json::array();
  for (const auto& m : team->counsellors) {
    counsellors.push_back({{"id", m.id},
                           {"name", m.name},
                           {"pathways", m.pathways},
                           {"open_tasks", m.open_tasks},
                           {"overdue_tasks", m.overdue_tasks},
                           {"escalated_tasks", m.escalated_tasks}});
  }
  nlohmann::json attention = nlohmann::json::array();
  for (const InboxEntry& t : team->attention) {
    const TimestampMs due = t.task.value("due_at", TimestampMs{0});
    attention.push_back({{"pathway_id", t.pathway_id},
                         {"task_id", t.task_id},
                         {"assignee", t.task.value("assignee", "")},
                         {"kind", t.task.value("kind", "")},
                         {"title", t.task.value("title", nlohmann::json::object())},
                         {"status", t.task.value("status", "")},
                         {"due_at", due == 0 ? "" : codec::FormatIso8601(due)}});
  }
  c.respond(Json(
      200, {{"school", team->school}, {"counsellors", counsellors}, {"attention", attention}}));
}

void Api::Impl::HandOver(Call& c) {
  Fields f(c.req.body, {"to", "reason"});
  app::Handover h;
  h.from = c.params[0];
  h.to = f.Text("to", true, 200);
  h.reason = f.Text("reason", true, 1000);
  if (!f.ok()) return c.respond(f.Problem());
  const config::User& user = *c.user;
  auto call = std::make_shared<Call>(std::move(c));
  workspace.HandOver(user, std::move(h), [call](Result<app::HandoverResult> done) {
    if (!done.ok()) return call->respond(BodyProblemFor(done.status()));
    nlohmann::json failed = nlohmann::json::array();
    for (const auto& [id, why] : done->failed)
      failed.push_back({{"pathway_id", id}, {"error", why}});
    // 200 when every pathway moved; 207-like partial results are told in `failed`.
    call->respond(Json(
        200, {{"handover_id", done->handover_id}, {"moved", done->moved}, {"failed", failed}}));
  });
}

}  // namespace pathways::api

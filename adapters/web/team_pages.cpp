// The team lead's page: each counsellor's load, tasks that need a look, reassigning a task
// and handing over a whole caseload.

#include "adapters/web/web_impl.hpp"

namespace pathways::web {

// ---- the team -------------------------------------------------------------------------------

std::string Web::Impl::TeamSchool(const Page& p, const Form& form) const {
  if (!p.user->school.empty()) return p.user->school;
  if (const std::string* q = p.req.Query("school")) return *q;
  return form.Text("school");
}

void Web::Impl::TeamDone(Page& p, const Form& form, const std::string& done) {
  const std::string school = p.user->school.empty() ? "&school=" + TeamSchool(p, form) : "";
  p.respond(Redirect("/team?done=" + done + school));
}

void Web::Impl::Team(Page& p, const std::string& error, int status) {
  const Form form(p.req.method == "POST" ? p.req.body : "");
  const std::string school = TeamSchool(p, form);
  if (school.empty() && o.schools != nullptr && !o.schools->empty() &&
      app::Allowed(app::Access::kRead, *p.user) && p.user->role != Role::kCounsellor) {
    json schools = json::array();
    for (const auto& [id, sc] : *o.schools) schools.push_back({{"id", id}, {"name", sc.name}});
    return Send(p, 200, Message(p.lang, "nav_team"),
                RenderTemplate("choose_school", {{"schools", schools}}, p.lang), "/team");
  }
  Result<app::TeamView> team = workspace.Team(*p.user, school);
  if (!team.ok()) return Error(p, 404, "not_found", Message(p.lang, "not_found_text"));
  if (!HasPurpose(p)) return;
  const TimestampMs now = o.clock->NowMs();
  json members = json::array();
  json choices = json::array();
  for (const app::TeamView::Member& m : team->counsellors) {
    members.push_back({{"id", m.id},
                       {"name", m.name},
                       {"pathways", std::to_string(m.pathways)},
                       {"open", std::to_string(m.open_tasks)},
                       {"overdue", std::to_string(m.overdue_tasks)},
                       {"escalated", std::to_string(m.escalated_tasks)}});
    choices.push_back({{"id", m.id}, {"name", m.name}});
  }
  std::vector<std::string> ids;
  for (const InboxEntry& t : team->attention) ids.push_back(t.pathway_id);
  const std::map<std::string, Subject> subjects = Subjects(p, ids);
  json attention = json::array();
  for (const InboxEntry& t : team->attention) {
    const json title = t.task.value("title", json::object());
    const TimestampMs due = t.task.value("due_at", TimestampMs{0});
    const std::string assignee = t.task.value("assignee", "");
    const Subject& subject = subjects.at(t.pathway_id);
    attention.push_back({{"pathway_id", t.pathway_id},
                         {"href", subject.href},
                         {"task_id", t.task_id},
                         {"name", subject.name},
                         {"title", TitleIn(title, p.lang)},
                         {"due", due == 0 ? Message(p.lang, "none") : When(due, p.lang)},
                         {"overdue", due != 0 && due < now},
                         {"escalated", t.task.value("status", "") == "escalated"},
                         {"assignee", UserName(assignee)},
                         {"form_id", t.pathway_id + "-" + t.task_id}});
  }
  const auto sc =
      o.schools != nullptr ? o.schools->find(team->school) : decltype(o.schools->end()){};
  const std::string school_name =
      o.schools != nullptr && sc != o.schools->end() ? sc->second.name : team->school;
  const json model = {{"heading", Message(p.lang, "team_of", {{"school", school_name}})},
                      {"school", p.user->school.empty() ? team->school : ""},
                      {"csrf", p.session->csrf},
                      {"members", members},
                      {"choices", choices},
                      {"attention", attention},
                      {"has_attention", !attention.empty()},
                      {"error", error},
                      {"done", Done(p)},
                      {"cmd", app::NewId("web-")}};
  Send(p, status, model["heading"].get<std::string>(), RenderTemplate("team", model, p.lang),
       "/team");
}

void Web::Impl::Reassign(Page& p) {
  const Form form(p.req.body);
  const std::string pathway = form.Text("pathway_id");
  runtime::ReassignTask reassign{form.Text("task_id"), form.Text("to"), form.Text("reason")};
  if (reassign.reason.empty()) return Team(p, Message(p.lang, "reason_missing"), 400);
  const Status outcome = RunOn(p, form, pathway, std::move(reassign));
  if (outcome.ok()) return TeamDone(p, form, "reassign");
  if (outcome.code() == StatusCode::kNotFound) {
    return Error(p, 404, "not_found", Message(p.lang, "not_found_text"));
  }
  Team(p, outcome.message(), outcome.code() == StatusCode::kRejected ? 422 : 400);
}

void Web::Impl::HandOver(Page& p) {
  const Form form(p.req.body);
  app::Handover handover{form.Text("from"), form.Text("to"), form.Text("reason")};
  if (handover.reason.empty()) return Team(p, Message(p.lang, "reason_missing"), 400);
  std::promise<Result<app::HandoverResult>> done;
  workspace.HandOver(*p.user, handover,
                     [&done](Result<app::HandoverResult> r) { done.set_value(std::move(r)); });
  Result<app::HandoverResult> result = done.get_future().get();
  if (!result.ok()) {
    return Team(p, result.status().message(),
                result.status().code() == StatusCode::kRejected ? 422 : 400);
  }
  // Some pathways may have refused (a closed one): the handover says how many moved.
  TeamDone(p, form, result->failed.empty() ? "handover" : "handover_partly");
}

}  // namespace pathways::web

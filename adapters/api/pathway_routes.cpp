// The routes about pathways: registering leads, reading a pathway and its history, the
// commands a counsellor gives, caseloads, the task inbox and the statistics.

#include <algorithm>
#include <limits>

#include "adapters/api/api_impl.hpp"
#include "engine/codec/event_json.hpp"
#include "engine/runtime/pathway_rules.hpp"
#include "engine/runtime/processor.hpp"

namespace pathways::api {

nlohmann::json LabelJson(const definition::Label& l) { return {{"da", l.da}, {"en", l.en}}; }

nlohmann::json StateView(const runtime::PathwayState& s, const definition::Definition* def) {
  nlohmann::json state = {{"id", s.state}};
  if (def != nullptr) {
    if (const definition::State* st = def->FindState(s.state)) {
      state["label"] = LabelJson(st->label);
      state["phase"] = st->phase;
      state["terminal"] = st->terminal;
    }
  }
  return state;
}

nlohmann::json MilestonesView(const runtime::PathwayState& s) {
  nlohmann::json milestones = nlohmann::json::array();
  for (const auto& [id, at] : s.milestones)
    milestones.push_back({{"id", id}, {"reached_at", codec::FormatIso8601OrEmpty(at)}});
  return milestones;
}

nlohmann::json TasksView(const runtime::PathwayState& s, TimestampMs now) {
  nlohmann::json tasks = nlohmann::json::array();
  for (const auto& [id, t] : s.open_tasks) {
    tasks.push_back({{"id", id},
                     {"kind", t.kind},
                     {"title", {{"da", t.title_da}, {"en", t.title_en}}},
                     {"assignee", t.assignee},
                     {"due_at", codec::FormatIso8601OrEmpty(t.due_at)},
                     {"status", t.status},
                     {"overdue", t.due_at != 0 && t.due_at < now}});
  }
  return tasks;
}

nlohmann::json PathwayView(const runtime::PathwayState& s, const definition::Definition* def,
                           TimestampMs now) {
  const nlohmann::json state = StateView(s, def);
  const nlohmann::json milestones = MilestonesView(s);
  const nlohmann::json tasks = TasksView(s, now);
  nlohmann::json risks = nlohmann::json::array();
  for (const auto& [id, r] : s.open_risks) {
    risks.push_back({{"id", id},
                     {"type", r.type},
                     {"severity", r.severity},
                     {"raised_by", r.raised_by},
                     {"raised_at", codec::FormatIso8601OrEmpty(r.raised_at)}});
  }
  nlohmann::json timers = nlohmann::json::array();
  for (const auto& [id, t] : s.timers)
    timers.push_back({{"id", id}, {"due_at", codec::FormatIso8601OrEmpty(t.due_at)}});
  nlohmann::json appointments = nlohmann::json::array();
  for (const auto& [id, a] : s.appointments) {
    appointments.push_back({{"id", id},
                            {"starts_at", codec::FormatIso8601OrEmpty(a.starts_at)},
                            {"ends_at", codec::FormatIso8601OrEmpty(a.ends_at)},
                            {"place", a.place},
                            {"online", a.online},
                            {"topic", a.topic},
                            {"reminded", a.reminded}});
  }
  const nlohmann::json employer = s.employer.name.empty() ? nullptr : s.employer.ToJson();
  return {
      {"pathway_id", s.pathway_id},
      {"participant_id", s.participant_id},
      {"definition",
       {{"id", s.definition_id}, {"version", s.definition_version}, {"hash", s.definition_hash}}},
      {"version", s.version},
      {"state", state},
      {"status", runtime::StatusName(s.status)},
      {"contact_person", s.contact_person},
      {"school", s.school},
      {"employer", employer},
      {"municipality", s.municipality},
      {"appointments", appointments},
      {"consent",
       {{"information_notice", s.consent.notice_version},
        {"given", s.consent.given},
        {"channels", s.consent.channels}}},
      {"data", s.data},
      {"milestones", milestones},
      {"risks", risks},
      {"tasks", tasks},
      {"timers", timers},
      {"created_at", codec::FormatIso8601OrEmpty(s.created_at)},
      {"last_contact_at", codec::FormatIso8601OrEmpty(s.last_contact_at)}};
}

nlohmann::json EventView(const RecordedEvent& e) {
  nlohmann::json scopes = nlohmann::json::array();
  for (const SealedPersonal& p : e.personal) scopes.push_back(PersonalScopeName(p.scope));
  return {{"position", e.position},
          {"version", e.version},
          {"type", e.type},
          {"occurred_at", codec::FormatIso8601OrEmpty(e.occurred_at)},
          {"actor", {{"user", e.actor.user}, {"role", e.actor.role}}},
          {"command_id", e.command_id},
          {"definition", {{"id", e.definition.id}, {"version", e.definition.version}}},
          {"data", nlohmann::json::parse(e.data, nullptr, false)},
          {"personal_scopes", scopes}};
}

// ---- registering a lead -----------------------------------------------------------------

namespace {

// `personal` of a request body: objects by scope, `identity`, `guidance` and `special`; a
// problem if not.
std::optional<http::Response> PersonalScopes(const nlohmann::json& personal,
                                             std::map<PersonalScope, nlohmann::json>& out) {
  for (const auto& [scope_name, fields] : personal.items()) {
    std::optional<PersonalScope> scope = ParsePersonalScope(scope_name);
    if (!scope) {
      return Problem(
          400, "invalid-body",
          "`personal` holds scopes `identity`, `guidance` and `special`, not `" + scope_name + "`");
    }
    if (!fields.is_object()) {
      return Problem(400, "invalid-body", "`personal." + scope_name + "` must be an object");
    }
    out[*scope] = fields;
  }
  return std::nullopt;
}

}  // namespace

void Api::Impl::RegisterLead(Call& c) {
  Fields f(c.req.body, {"pathway_id", "participant_id", "definition", "referral_source", "data",
                        "personal", "contact_person", "school", "company"});
  app::LeadRequest lead;
  lead.pathway_id = f.Text("pathway_id", false, 200);
  lead.participant_id = f.Text("participant_id", false, 200);
  lead.definition = f.Text("definition", false, 200);
  lead.referral_source = f.Text("referral_source", true, 200);
  lead.data = f.Object("data");
  const nlohmann::json personal = f.Object("personal");
  lead.contact_person = f.Text("contact_person", false, 200);
  lead.school = f.Text("school", false, 200);
  lead.company = f.Text("company", false, 20);
  if (!f.ok()) return c.respond(f.Problem());
  if (auto problem = PersonalScopes(personal, lead.personal)) return c.respond(*problem);
  Result<CommandRequest> registered = workspace.RegisterLead(*c.user, std::move(lead));
  if (!registered.ok()) return c.respond(BodyProblemFor(registered.status()));
  CommandRequest& r = *registered;
  // Under an Idempotency-Key the ids follow from the key, so a retry names the same pathway.
  const std::string& key = c.req.Header("idempotency-key");
  const std::string seed = key.empty() ? "" : c.user->id + "\n" + key;
  if (r.pathway_id.empty()) r.pathway_id = seed.empty() ? NewId("pw-") : DerivedId("pw-", seed);
  if (r.participant_id.empty()) {
    r.participant_id = seed.empty() ? NewId("p-") : DerivedId("p-", seed + "\nparticipant");
  }
  // 201 with the pathway's id and version; the same for a retry under the same key.
  Submit(c, std::move(r), 201, [](Call& call, const AppendResult& done) {
    call.respond(Written(201, done).With("Location", "/v1/pathways/" + done.stream_id));
  });
}

// ---- reading a pathway --------------------------------------------------------------------

void Api::Impl::GetPathway(Call& c) {
  auto s = VisiblePathway(c, c.params[0]);
  if (!s) return;
  auto def = options.catalog->Find(s->definition_id, s->definition_version);
  c.respond(Json(200, PathwayView(*s, def.get(), options.clock->NowMs()))
                .With("ETag", "\"" + std::to_string(s->version) + "\""));
}

void Api::Impl::GetHistory(Call& c) {
  QueryParams q(c.req);
  const std::uint64_t from = q.Number("from", 1);
  const std::size_t limit = q.Count("limit", 100, 1000);
  if (!q.ok()) return c.respond(q.Problem());
  if (!VisiblePathway(c, c.params[0])) return;
  auto page = options.store->ReadStream(c.params[0], from, limit);
  if (!page.ok()) return c.respond(ProblemFor(page.status()));
  nlohmann::json events = nlohmann::json::array();
  for (const RecordedEvent& e : page->events) events.push_back(EventView(e));
  nlohmann::json body = {{"pathway_id", c.params[0]}, {"events", events}};
  if (page->next_version != 0) body["next_from"] = page->next_version;
  c.respond(Json(200, body));
}

void Api::Impl::GetAsOf(Call& c) {
  if (!VisiblePathway(c, c.params[0])) return;
  const std::string* at = c.req.Query("at");
  TimestampMs as_of = 0;
  if (at == nullptr || !codec::ParseIso8601(*at, as_of)) {
    return c.respond(Problem(400, "invalid-request",
                             "give `at` as an ISO 8601 time, e.g. ?at=2026-03-02T12:00:00Z"));
  }
  Result<app::AsOfView> view = workspace.AsOf(*c.user, c.params[0], as_of);
  if (!view.ok() && view.status().code() == StatusCode::kNotFound) {
    return c.respond(Problem(404, "not-found", "the pathway did not exist at " + *at));
  }
  if (!view.ok()) return c.respond(ProblemFor(view.status()));
  nlohmann::json history = nlohmann::json::array();
  for (const RecordedEvent& e : view->history) history.push_back(EventView(e));
  nlohmann::json rejections = nlohmann::json::array();
  for (const auto& r : view->rejections) {
    rejections.push_back({{"at", codec::FormatIso8601OrEmpty(r.at)},
                          {"command", r.command},
                          {"trigger", r.trigger},
                          {"actor", {{"user", r.actor.user}, {"role", r.actor.role}}},
                          {"state", r.state},
                          {"reason", r.reason}});
  }
  auto def = options.catalog->Find(view->state.definition_id, view->state.definition_version);
  c.respond(Json(200, {{"as_of", codec::FormatIso8601OrEmpty(as_of)},
                       {"pathway", PathwayView(view->state, def.get(), as_of)},
                       {"history", history},
                       {"rejections", rejections}}));
}

// ---- commands -----------------------------------------------------------------------------

void Api::Impl::FireTrigger(Call& c) {
  Fields f(c.req.body, {"payload"});
  nlohmann::json payload = f.Object("payload");
  if (!f.ok()) return c.respond(f.Problem());
  SubmitOn(c, runtime::FireTrigger{c.params[1], std::move(payload)});
}

void Api::Impl::RecordContact(Call& c) {
  Fields f(c.req.body, {"channel", "minutes", "topic", "appointment_id"});
  std::string channel = f.Text("channel", false, 50);
  const std::optional<std::int64_t> minutes = f.Integer("minutes");
  std::string topic = f.Text("topic", false, 200);
  std::string appointment = f.Text("appointment_id", false, 200);
  if (!f.ok()) return c.respond(f.Problem());
  if (minutes && (*minutes < 1 || *minutes > 24 * 60)) {
    return c.respond(
        Problem(400, "invalid-body", "`minutes` is how long the contact took: 1 to 1440"));
  }
  SubmitOn(
      c, runtime::RecordContact{std::move(channel), static_cast<std::uint32_t>(minutes.value_or(0)),
                                std::move(topic), std::move(appointment)});
}

void Api::Impl::RecordData(Call& c) {
  Fields f(c.req.body, {"fields", "personal", "reason"});
  runtime::RecordData r;
  r.fields = f.Object("fields");
  const nlohmann::json personal = f.Object("personal");
  r.reason = f.Text("reason", true, 1000);
  if (!f.ok()) return c.respond(f.Problem());
  if (auto problem = PersonalScopes(personal, r.personal)) return c.respond(*problem);
  SubmitOn(c, std::move(r));
}

void Api::Impl::RecordBarrier(Call& c) {
  Fields f(c.req.body, {"code", "note"});
  std::string code = f.Text("code", true, 100);
  std::string note = f.Text("note", false, 4000);
  if (!f.ok()) return c.respond(f.Problem());
  SubmitOn(c, runtime::RecordBarrier{std::move(code), std::move(note)});
}

void Api::Impl::RecordMissed(Call& c) {
  Fields f(c.req.body, {});
  if (!f.ok()) return c.respond(f.Problem());
  SubmitOn(c, runtime::RecordMissedAppointment{});
}

void Api::Impl::RaiseRisk(Call& c) {
  Fields f(c.req.body, {"type", "severity"});
  std::string type = f.Text("type", true, 100);
  std::string severity = f.Text("severity", false, 20);
  if (!f.ok()) return c.respond(f.Problem());
  SubmitOn(c, runtime::RaiseRisk{std::move(type), std::move(severity)});
}

void Api::Impl::ResolveRisk(Call& c) {
  Fields f(c.req.body, {"resolution"});
  std::string resolution = f.Text("resolution", false, 1000);
  if (!f.ok()) return c.respond(f.Problem());
  SubmitOn(c, runtime::ResolveRisk{c.params[1], std::move(resolution)});
}

void Api::Impl::Pause(Call& c) {
  Fields f(c.req.body, {"reason"});
  std::string reason = f.Text("reason", false, 1000);
  if (!f.ok()) return c.respond(f.Problem());
  SubmitOn(c, runtime::PausePathway{std::move(reason)});
}

void Api::Impl::Resume(Call& c) {
  Fields f(c.req.body, {});
  if (!f.ok()) return c.respond(f.Problem());
  SubmitOn(c, runtime::ResumePathway{});
}

void Api::Impl::AssignContactPerson(Call& c) {
  Fields f(c.req.body, {"user", "reason"});
  std::string user = f.Text("user", true, 200);
  std::string reason = f.Text("reason", false, 1000);
  if (!f.ok()) return c.respond(f.Problem());
  SubmitOn(c, runtime::AssignContactPerson{std::move(user), "", "", std::move(reason)});
}

bool Api::Impl::TaskCommand(Call& c, runtime::Command& command) {
  const std::string& action = c.params[2];
  const bool reassign = action == "reassign";
  Fields f(c.req.body, reassign ? std::initializer_list<const char*>{"reason", "assignee"}
                                : std::initializer_list<const char*>{"reason"});
  std::string reason = f.Text("reason", false, 1000);
  std::string assignee = reassign ? f.Text("assignee", true, 200) : "";
  if (!f.ok()) {
    c.respond(f.Problem());
    return false;
  }
  if (reassign) {
    command = runtime::ReassignTask{c.params[1], std::move(assignee), std::move(reason)};
  } else if (action == "acknowledge") {
    command = runtime::AcknowledgeTask{c.params[1]};
  } else if (action == "complete") {
    command = runtime::CompleteTask{c.params[1]};
  } else if (action == "cancel") {
    command = runtime::CancelTask{c.params[1], std::move(reason)};
  } else {
    c.respond(Problem(
        404, "not-found",
        "a task can be acknowledged, completed, cancelled or reassigned, not `" + action + "`"));
    return false;
  }
  return true;
}

void Api::Impl::TaskAction(Call& c) {
  runtime::Command command;
  if (TaskCommand(c, command)) SubmitOn(c, std::move(command));
}

void Api::Impl::Migrate(Call& c) {
  Fields f(c.req.body, {"to_version", "mapping", "dry_run"});
  const std::optional<std::int64_t> to = f.Integer("to_version");
  const nlohmann::json mapping_json = f.Object("mapping");
  const bool dry_run = f.Flag("dry_run");
  if (!f.ok()) return c.respond(f.Problem());
  if (!to || *to < 1 || *to > std::numeric_limits<std::uint32_t>::max()) {
    return c.respond(Problem(400, "invalid-body", "`to_version` (1 or more) is required"));
  }
  runtime::MigratePathway m;
  m.target_version = static_cast<std::uint32_t>(*to);
  for (const auto& [from, target] : mapping_json.items()) {
    if (!target.is_string()) {
      return c.respond(Problem(400, "invalid-body", "`mapping` maps state ids to state ids"));
    }
    m.mapping[from] = target.get<std::string>();
  }
  if (dry_run) {
    auto preview = workspace.MigrateDryRun(*c.user, c.params[0], m);
    if (!preview.ok()) return c.respond(ProblemFor(preview.status()));
    return c.respond(Json(
        200,
        {{"dry_run", true}, {"would_move", true}, {"from", preview->from}, {"to", preview->to}}));
  }
  SubmitOn(c, std::move(m));
}

// ---- caseloads, tasks, statistics ------------------------------------------------------

void Api::Impl::Caseload(Call& c) {
  app::CaseloadQuery query;
  query.counsellor = c.req.Query("counsellor");
  if (const std::string* state = c.req.Query("state")) query.state = *state;
  if (const std::string* risk = c.req.Query("risk")) query.risk = *risk;
  QueryParams q(c.req);
  query.overdue_only = q.Flag("overdue");
  query.limit = q.Count("limit", 1000, 100'000);
  if (!q.ok()) return c.respond(q.Problem());
  Result<app::CaseloadView> view = workspace.Caseload(*c.user, query);
  if (!view.ok()) return c.respond(ProblemFor(view.status()));
  nlohmann::json list = nlohmann::json::array();
  for (app::CaseloadRow& r : view->rows) {
    nlohmann::json row = std::move(r.summary);
    row["pathway_id"] = r.pathway_id;
    row["overdue_tasks"] = r.overdue_tasks;
    list.push_back(std::move(row));
  }
  c.respond(Json(200, {{"counsellor", view->counsellor}, {"pathways", list}}));
}

void Api::Impl::Tasks(Call& c) {
  Result<std::string> owner = workspace.InboxOwner(*c.user, c.req.Query("assignee"));
  if (!owner.ok()) return c.respond(ProblemFor(owner.status()));
  const std::string assignee = *owner;
  QueryParams q(c.req);
  const std::size_t limit = q.Count("limit", 1000, 100'000);
  if (!q.ok()) return c.respond(q.Problem());
  auto inbox = options.store->Inbox(assignee, limit);
  if (!inbox.ok()) {
    if (inbox.status().code() == StatusCode::kInvalidArgument) {
      return c.respond(Json(200, {{"assignee", assignee}, {"tasks", nlohmann::json::array()}}));
    }
    return c.respond(ProblemFor(inbox.status()));
  }
  const TimestampMs now = options.clock->NowMs();
  nlohmann::json list = nlohmann::json::array();
  for (const auto& t : *inbox) {
    const TimestampMs due = t.task.value("due_at", TimestampMs{0});
    list.push_back({{"pathway_id", t.pathway_id},
                    {"task_id", t.task_id},
                    {"kind", t.task.value("kind", "")},
                    {"title", t.task.value("title", nlohmann::json::object())},
                    {"status", t.task.value("status", "")},
                    {"due_at", codec::FormatIso8601OrEmpty(due)},
                    {"overdue", due != 0 && due < now}});
  }
  std::stable_sort(list.begin(), list.end(), [](const nlohmann::json& a, const nlohmann::json& b) {
    return a["due_at"].get<std::string>() < b["due_at"].get<std::string>();
  });
  c.respond(Json(200, {{"assignee", assignee}, {"tasks", list}}));
}

namespace {

nlohmann::json FiguresJson(const app::Figures& f) {
  return {{"states", f.states}, {"milestones", f.milestones}};
}

}  // namespace

// The partnership's figures with each school's, or one school's (`?school=`). Counts name no
// one, so every role that reads pathways sees every school's.
void Api::Impl::Stats(Call& c) {
  const std::string* asked = c.req.Query("school");
  auto view = workspace.Figures(*c.user, asked != nullptr ? *asked : "");
  if (!view.ok()) {
    if (view.status().code() == StatusCode::kInvalidArgument) {
      return c.respond(Problem(400, "invalid-request", view.status().message()));
    }
    return c.respond(ProblemFor(view.status()));
  }
  nlohmann::json body = FiguresJson(view->figures);
  if (!view->school.empty()) body["school"] = view->school;
  if (!view->schools.empty()) {
    body["schools"] = nlohmann::json::object();
    for (const auto& [id, f] : view->schools) {
      nlohmann::json of = FiguresJson(f);
      of["name"] = options.schools.at(id).name;
      body["schools"][id] = std::move(of);
    }
  }
  if (const auto& t = view->target) {
    body["target"] = {
        {"definition", t->definition},
        {"milestone", t->milestone},
        {"count", t->count},
        {"reached", t->reached},
        {"progress",
         t->count == 0 ? 0.0 : static_cast<double>(t->reached) / static_cast<double>(t->count)}};
  }
  c.respond(Json(200, body));
}

}  // namespace pathways::api

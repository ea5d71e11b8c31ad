// The counsellor's pages: "Mine deltagere" (the caseload), the participant page with the
// actions its state offers, "Mine opgaver" with its live updates, "Mine aftaler" and "Ny
// henvendelse".

#include <algorithm>
#include <set>

#include "adapters/web/web_impl.hpp"
#include "engine/runtime/calendar.hpp"

namespace pathways::web {

// ---- a new lead -----------------------------------------------------------------------------

void Web::Impl::NewLeadForm(Page& p, const json& values, const json& errors,
                            const std::string& general, int status) {
  if (!app::Allowed(app::Access::kWrite, *p.user)) {
    return Error(p, 404, "not_found", Message(p.lang, "not_found_text"));
  }
  auto value = [&](const char* key) { return values.value(key, ""); };
  json sources = json::array();
  if (auto def = o.catalog->Newest()) {
    for (const definition::DataField& f : def->data) {
      if (f.id != "referral_source") continue;
      for (const std::string& v : f.allowed) {
        auto words = f.values.find(v);
        sources.push_back({{"value", v},
                           {"label", words == f.values.end() ? v : Pick(words->second, p.lang)},
                           {"selected", v == value("referral_source")}});
      }
    }
  }
  json schools = json::array();
  if (p.user->school.empty() && o.schools != nullptr) {
    for (const auto& [id, school] : *o.schools) {
      schools.push_back(
          {{"value", id}, {"label", school.name}, {"selected", id == value("school")}});
    }
  }
  json fields = json::object();
  for (const char* key :
       {"name", "phone", "email", "date_of_birth", "referral_source", "campaign", "school"}) {
    fields[key] = {{"value", value(key)}, {"error", errors.value(key, "")}};
  }
  json error_list = json::array();
  for (const auto& [key, text] : errors.items()) {
    error_list.push_back({{"field", "lead-" + key}, {"text", text}});
  }
  const std::string cmd = values.value("cmd", "");
  const json model = {{"csrf", p.session->csrf},
                      {"cmd", cmd.empty() ? app::NewId("lead-") : cmd},
                      {"f", fields},
                      {"sources", sources},
                      {"schools", schools},
                      {"has_schools", !schools.empty()},
                      {"errors", error_list},
                      {"has_errors", !error_list.empty()},
                      {"general", general}};
  Send(p, status, Message(p.lang, "nav_new_lead"), RenderTemplate("new_lead", model, p.lang),
       "/participants/new");
}

void Web::Impl::NewLead(Page& p) {
  if (!app::Allowed(app::Access::kWrite, *p.user)) {
    return Error(p, 404, "not_found", Message(p.lang, "not_found_text"));
  }
  const Form form(p.req.body);
  json values = json::object();
  for (const char* key : {"name", "phone", "email", "date_of_birth", "referral_source", "campaign",
                          "school", "cmd"}) {
    std::string v = form.Text(key);
    v.erase(0, v.find_first_not_of(" \t"));
    v.erase(v.find_last_not_of(" \t") + 1);
    values[key] = v;
  }
  json errors = json::object();
  auto value = [&](const char* key) { return values[key].get<std::string>(); };
  if (value("name").empty()) errors["name"] = Message(p.lang, "lead_name_missing");
  if (value("referral_source").empty()) {
    errors["referral_source"] = Message(p.lang, "lead_source_missing");
  }
  if (!value("email").empty() && value("email").find('@') == std::string::npos) {
    errors["email"] = Message(p.lang, "lead_email_wrong");
  }
  TimestampMs born = 0;
  if (!value("date_of_birth").empty() && !runtime::ParseDate(value("date_of_birth"), born)) {
    errors["date_of_birth"] = Message(p.lang, "lead_date_wrong");
  }
  if (!errors.empty()) return NewLeadForm(p, values, errors, "", 400);

  app::LeadRequest lead;
  // The form's id names the pathway: sent twice, it registers one.
  const std::string cmd =
      value("cmd").size() >= 8 && value("cmd").size() <= 64 ? value("cmd") : app::NewId("lead-");
  lead.pathway_id = "pw-" + cmd;
  lead.participant_id = "p-" + cmd;
  lead.referral_source = value("referral_source");
  if (!value("campaign").empty()) lead.data["campaign"] = value("campaign");
  json identity = {{"name", value("name")}};
  for (const char* key : {"phone", "email", "date_of_birth"}) {
    if (!value(key).empty()) identity[key] = value(key);
  }
  lead.personal[PersonalScope::kIdentity] = std::move(identity);
  lead.school = value("school");
  Result<CommandRequest> request = workspace.RegisterLead(*p.user, std::move(lead));
  Status outcome = request.status();
  if (request.ok()) {
    request->command_id = cmd;
    const std::string id = request->pathway_id;
    outcome = Run(p, std::move(*request));
    if (outcome.ok()) return p.respond(Redirect("/participants/" + id + "?done=lead"));
  }
  if (outcome.code() == StatusCode::kInvalidArgument || outcome.code() == StatusCode::kRejected ||
      outcome.code() == StatusCode::kPermissionDenied) {
    return NewLeadForm(p, values, json::object(), outcome.message(), 400);
  }
  Error(p, 503, "unavailable", Message(p.lang, "unavailable_text"));
}

// ---- appointments ---------------------------------------------------------------------------

void Web::Impl::Appointments(Page& p) {
  const std::int64_t today = runtime::DayNumber(o.clock->NowMs());
  Result<app::AppointmentsView> view = workspace.Appointments(
      *p.user, p.req.Query("counsellor"), runtime::DayStart(today), runtime::DayStart(today + 7));
  if (!view.ok()) return Error(p, 404, "not_found", Message(p.lang, "not_found_text"));
  if (!HasPurpose(p)) return;
  std::vector<std::string> ids;
  for (const auto& r : view->rows) ids.push_back(r.pathway_id);
  const std::map<std::string, std::string> names = Names(p, ids);
  json days = json::array();
  std::int64_t day = -1;
  for (const auto& r : view->rows) {
    const runtime::Appointment& a = r.appointment;
    const std::int64_t d = runtime::DayNumber(a.starts_at);
    if (d != day) {
      day = d;
      days.push_back(
          {{"day", d == today ? Message(p.lang, "today") : When(a.starts_at, p.lang, false)},
           {"appointments", json::array()}});
    }
    auto n = names.find(r.pathway_id);
    days.back()["appointments"].push_back(
        {{"pathway_id", r.pathway_id},
         {"name", n == names.end() ? Message(p.lang, "name_unknown") : n->second},
         {"time", TimeOfDay(a.starts_at, p.lang) + "–" + TimeOfDay(a.ends_at, p.lang)},
         {"place", a.place},
         {"online", a.online},
         {"topic", a.topic}});
  }
  Send(p, 200, Message(p.lang, "nav_appointments"),
       RenderTemplate("appointments", {{"days", days}}, p.lang), "/appointments");
}

// ---- tasks ----------------------------------------------------------------------------------

void Web::Impl::Tasks(Page& p) {
  Result<std::string> owner = workspace.InboxOwner(*p.user, nullptr);
  if (!owner.ok()) return Error(p, 404, "not_found", Message(p.lang, "not_found_text"));
  if (!HasPurpose(p)) return;
  auto inbox = o.store->Inbox(*owner, 1000);
  std::vector<InboxEntry> entries;
  if (inbox.ok()) entries = std::move(*inbox);
  std::stable_sort(entries.begin(), entries.end(), [](const InboxEntry& a, const InboxEntry& b) {
    return a.task.value("due_at", TimestampMs{0}) < b.task.value("due_at", TimestampMs{0});
  });
  std::vector<std::string> ids;
  for (const InboxEntry& e : entries) ids.push_back(e.pathway_id);
  const std::map<std::string, Subject> subjects = Subjects(p, ids);
  const TimestampMs now = o.clock->NowMs();
  json rows = json::array();
  for (const InboxEntry& e : entries) {
    const json title = e.task.value("title", json::object());
    const TimestampMs due = e.task.value("due_at", TimestampMs{0});
    const Subject& subject = subjects.at(e.pathway_id);
    rows.push_back({{"href", subject.href},
                    {"name", subject.name},
                    {"title", TitleIn(title, p.lang)},
                    {"due", due == 0 ? Message(p.lang, "none") : When(due, p.lang)},
                    {"overdue", due != 0 && due < now},
                    {"escalated", e.task.value("status", "") == "escalated"}});
  }
  const json model = {
      {"tasks", rows},
      {"count_text", Message(p.lang, "tasks_count", {{"count", std::to_string(rows.size())}})}};
  const std::string list = RenderTemplate("task_list", model, p.lang);
  if (const std::string* part = p.req.Query("part"); part != nullptr && *part == "list") {
    return p.respond(Html(200, list));
  }
  Send(p, 200, Message(p.lang, "nav_tasks"), RenderTemplate("tasks", {{"list", list}}, p.lang),
       "/tasks");
}

void Web::Impl::TasksLive(Page& p) {
  // Only that something changed for this user's inbox, never what: the page asks again.
  const std::string user = p.user->id;
  auto filter = [user](const RecordedEvent& e) {
    if (e.type != "TaskCreated" && e.type != "TaskReassigned") return false;
    const json data = json::parse(e.data, nullptr, false);
    if (!data.is_object()) return false;
    return data.value("assignee", "") == user || data.value("to", "") == user ||
           data.value("from", "") == user;
  };
  auto format = [](const RecordedEvent& e) { return json{{"type", e.type}}.dump(); };
  std::shared_ptr<http::Stream> stream =
      live.Open(o.store->Head().position, std::move(filter), std::move(format));
  if (!stream) return p.respond(Html(503, "").With("Retry-After", "5"));
  http::Response r;
  r.content_type = "text/event-stream";
  r.stream = std::move(stream);
  r.With("Cache-Control", "no-store").With("X-Accel-Buffering", "no");
  p.respond(std::move(r));
}

// ---- the caseload ---------------------------------------------------------------------------

void Web::Impl::Participants(Page& p) {
  // Filters come in a POST: a name searched for stays out of the address and the logs.
  const Form form(p.req.method == "POST" ? p.req.body : "");
  const std::string q = form.Text("q");
  app::CaseloadQuery query;
  query.state = form.Text("state");
  query.overdue_only = form.Text("overdue") == "true";
  query.limit = 100'000;
  const std::string* named = p.req.Query("counsellor");
  const std::string counsellor_field = form.Text("counsellor");
  if (named == nullptr && !counsellor_field.empty()) named = &counsellor_field;
  query.counsellor = named;

  if (p.user->role != Role::kCounsellor && named == nullptr) {
    // Whose caseload? The counsellors this user oversees.
    json counsellors = json::array();
    for (const auto& [id, u] : *o.users) {
      if (u.role != Role::kCounsellor) continue;
      if (!p.user->school.empty() && u.school != p.user->school) continue;
      counsellors.push_back({{"id", id}, {"name", u.name}});
    }
    const std::string body =
        RenderTemplate("choose_counsellor", {{"counsellors", counsellors}}, p.lang);
    return Send(p, 200, Message(p.lang, "nav_participants"), body, "/participants");
  }
  Result<app::CaseloadView> view = workspace.Caseload(*p.user, query);
  if (!view.ok()) {
    if (view.status().code() == StatusCode::kPermissionDenied ||
        view.status().code() == StatusCode::kInvalidArgument) {
      return Error(p, 404, "not_found", Message(p.lang, "not_found_text"));
    }
    return Error(p, 503, "unavailable", view.status().message());
  }
  if (!HasPurpose(p)) return;

  std::vector<std::string> ids;
  for (const app::CaseloadRow& r : view->rows) ids.push_back(r.pathway_id);
  const std::map<std::string, std::string> names = Names(p, ids);
  // Overdue first, then by the next deadline, then by name.
  std::vector<const app::CaseloadRow*> rows;
  for (const app::CaseloadRow& r : view->rows) rows.push_back(&r);
  std::stable_sort(rows.begin(), rows.end(), [](const auto* a, const auto* b) {
    if ((a->overdue_tasks > 0) != (b->overdue_tasks > 0)) return a->overdue_tasks > 0;
    const TimestampMs da = a->next_due_at == 0 ? INT64_MAX : a->next_due_at;
    const TimestampMs db = b->next_due_at == 0 ? INT64_MAX : b->next_due_at;
    return da < db;
  });

  std::string needle = q;
  std::transform(needle.begin(), needle.end(), needle.begin(), ::tolower);
  json list = json::array();
  std::set<std::string> states_seen;
  for (const app::CaseloadRow* r : rows) {
    auto n = names.find(r->pathway_id);
    const std::string name = n == names.end() ? Message(p.lang, "name_unknown") : n->second;
    if (!needle.empty()) {
      std::string lower = name;
      std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
      if (lower.find(needle) == std::string::npos) continue;
    }
    Result<runtime::PathwayState> s = workspace.Pathway(*p.user, r->pathway_id);
    if (!s.ok()) continue;
    auto def = o.catalog->Find(s->definition_id, s->definition_version);
    std::string state_label = s->state;
    std::string phase;
    json risks = json::array();
    if (def) {
      for (const auto& st : def->states) {
        if (st.id == s->state) {
          state_label = Pick(st.label, p.lang);
          phase = PhaseLabel(st.phase, p.lang);
        }
      }
      for (const auto& [rid, risk] : s->open_risks) {
        risks.push_back({{"label", LabelOf(def->risks, risk.type, p.lang)},
                         {"badge", BadgeFor(risk.severity)}});
      }
    }
    list.push_back(
        {{"id", r->pathway_id},
         {"name", name},
         {"state", state_label},
         {"phase", phase},
         {"risks", risks},
         {"overdue", r->overdue_tasks > 0 ? Message(p.lang, "overdue_count",
                                                    {{"count", std::to_string(r->overdue_tasks)}})
                                          : ""},
         {"next_due",
          r->next_due_at == 0 ? Message(p.lang, "none") : When(r->next_due_at, p.lang)}});
  }

  json states = json::array();
  if (auto def = o.catalog->Newest()) {
    for (const auto& st : def->states) {
      states.push_back(
          {{"id", st.id}, {"label", Pick(st.label, p.lang)}, {"selected", st.id == query.state}});
    }
  }
  const bool own = p.user->role == Role::kCounsellor;
  std::string heading = Message(p.lang, own ? "nav_my_participants" : "nav_participants");
  if (!own) {
    auto u = o.users->find(view->counsellor);
    if (u != o.users->end()) heading = Message(p.lang, "caseload_of", {{"name", u->second.name}});
  }
  const json model = {
      {"heading", heading},
      {"csrf", p.session->csrf},
      {"counsellor_choice", own ? "" : view->counsellor},
      {"q", q},
      {"states", states},
      {"overdue", query.overdue_only},
      {"rows", list},
      {"has_rows", !list.empty()},
      {"count_text",
       Message(p.lang, "participants_count", {{"count", std::to_string(list.size())}})},
      {"empty_text", Message(p.lang, needle.empty() && query.state.empty() && !query.overdue_only
                                         ? "caseload_empty"
                                         : "caseload_none_match")}};
  Send(p, 200, heading, RenderTemplate("participants", model, p.lang), "/participants");
}

// ---- one participant ------------------------------------------------------------------------

void Web::Impl::Participant(Page& p, const std::string& id, const std::string& refusal,
                            int status) {
  Result<runtime::PathwayState> s = workspace.Pathway(*p.user, id);
  if (!s.ok()) return Error(p, 404, "not_found", Message(p.lang, "not_found_text"));
  if (!HasPurpose(p)) return;
  const std::map<std::string, std::string> names = Names(p, {id});
  auto def = o.catalog->Find(s->definition_id, s->definition_version);

  auto state_label = [&](const std::string& state) {
    return def ? LabelOf(def->states, state, p.lang) : state;
  };

  // The phases in the order the definition's states first name them.
  json phases = json::array();
  if (def) {
    std::vector<std::string> order;
    std::string current;
    // Only phases a pathway passes through: those of terminal states alone (leaving, closed)
    // are ends, not steps.
    for (const auto& st : def->states) {
      if (!st.terminal && !st.phase.empty() &&
          std::find(order.begin(), order.end(), st.phase) == order.end()) {
        order.push_back(st.phase);
      }
      if (st.id == s->state) current = st.phase;
    }
    const auto at = std::find(order.begin(), order.end(), current);
    for (auto it = order.begin(); it != order.end(); ++it) {
      const char* progress = it < at ? "done" : it == at ? "current" : "todo";
      phases.push_back({{"label", PhaseLabel(*it, p.lang)},
                        {"progress", progress},
                        {"current", it == at},
                        {"progress_text", Message(p.lang, std::string("progress_") + progress)}});
    }
  }

  const json tasks = OpenTasks(p, *s);
  json risks = json::array();
  for (const auto& [rid, r] : s->open_risks) {
    risks.push_back({{"id", rid},
                     {"label", def ? LabelOf(def->risks, r.type, p.lang) : r.type},
                     {"severity", Message(p.lang, "severity_" + r.severity)},
                     {"badge", BadgeFor(r.severity)},
                     {"raised_at", When(r.raised_at, p.lang)}});
  }

  Result<json> timeline = Timeline(p, id, def.get());
  if (!timeline.ok()) return Error(p, 503, "unavailable", timeline.status().message());

  auto name = names.find(id);
  const std::string school = o.schools != nullptr && o.schools->count(s->school)
                                 ? o.schools->at(s->school).name
                                 : s->school;
  const json model = {
      {"name", name == names.end() ? Message(p.lang, "name_unknown") : name->second},
      {"state", state_label(s->state)},
      {"status", Message(p.lang, "status_" + std::string(runtime::StatusName(s->status)))},
      {"contact_person", UserName(s->contact_person)},
      {"school", school},
      {"definition", def ? Pick(def->title, p.lang) + " (" + std::to_string(def->version) + ")"
                         : s->definition_id},
      {"phases", phases},
      {"tasks", tasks},
      {"has_tasks", !tasks.empty()},
      {"risks", risks},
      {"has_risks", !risks.empty()},
      {"timeline", *timeline}};
  json appointments = json::array();
  for (const auto& [aid, a] : s->appointments) {
    int y = 0;
    int mo = 0;
    int d = 0;
    runtime::CivilFromDays(runtime::DayNumber(a.starts_at), y, mo, d);
    appointments.push_back({{"id", aid},
                            {"when", When(a.starts_at, p.lang)},
                            {"place", a.place},
                            {"topic", a.topic},
                            {"online", a.online},
                            {"date", std::to_string(y) + "-" + Two(mo) + "-" + Two(d)},
                            {"starts", TimeOfDay(a.starts_at, Lang::kEn)},  // HH:MM for inputs
                            {"ends", TimeOfDay(a.ends_at, Lang::kEn)},
                            {"cmd", app::NewId("web-")}});
  }
  json full = model;
  full["appointments"] = appointments;
  full["has_appointments"] = !appointments.empty();
  full["actions"] = Actions(p, *s, def.get());
  full["refusal"] = refusal;
  full["csrf"] = p.session->csrf;
  full["pathway_id"] = id;
  full["can_audit"] = app::Allowed(app::Access::kAudit, *p.user);
  if (!s->employer.name.empty()) full["employer"] = s->employer.ToJson();
  if (refusal.empty()) full["done"] = Done(p);
  Send(p, status, model["name"].get<std::string>(), RenderTemplate("participant", full, p.lang),
       "/participants");
}

json Web::Impl::OpenTasks(const Page& p, const runtime::PathwayState& s) const {
  const TimestampMs now = o.clock->NowMs();
  json tasks = json::array();
  for (const auto& [tid, t] : s.open_tasks) {
    tasks.push_back(
        {{"id", tid},
         {"acknowledged", t.status == "acknowledged"},
         {"title", p.lang == Lang::kEn && !t.title_en.empty() ? t.title_en : t.title_da},
         {"due", t.due_at == 0 ? Message(p.lang, "none") : When(t.due_at, p.lang)},
         {"overdue", t.due_at != 0 && t.due_at < now},
         {"assignee", UserName(t.assignee)}});
  }
  return tasks;
}

json Web::Impl::Actions(const Page& p, const runtime::PathwayState& s,
                        const definition::Definition* def) const {
  json out = {{"contact_channels", json::array()},
              {"transitions", json::array()},
              {"risk_types", json::array()},
              {"barriers", json::array()},
              {"can_write", false}};
  if (!app::Allowed(app::Access::kWrite, *p.user) || s.status == runtime::PathwayStatus::kClosed) {
    return out;
  }
  out["can_write"] = true;
  for (const char* channel : {"meeting", "phone", "email", "sms", "video"}) {
    out["contact_channels"].push_back(
        {{"id", channel},
         {"label", Message(p.lang, std::string("channel_") + channel)},
         {"checked", std::string_view(channel) == "meeting"}});
  }
  out["cmd_contact"] = app::NewId("web-");
  out["cmd_risk"] = app::NewId("web-");
  out["cmd_barrier"] = app::NewId("web-");
  out["cmd_employer"] = app::NewId("web-");
  out["cmd_book"] = app::NewId("web-");
  if (def == nullptr) return out;
  out["transitions"] = OfferedTriggers(*def, s.state, p.lang);
  for (const definition::RiskType& r : def->risks) {
    out["risk_types"].push_back({{"id", r.id}, {"label", Pick(r.label, p.lang)}});
  }
  for (const definition::Barrier& b : def->barriers) {
    out["barriers"].push_back({{"id", b.id}, {"label", Pick(b.label, p.lang)}});
  }
  return out;
}

void Web::Impl::Act(Page& p, const std::string& id) {
  const Form form(p.req.body);
  const std::string act = form.Text("act");
  Result<runtime::PathwayState> s = workspace.Pathway(*p.user, id);
  if (!s.ok()) return Error(p, 404, "not_found", Message(p.lang, "not_found_text"));
  runtime::Command command;
  if (act == "contact") {
    command = runtime::RecordContact{form.Text("channel"), 0, form.Text("topic"), ""};
  } else if (act == "trigger") {
    auto def = o.catalog->Find(s->definition_id, s->definition_version);
    if (!def) return Error(p, 503, "unavailable", Message(p.lang, "unavailable_text"));
    std::string problem;
    json payload = TriggerPayload(form, *def, form.Text("trigger"), p.lang, problem);
    if (!problem.empty()) return Participant(p, id, problem, 400);
    command = runtime::FireTrigger{form.Text("trigger"), std::move(payload)};
  } else if (act == "risk") {
    command = runtime::RaiseRisk{form.Text("type"), ""};
  } else if (act == "resolve") {
    command = runtime::ResolveRisk{form.Text("risk_id"), form.Text("resolution")};
  } else if (act == "acknowledge") {
    command = runtime::AcknowledgeTask{form.Text("task_id")};
  } else if (act == "complete") {
    command = runtime::CompleteTask{form.Text("task_id")};
  } else if (act == "book" || act == "move") {
    TimestampMs starts = 0;
    TimestampMs ends = 0;
    const std::string date = form.Text("date");
    if (!app::ParseMeetingTime(date + "T" + form.Text("starts"), starts) ||
        !app::ParseMeetingTime(date + "T" + form.Text("ends"), ends)) {
      return Participant(p, id, Message(p.lang, "appointment_time_wrong"), 400);
    }
    if (act == "book") {
      command = runtime::BookAppointment{
          app::NewId("m-"),  starts, ends, form.Text("place"), form.Text("online") == "true",
          form.Text("topic")};
    } else {
      command = runtime::MoveAppointment{form.Text("appointment_id"),
                                         starts,
                                         ends,
                                         form.Text("place"),
                                         form.Text("online") == "true",
                                         form.Text("reason")};
    }
  } else if (act == "cancel") {
    command = runtime::CancelAppointment{form.Text("appointment_id"), form.Text("reason")};
  } else if (act == "barrier") {
    command = runtime::RecordBarrier{form.Text("code"), form.Text("note")};
  } else if (act == "employer") {
    command = runtime::RecordEmployer{form.Text("name"),
                                      form.Text("cvr"),
                                      form.Text("contact"),
                                      form.Text("email"),
                                      form.Text("phone"),
                                      form.Text("sme") == "true",
                                      ""};
  } else {
    return Error(p, 404, "not_found", Message(p.lang, "not_found_text"));
  }
  const Status outcome = RunOn(p, form, id, std::move(command));
  if (outcome.ok()) return p.respond(Redirect("/participants/" + id + "?done=" + act));
  switch (outcome.code()) {
    case StatusCode::kNotFound:
      return Error(p, 404, "not_found", Message(p.lang, "not_found_text"));
    case StatusCode::kRejected: {
      auto def = o.catalog->Find(s->definition_id, s->definition_version);
      return Participant(p, id, RefusalInWords(outcome.message(), def.get(), p.lang), 422);
    }
    case StatusCode::kInvalidArgument:
    case StatusCode::kPermissionDenied:
    case StatusCode::kConflict: return Participant(p, id, outcome.message(), 400);
    default: return Error(p, 503, "unavailable", Message(p.lang, "unavailable_text"));
  }
}

}  // namespace pathways::web

// One company's page (docs/companies.md, "The workspace"): the record, its stage as the
// dialogue's steps, its contact persons read for the session's purpose, the contacts and
// their notes, the needs, the employees on a pathway, the tasks and the history; and the forms
// that keep it.

#include <algorithm>
#include <future>

#include "adapters/web/web_impl.hpp"
#include "engine/runtime/calendar.hpp"
#include "engine/runtime/company.hpp"

namespace pathways::web {
namespace {

// "2027-02-03" of a time, Danish day.
std::string IsoDay(TimestampMs at) {
  int y = 0;
  int m = 0;
  int d = 0;
  runtime::CivilFromDays(runtime::DayNumber(at), y, m, d);
  return std::to_string(y) + "-" + Two(m) + "-" + Two(d);
}

// A list of words as one line: "a, b, c".
std::string Joined(const std::vector<std::string>& words) {
  std::string out;
  for (const std::string& w : words) out += (out.empty() ? "" : ", ") + w;
  return out;
}

// What was typed in a list field: items split at commas and new lines, trimmed, none empty.
std::vector<std::string> Items(const std::string& text) {
  std::vector<std::string> out;
  std::string item;
  auto flush = [&] {
    item.erase(0, item.find_first_not_of(" \t\r"));
    item.erase(item.find_last_not_of(" \t\r") + 1);
    if (!item.empty()) out.push_back(item);
    item.clear();
  };
  for (char c : text) {
    if (c == ',' || c == '\n') {
      flush();
    } else {
      item += c;
    }
  }
  flush();
  return out;
}

// A whole number typed in a form; empty is 0.
bool ParseCount(const std::string& text, std::uint32_t& out) {
  out = 0;
  if (text.empty()) return true;
  if (text.size() > 6 || text.find_first_not_of("0123456789") != std::string::npos) return false;
  out = static_cast<std::uint32_t>(std::stoul(text));
  return true;
}

}  // namespace

void Web::Impl::CompanyPage(Page& p, const std::string& cvr, const std::string& refusal,
                            int status) {
  Result<runtime::PathwayState> s = companies.Company(*p.user, cvr);
  if (!s.ok()) return Error(p, 404, "not_found", Message(p.lang, "not_found_text"));
  if (!HasPurpose(p)) return;
  const auto def = CompanyDefinitionOf(*o.catalog, &*s);
  const definition::Definition* d = def.get();
  const runtime::Company& c = s->company;
  const TimestampMs now = o.clock->NowMs();

  // The contact persons' data and the notes, read for the session's purpose (recorded first).
  auto answered = std::make_shared<std::promise<Result<app::CompanyPersonal>>>();
  auto future = answered->get_future();
  companies.ReadPersonal(
      *p.user, cvr, p.session->purpose,
      [answered](Result<app::CompanyPersonal> r) { answered->set_value(std::move(r)); });
  const Result<app::CompanyPersonal> personal = future.get();
  json identity = json::object();
  json guidance = json::object();
  if (personal.ok()) {
    const auto& fields = personal->view.fields;
    if (auto f = fields.find(PersonalScope::kIdentity); f != fields.end()) identity = f->second;
    if (auto f = fields.find(PersonalScope::kGuidance); f != fields.end()) guidance = f->second;
  }
  auto person_name = [&](const std::string& id) {
    const json sealed = identity.value("contact:" + id, json::object());
    return sealed.is_object() && sealed.contains("name") && sealed["name"].is_string()
               ? sealed["name"].get<std::string>()
               : Message(p.lang, "name_unknown");
  };

  const bool keeps = companies.Keeps(*p.user, *s) && s->status != runtime::PathwayStatus::kClosed;
  json persons = json::array();
  for (const auto& [id, person] : c.persons) {
    const json sealed = identity.value("contact:" + id, json::object());
    persons.push_back({{"id", id},
                       {"name", person_name(id)},
                       {"role", person.role},
                       {"email", sealed.is_object() ? sealed.value("email", "") : ""},
                       {"phone", sealed.is_object() ? sealed.value("phone", "") : ""},
                       {"since", When(person.since, p.lang, false)},
                       {"cmd", app::NewId("web-")},
                       {"cmd_remove", app::NewId("web-")}});
  }

  json needs = json::array();
  for (const auto& [id, need] : c.needs) {
    std::string window;
    if (!need.release_from.empty() || !need.release_to.empty()) {
      window = need.release_from + "–" + need.release_to;
    }
    needs.push_back({{"id", id},
                     {"competences", need.competences},
                     {"courses", Joined(need.amu_courses)},
                     {"staff", need.staff == 0 ? "" : std::to_string(need.staff)},
                     {"window", window},
                     {"green", Joined(GreenLabels(d, need.green, p.lang))},
                     {"recorded", When(need.recorded_at, p.lang, false)}});
  }

  // The dialogue's steps, the milestones in the definition's order: those reached done, the
  // first not reached the current one while the dialogue goes on.
  json steps = json::array();
  if (d != nullptr) {
    bool current_given = s->status != runtime::PathwayStatus::kActive;
    for (const definition::Milestone& m : d->milestones) {
      auto reached = s->milestones.find(m.id);
      const bool done = reached != s->milestones.end();
      const bool current = !done && !current_given;
      if (current) current_given = true;
      const char* progress = done ? "done" : current ? "current" : "todo";
      steps.push_back({{"label", Pick(m.label, p.lang)},
                       {"progress", progress},
                       {"current", current},
                       {"when", done ? When(reached->second, p.lang, false) : ""},
                       {"progress_text", Message(p.lang, std::string("progress_") + progress)}});
    }
  }

  // The contacts, newest first, from the log: form, day, who, with whom, topic and notes.
  json contacts = json::array();
  for (std::uint64_t from = 1; from != 0;) {
    auto page = o.store->ReadStream(s->pathway_id, from, 1000);
    if (!page.ok()) return Error(p, 503, "unavailable", Message(p.lang, "unavailable_text"));
    for (const RecordedEvent& e : page->events) {
      if (e.type != "CompanyContactRecorded") continue;
      const json data = json::parse(e.data, nullptr, false);
      if (!data.is_object()) continue;
      std::vector<std::string> staff;
      for (const auto& u : data.value("staff", json::array())) {
        if (u.is_string()) staff.push_back(UserName(u.get<std::string>()));
      }
      std::vector<std::string> met;
      for (const auto& id : data.value("persons", json::array())) {
        if (id.is_string()) met.push_back(person_name(id.get<std::string>()));
      }
      const std::string id = data.value("contact_id", "");
      const std::uint32_t minutes = data.value("minutes", 0U);
      contacts.push_back(
          {{"form", Message(p.lang, "contact_form_" + data.value("form", ""))},
           {"when", When(data.value("at", TimestampMs{0}), p.lang, false)},
           {"minutes",
            minutes == 0 ? "" : Message(p.lang, "minutes", {{"minutes", std::to_string(minutes)}})},
           {"staff", Joined(staff)},
           {"met", Joined(met)},
           {"topic", data.value("topic", "")},
           {"notes", guidance.value("notes:" + id, "")}});
    }
    from = page->next_version;
  }
  std::reverse(contacts.begin(), contacts.end());

  // The participants it employs or sent: their names only to who may read them.
  Result<std::vector<app::CompanyEmployee>> employed = companies.Employees(*p.user, cvr);
  std::vector<std::string> readable;
  const bool reads_participants = app::Allowed(app::Access::kRead, *p.user);
  if (employed.ok() && reads_participants) {
    for (const app::CompanyEmployee& e : *employed) readable.push_back(e.pathway_id);
  }
  const std::map<std::string, std::string> names = Names(p, readable);
  json employees = json::array();
  if (employed.ok()) {
    for (const app::CompanyEmployee& e : *employed) {
      auto participant_def = o.catalog->Find(e.definition_id, e.definition_version);
      auto n = names.find(e.pathway_id);
      employees.push_back(
          {{"name", n == names.end() ? "" : n->second},
           {"pathway_id", n == names.end() ? "" : e.pathway_id},
           {"state", participant_def ? LabelOf(participant_def->states, e.state, p.lang) : e.state},
           {"since", When(e.started_at, p.lang, false)},
           {"how", Message(p.lang, e.employed ? "employee_employed" : "employee_referred")}});
    }
  }

  const json tasks = OpenTasks(p, *s);

  json actions = {{"can_keep", keeps}, {"transitions", json::array()}};
  if (keeps && d != nullptr) {
    actions["transitions"] = OfferedTriggers(*d, s->state, p.lang);
    json forms = json::array();
    for (std::string_view form : runtime::kContactForms) {
      forms.push_back({{"id", form},
                       {"label", Message(p.lang, "contact_form_" + std::string(form))},
                       {"checked", form == "visit"}});
    }
    actions["forms"] = forms;
    json greens = json::array();
    for (const auto& [tag, label] : d->green_tags) {
      greens.push_back({{"value", tag}, {"label", Pick(label, p.lang)}});
    }
    actions["greens"] = greens;
    json consultants = json::array();
    for (const auto& [id, u] : *o.users) {
      if (u.role == Role::kConsultant && u.school == s->school && id != s->contact_person) {
        consultants.push_back({{"value", id}, {"label", u.name}});
      }
    }
    actions["consultants"] = consultants;
    actions["can_assign"] = p.user->role != Role::kConsultant && !consultants.empty();
    actions["today"] = IsoDay(now);
    for (const char* form : {"contact", "person", "need", "assign"}) {
      actions[std::string("cmd_") + form] = app::NewId("web-");
    }
  }

  const auto school =
      o.schools != nullptr ? o.schools->find(s->school) : decltype(o.schools->end()){};
  const std::string green = Joined(GreenLabels(d, c.green, p.lang));
  Result<json> timeline = Timeline(p, s->pathway_id, d);
  if (!timeline.ok()) return Error(p, 503, "unavailable", Message(p.lang, "unavailable_text"));
  const json model = {
      {"name", c.name},
      {"cvr", c.cvr},
      {"p_number", c.p_number},
      {"state", d != nullptr ? LabelOf(d->states, s->state, p.lang) : s->state},
      {"size_band", SizeBandLabel(c.size_band, p.lang)},
      {"sme", c.sme()},
      {"industry", IndustryLabel(d, c.industry, p.lang)},
      {"green", green.empty() ? Message(p.lang, "none") : green},
      {"municipality", s->municipality},
      {"school",
       o.schools != nullptr && school != o.schools->end() ? school->second.name : s->school},
      {"consultant",
       s->contact_person.empty() ? Message(p.lang, "none") : UserName(s->contact_person)},
      {"first_contact",
       c.first_contact_at == 0 ? Message(p.lang, "none") : When(c.first_contact_at, p.lang, false)},
      {"last_contact",
       s->last_contact_at == 0 ? Message(p.lang, "none") : When(s->last_contact_at, p.lang, false)},
      {"steps", steps},
      {"persons", persons},
      {"has_persons", !persons.empty()},
      {"personal_unread", !personal.ok()},
      {"needs", needs},
      {"has_needs", !needs.empty()},
      {"contacts", contacts},
      {"has_contacts", !contacts.empty()},
      {"employees", employees},
      {"has_employees", !employees.empty()},
      {"tasks", tasks},
      {"has_tasks", !tasks.empty()},
      {"actions", actions},
      {"timeline", *timeline},
      {"csrf", p.session->csrf},
      {"refusal", refusal},
      {"done", refusal.empty() ? Done(p) : ""}};
  Send(p, status, c.name, RenderTemplate("company", model, p.lang), "/companies");
}

void Web::Impl::CompanyAct(Page& p, const std::string& cvr) {
  const Form form(p.req.body);
  const std::string act = form.Text("act");
  Result<runtime::PathwayState> s = companies.Company(*p.user, cvr);
  if (!s.ok()) return Error(p, 404, "not_found", Message(p.lang, "not_found_text"));
  const auto def = CompanyDefinitionOf(*o.catalog, &*s);
  runtime::Command command;
  if (act == "contact") {
    TimestampMs at = 0;
    std::uint32_t minutes = 0;
    if (!runtime::ParseDate(form.Text("date"), at)) {
      return CompanyPage(p, cvr, Message(p.lang, "company_contact_date_wrong"), 400);
    }
    if (!ParseCount(form.Text("minutes"), minutes)) {
      return CompanyPage(p, cvr, Message(p.lang, "company_minutes_wrong"), 400);
    }
    command = runtime::RecordCompanyContact{
        form.Text("form"), at, minutes, {}, form.All("person"), form.Text("topic"),
        form.Text("notes")};
  } else if (act == "trigger") {
    if (def == nullptr) return Error(p, 503, "unavailable", Message(p.lang, "unavailable_text"));
    std::string problem;
    json payload = TriggerPayload(form, *def, form.Text("trigger"), p.lang, problem);
    if (!problem.empty()) return CompanyPage(p, cvr, problem, 400);
    command = runtime::FireTrigger{form.Text("trigger"), std::move(payload)};
  } else if (act == "person") {
    command =
        runtime::RecordContactPerson{form.Text("person_id"), form.Text("name"), form.Text("role"),
                                     form.Text("email"), form.Text("phone")};
  } else if (act == "remove_person") {
    command = runtime::RemoveContactPerson{form.Text("person_id"), form.Text("reason")};
  } else if (act == "need") {
    std::uint32_t staff = 0;
    if (!ParseCount(form.Text("staff"), staff)) {
      return CompanyPage(p, cvr, Message(p.lang, "company_staff_wrong"), 400);
    }
    command = runtime::RecordCompanyNeed{form.Text("need_id"),
                                         form.Text("competences"),
                                         Items(form.Text("courses")),
                                         staff,
                                         form.Text("release_from"),
                                         form.Text("release_to"),
                                         form.All("green")};
  } else if (act == "assign") {
    command = runtime::AssignContactPerson{form.Text("user"), "", "", form.Text("reason")};
  } else if (act == "acknowledge") {
    command = runtime::AcknowledgeTask{form.Text("task_id")};
  } else if (act == "complete") {
    command = runtime::CompleteTask{form.Text("task_id")};
  } else {
    return Error(p, 404, "not_found", Message(p.lang, "not_found_text"));
  }
  const Status outcome = RunOn(p, form, s->pathway_id, std::move(command));
  if (outcome.ok()) return p.respond(Redirect("/companies/" + cvr + "?done=company_" + act));
  switch (outcome.code()) {
    case StatusCode::kNotFound:
      return Error(p, 404, "not_found", Message(p.lang, "not_found_text"));
    case StatusCode::kRejected:
      return CompanyPage(p, cvr, RefusalInWords(outcome.message(), def.get(), p.lang), 422);
    case StatusCode::kInvalidArgument:
    case StatusCode::kPermissionDenied:
    case StatusCode::kConflict: return CompanyPage(p, cvr, outcome.message(), 400);
    default: return Error(p, 503, "unavailable", Message(p.lang, "unavailable_text"));
  }
}

}  // namespace pathways::web

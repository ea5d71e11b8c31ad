// The company records under /v1/companies (docs/api/openapi.yaml): the list, a record and its
// history, the contacts, contact persons and needs, the dialogue's steps. Access is the
// application layer's (app/companies.hpp).

#include <algorithm>

#include "adapters/api/api_impl.hpp"
#include "adapters/app/company_report.hpp"
#include "engine/codec/event_json.hpp"
#include "engine/runtime/company.hpp"

namespace pathways::api {
namespace {

nlohmann::json CodeView(const std::string& code,
                        const std::map<std::string, definition::Label>* labels) {
  nlohmann::json j = {{"code", code}};
  if (labels != nullptr) {
    if (auto it = labels->find(code); it != labels->end()) j["label"] = LabelJson(it->second);
  }
  return j;
}

nlohmann::json CodesView(const std::vector<std::string>& codes,
                         const std::map<std::string, definition::Label>* labels) {
  nlohmann::json out = nlohmann::json::array();
  for (const std::string& code : codes) out.push_back(CodeView(code, labels));
  return out;
}

// The record's fields from a request body (the CVR from the path when it has one).
runtime::CompanyFields ReadCompanyFields(Fields& f) {
  runtime::CompanyFields company;
  company.cvr = f.Text("cvr", false, 20);
  company.name = f.Text("name", true, 200);
  company.p_number = f.Text("p_number", false, 20);
  company.size_band = f.Text("size_band", true, 20);
  company.industry = f.Text("industry", true, 20);
  company.municipality = f.Text("municipality", false, 10);
  company.green = f.Texts("green");
  return company;
}

std::optional<std::uint32_t> Bounded(const std::optional<std::int64_t>& v, std::int64_t max) {
  if (!v) return std::uint32_t{0};
  if (*v < 0 || *v > max) return std::nullopt;
  return static_cast<std::uint32_t>(*v);
}

}  // namespace

nlohmann::json CompanyView(const runtime::PathwayState& s, const definition::Definition* def,
                           TimestampMs now) {
  const auto* industries = def != nullptr ? &def->industries : nullptr;
  const auto* green = def != nullptr ? &def->green_tags : nullptr;
  const runtime::Company& c = s.company;
  nlohmann::json persons = nlohmann::json::array();
  for (const auto& [id, p] : c.persons) {
    persons.push_back(
        {{"id", id}, {"role", p.role}, {"since", codec::FormatIso8601OrEmpty(p.since)}});
  }
  nlohmann::json needs = nlohmann::json::array();
  for (const auto& [id, n] : c.needs) {
    needs.push_back({{"id", id},
                     {"competences", n.competences},
                     {"amu_courses", n.amu_courses},
                     {"staff", n.staff},
                     {"release_from", n.release_from},
                     {"release_to", n.release_to},
                     {"green", CodesView(n.green, green)},
                     {"recorded_at", codec::FormatIso8601OrEmpty(n.recorded_at)}});
  }
  nlohmann::json entered = nlohmann::json::array();
  for (const auto& [id, e] : s.entered) {
    entered.push_back({{"state", id}, {"at", codec::FormatIso8601OrEmpty(e.at)}, {"from", e.from}});
  }
  return {
      {"cvr", c.cvr},
      {"pathway_id", s.pathway_id},
      {"name", c.name},
      {"p_number", c.p_number},
      {"size_band", c.size_band},
      {"sme", c.sme()},
      {"industry", CodeView(c.industry, industries)},
      {"municipality", s.municipality},
      {"green", CodesView(c.green, green)},
      {"school", s.school},
      {"consultant", s.contact_person},
      {"definition",
       {{"id", s.definition_id}, {"version", s.definition_version}, {"hash", s.definition_hash}}},
      {"version", s.version},
      {"state", StateView(s, def)},
      {"status", runtime::StatusName(s.status)},
      {"data", s.data},
      {"contacts", s.contacts},
      {"first_contact_at", codec::FormatIso8601OrEmpty(c.first_contact_at)},
      {"last_contact_at", codec::FormatIso8601OrEmpty(s.last_contact_at)},
      {"registered_at", codec::FormatIso8601OrEmpty(s.created_at)},
      {"persons", persons},
      {"needs", needs},
      {"tasks", TasksView(s, now)},
      {"milestones", MilestonesView(s)},
      {"entered", entered}};
}

void Api::Impl::SubmitOnCompany(Call& c, runtime::Command command, int success_status) {
  Result<CommandRequest> r = companies.On(*c.user, c.params[0], std::move(command));
  if (!r.ok()) return c.respond(BodyProblemFor(r.status()));
  Submit(c, std::move(*r), success_status);
}

void Api::Impl::ListCompanies(Call& c) {
  QueryParams q(c.req);
  app::CompanyQuery query;
  query.limit = q.Count("limit", 1000, 10000);
  if (!q.ok()) return c.respond(q.Problem());
  auto text = [&](const char* name) {
    const std::string* v = c.req.Query(name);
    return v == nullptr ? std::string() : *v;
  };
  query.consultant = text("consultant");
  query.state = text("state");
  query.industry = text("industry");
  query.green = text("green");
  query.school = text("school");
  Result<std::vector<app::CompanyRow>> rows = companies.List(*c.user, query);
  if (!rows.ok()) return c.respond(ProblemFor(rows.status()));
  nlohmann::json out = nlohmann::json::array();
  for (const app::CompanyRow& row : *rows) {
    const runtime::PathwayState& s = row.state;
    auto def = options.catalog->Find(s.definition_id, s.definition_version);
    nlohmann::json j = {{"cvr", s.company.cvr},
                        {"name", s.company.name},
                        {"size_band", s.company.size_band},
                        {"sme", s.company.sme()},
                        {"industry", s.company.industry},
                        {"green", s.company.green},
                        {"school", s.school},
                        {"consultant", s.contact_person},
                        {"state", s.state},
                        {"status", runtime::StatusName(s.status)},
                        {"last_contact_at", codec::FormatIso8601OrEmpty(s.last_contact_at)},
                        {"open_tasks", s.open_tasks.size()},
                        {"overdue_tasks", row.overdue_tasks},
                        {"next_due_at", codec::FormatIso8601OrEmpty(row.next_due_at)},
                        {"version", s.version}};
    if (def != nullptr) {
      if (const definition::State* st = def->FindState(s.state)) {
        j["state_label"] = LabelJson(st->label);
      }
      if (auto entered = s.entered.find(s.state); entered != s.entered.end()) {
        j["in_state_since"] = codec::FormatIso8601OrEmpty(entered->second.at);
      }
    }
    out.push_back(std::move(j));
  }
  c.respond(Json(200, {{"companies", out}}));
}

void Api::Impl::RegisterCompany(Call& c) {
  Fields f(c.req.body, {"cvr", "name", "p_number", "size_band", "industry", "municipality", "green",
                        "consultant", "school", "definition"});
  app::CompanyRequest request;
  request.company = ReadCompanyFields(f);
  if (!f.Has("cvr")) f.Text("cvr", true);
  request.consultant = f.Text("consultant", false, 200);
  request.school = f.Text("school", false, 200);
  request.definition = f.Text("definition", false, 200);
  if (!f.ok()) return c.respond(f.Problem());
  Result<CommandRequest> registered = companies.Register(*c.user, std::move(request));
  if (!registered.ok()) return c.respond(BodyProblemFor(registered.status()));
  const std::string cvr = std::get<runtime::RegisterCompany>(registered->command).company.cvr;
  Submit(c, std::move(*registered), 201, [cvr](Call& call, const AppendResult& done) {
    call.respond(Written(201, done).With("Location", "/v1/companies/" + cvr));
  });
}

void Api::Impl::GetCompany(Call& c) {
  Result<runtime::PathwayState> s = companies.Company(*c.user, c.params[0]);
  if (!s.ok()) return c.respond(ProblemFor(s.status()));
  auto def = options.catalog->Find(s->definition_id, s->definition_version);
  c.respond(Json(200, CompanyView(*s, def.get(), options.clock->NowMs()))
                .With("ETag", "\"" + std::to_string(s->version) + "\""));
}

void Api::Impl::GetCompanyHistory(Call& c) {
  QueryParams q(c.req);
  const std::uint64_t from = q.Number("from", 1);
  const std::size_t limit = q.Count("limit", 100, 1000);
  if (!q.ok()) return c.respond(q.Problem());
  Result<runtime::PathwayState> s = companies.Company(*c.user, c.params[0]);
  if (!s.ok()) return c.respond(ProblemFor(s.status()));
  auto page = options.store->ReadStream(s->pathway_id, from, limit);
  if (!page.ok()) return c.respond(ProblemFor(page.status()));
  nlohmann::json events = nlohmann::json::array();
  for (const RecordedEvent& e : page->events) events.push_back(EventView(e));
  nlohmann::json body = {{"cvr", c.params[0]}, {"pathway_id", s->pathway_id}, {"events", events}};
  if (page->next_version != 0) body["next_from"] = page->next_version;
  c.respond(Json(200, body));
}

void Api::Impl::GetCompanyAsOf(Call& c) {
  const std::string* at = c.req.Query("at");
  TimestampMs as_of = 0;
  if (at == nullptr || !codec::ParseIso8601(*at, as_of)) {
    return c.respond(Problem(400, "invalid-request",
                             "give `at` as an ISO 8601 time, e.g. ?at=2026-03-02T12:00:00Z"));
  }
  Result<app::AsOfView> view = companies.AsOf(*c.user, c.params[0], as_of);
  if (!view.ok()) return c.respond(ProblemFor(view.status()));
  nlohmann::json history = nlohmann::json::array();
  for (const RecordedEvent& e : view->history) history.push_back(EventView(e));
  auto def = options.catalog->Find(view->state.definition_id, view->state.definition_version);
  c.respond(Json(200, {{"as_of", codec::FormatIso8601OrEmpty(as_of)},
                       {"company", CompanyView(view->state, def.get(), as_of)},
                       {"history", history}}));
}

void Api::Impl::GetCompanyPersonal(Call& c) {
  const std::string* purpose = c.req.Query("purpose");
  if (purpose == nullptr || purpose->empty()) {
    return c.respond(
        Problem(400, "invalid-request", "say why the contact persons are read: ?purpose=…"));
  }
  companies.ReadPersonal(*c.user, c.params[0], *purpose,
                         [respond = c.respond](Result<app::CompanyPersonal> read) {
                           if (!read.ok()) return respond(ProblemFor(read.status()));
                           nlohmann::json persons = nlohmann::json::object();
                           nlohmann::json notes = nlohmann::json::object();
                           for (const auto& [scope, fields] : read->view.fields) {
                             for (const auto& [key, value] : fields.items()) {
                               if (key.starts_with("contact:")) persons[key.substr(8)] = value;
                               if (key.starts_with("notes:")) notes[key.substr(6)] = value;
                             }
                           }
                           nlohmann::json scopes = nlohmann::json::array();
                           for (PersonalScope s : read->scopes)
                             scopes.push_back(PersonalScopeName(s));
                           nlohmann::json erased = nlohmann::json::array();
                           for (PersonalScope s : read->view.erased)
                             erased.push_back(PersonalScopeName(s));
                           respond(Json(200, {{"pathway_id", read->pathway_id},
                                              {"scopes", scopes},
                                              {"persons", persons},
                                              {"notes", notes},
                                              {"erased", erased}}));
                         });
}

void Api::Impl::RecordCompany(Call& c) {
  Fields f(c.req.body,
           {"cvr", "name", "p_number", "size_band", "industry", "municipality", "green", "reason"});
  runtime::RecordCompany r;
  r.company = ReadCompanyFields(f);
  r.reason = f.Text("reason", true, 1000);
  if (!f.ok()) return c.respond(f.Problem());
  SubmitOnCompany(c, std::move(r));
}

void Api::Impl::RecordCompanyContact(Call& c) {
  Fields f(c.req.body, {"form", "at", "minutes", "staff", "persons", "topic", "notes"});
  runtime::RecordCompanyContact r;
  r.form = f.Text("form", true, 20);
  const std::string at = f.Text("at", false, 40);
  const std::optional<std::uint32_t> minutes = Bounded(f.Integer("minutes"), 24 * 60);
  r.staff = f.Texts("staff");
  r.persons = f.Texts("persons");
  r.topic = f.Text("topic", false, 2000);
  r.notes = f.Text("notes", false, 20000);
  if (!f.ok()) return c.respond(f.Problem());
  if (!minutes) {
    return c.respond(Problem(400, "invalid-body", "`minutes` is how long it took: 0 to 1440"));
  }
  r.minutes = *minutes;
  if (!at.empty() && !codec::ParseIso8601(at, r.at)) {
    return c.respond(Problem(400, "invalid-body",
                             "`at` is when it took place, in ISO 8601 (2027-03-02T10:00:00Z)"));
  }
  SubmitOnCompany(c, std::move(r), 201);
}

void Api::Impl::AddContactPerson(Call& c) {
  Fields f(c.req.body, {"name", "role", "email", "phone"});
  runtime::RecordContactPerson r;
  r.name = f.Text("name", true, 200);
  r.role = f.Text("role", false, 200);
  r.email = f.Text("email", false, 200);
  r.phone = f.Text("phone", false, 40);
  if (!f.ok()) return c.respond(f.Problem());
  SubmitOnCompany(c, std::move(r), 201);
}

void Api::Impl::ChangeContactPerson(Call& c) {
  Fields f(c.req.body, {"name", "role", "email", "phone"});
  runtime::RecordContactPerson r;
  r.person_id = c.params[1];
  r.name = f.Text("name", true, 200);
  r.role = f.Text("role", false, 200);
  r.email = f.Text("email", false, 200);
  r.phone = f.Text("phone", false, 40);
  if (!f.ok()) return c.respond(f.Problem());
  SubmitOnCompany(c, std::move(r));
}

void Api::Impl::RemoveContactPerson(Call& c) {
  Fields f(c.req.body, {"reason"});
  std::string reason = f.Text("reason", false, 1000);
  if (!f.ok()) return c.respond(f.Problem());
  SubmitOnCompany(c, runtime::RemoveContactPerson{c.params[1], std::move(reason)});
}

namespace {

bool ReadNeed(Fields& f, runtime::RecordCompanyNeed& r, std::optional<std::int64_t>& staff) {
  r.competences = f.Text("competences", true, 2000);
  r.amu_courses = f.Texts("amu_courses");
  staff = f.Integer("staff");
  r.release_from = f.Text("release_from", false, 20);
  r.release_to = f.Text("release_to", false, 20);
  r.green = f.Texts("green");
  return f.ok();
}

}  // namespace

void Api::Impl::AddCompanyNeed(Call& c) {
  Fields f(c.req.body,
           {"competences", "amu_courses", "staff", "release_from", "release_to", "green"});
  runtime::RecordCompanyNeed r;
  std::optional<std::int64_t> staff;
  if (!ReadNeed(f, r, staff)) return c.respond(f.Problem());
  const std::optional<std::uint32_t> n = Bounded(staff, 100000);
  if (!n) return c.respond(Problem(400, "invalid-body", "`staff` is a count: 0 to 100000"));
  r.staff = *n;
  SubmitOnCompany(c, std::move(r), 201);
}

void Api::Impl::ChangeCompanyNeed(Call& c) {
  Fields f(c.req.body,
           {"competences", "amu_courses", "staff", "release_from", "release_to", "green"});
  runtime::RecordCompanyNeed r;
  r.need_id = c.params[1];
  std::optional<std::int64_t> staff;
  if (!ReadNeed(f, r, staff)) return c.respond(f.Problem());
  const std::optional<std::uint32_t> n = Bounded(staff, 100000);
  if (!n) return c.respond(Problem(400, "invalid-body", "`staff` is a count: 0 to 100000"));
  r.staff = *n;
  SubmitOnCompany(c, std::move(r));
}

void Api::Impl::CompanyTrigger(Call& c) {
  Fields f(c.req.body, {"payload"});
  nlohmann::json payload = f.Object("payload");
  if (!f.ok()) return c.respond(f.Problem());
  SubmitOnCompany(c, runtime::FireTrigger{c.params[1], std::move(payload)});
}

void Api::Impl::AssignConsultant(Call& c) {
  Fields f(c.req.body, {"user", "reason"});
  std::string user = f.Text("user", true, 200);
  std::string reason = f.Text("reason", false, 1000);
  if (!f.ok()) return c.respond(f.Problem());
  SubmitOnCompany(c, runtime::AssignContactPerson{std::move(user), "", "", std::move(reason)});
}

void Api::Impl::CompanyTaskAction(Call& c) {
  runtime::Command command;
  if (TaskCommand(c, command)) SubmitOnCompany(c, std::move(command));
}

// The companies' figures: counts name no company's contact person and no participant, so every
// staff role reads them, for the partnership or one school.
void Api::Impl::CompanyReport(Call& c) {
  const std::string* school = c.req.Query("school");
  const std::string wanted = school == nullptr ? "" : *school;
  if (!wanted.empty() && !options.schools.count(wanted)) {
    return c.respond(
        Problem(400, "invalid-request", "`" + wanted + "` is not a configured school"));
  }
  auto def = options.catalog->NewestOfKind(definition::Kind::kCompany);
  if (def == nullptr) {
    return c.respond(Problem(409, "precondition", "no company definition is loaded"));
  }
  Result<app::CompanyFigureInputs> in = app::ReadCompanyFigureInputs(*options.store);
  if (!in.ok()) return c.respond(ProblemFor(in.status()));
  const app::CompanyReport r = app::CompanyFigures(*def, in->records, in->participants, wanted);
  nlohmann::json steps = nlohmann::json::array();
  for (const auto& step : r.steps) {
    steps.push_back({{"milestone", step.milestone},
                     {"label", LabelJson(step.label)},
                     {"reached", step.reached},
                     {"smes", step.smes}});
  }
  nlohmann::json out = {{"school", r.school},
                        {"position", in->position},
                        {"records", r.records},
                        {"smes", r.smes},
                        {"by_stage", r.by_stage},
                        {"steps", steps},
                        {"with_employee", r.with_employee},
                        {"median_days_to_first_employee", nullptr},
                        {"declines_by_reason", r.declines_by_reason},
                        {"green_needs", r.green_needs}};
  if (r.median_days_to_first_employee) {
    out["median_days_to_first_employee"] = *r.median_days_to_first_employee;
  }
  c.respond(Json(200, out));
}

}  // namespace pathways::api

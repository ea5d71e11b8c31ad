// The companies' pages (docs/companies.md, "The workspace"): "Virksomheder", a new record, and
// the pipeline side by side per school. One record's page is company_page.cpp.

#include <algorithm>
#include <set>

#include "adapters/app/company_report.hpp"
#include "adapters/web/web_impl.hpp"
#include "engine/runtime/company.hpp"
#include "engine/runtime/cvr.hpp"

namespace pathways::web {
namespace {

// Options of a select: the value `selected` chosen.
json Options(const std::vector<std::pair<std::string, std::string>>& items,
             const std::string& selected) {
  json out = json::array();
  for (const auto& [value, label] : items) {
    out.push_back({{"value", value}, {"label", label}, {"selected", value == selected}});
  }
  return out;
}

// Days with a half where there is one: "12", "12,5" / "12.5".
std::string DaysText(double days, Lang lang) {
  const auto whole = static_cast<std::int64_t>(days);
  const bool half = days - static_cast<double>(whole) >= 0.5;
  return std::to_string(whole) + (half ? (lang == Lang::kEn ? ".5" : ",5") : "");
}

double Median(std::vector<std::int64_t> days) {
  std::sort(days.begin(), days.end());
  const std::size_t n = days.size();
  return n % 2 == 1 ? static_cast<double>(days[n / 2])
                    : static_cast<double>(days[n / 2 - 1] + days[n / 2]) / 2;
}

}  // namespace

// ---- a company's words ----------------------------------------------------------------------

definition::DefinitionCatalog::Ptr CompanyDefinitionOf(const definition::DefinitionCatalog& catalog,
                                                       const runtime::PathwayState* s) {
  if (s != nullptr) {
    if (auto def = catalog.Find(s->definition_id, s->definition_version)) return def;
  }
  return catalog.NewestOfKind(definition::Kind::kCompany);
}

std::string IndustryLabel(const definition::Definition* def, const std::string& code, Lang lang) {
  if (def == nullptr) return code;
  auto it = def->industries.find(code);
  return it == def->industries.end() ? code : code + " " + Pick(it->second, lang);
}

std::vector<std::string> GreenLabels(const definition::Definition* def,
                                     const std::vector<std::string>& tags, Lang lang) {
  std::vector<std::string> out;
  for (const std::string& tag : tags) {
    auto it = def != nullptr ? def->green_tags.find(tag) : decltype(def->green_tags.end()){};
    out.push_back(def != nullptr && it != def->green_tags.end() ? Pick(it->second, lang) : tag);
  }
  return out;
}

std::string SizeBandLabel(const std::string& band, Lang lang) {
  return band.empty() ? Message(lang, "none") : Message(lang, "size_band_" + band);
}

std::map<std::string, Web::Impl::Subject> Web::Impl::Subjects(const Page& p,
                                                              const std::vector<std::string>& ids) {
  const std::string prefix(runtime::kCompanyPathwayPrefix);
  std::map<std::string, Subject> out;
  std::vector<std::string> people;
  for (const std::string& id : ids) {
    if (!id.starts_with(prefix)) {
      people.push_back(id);
      continue;
    }
    const std::string cvr = id.substr(prefix.size());
    Result<runtime::PathwayState> s = companies.Company(*p.user, cvr);
    out[id] = {s.ok() ? s->company.name : Message(p.lang, "name_unknown"), "/companies/" + cvr};
  }
  const std::map<std::string, std::string> names = Names(p, people);
  for (const std::string& id : people) {
    auto n = names.find(id);
    out[id] = {n == names.end() ? Message(p.lang, "name_unknown") : n->second,
               "/participants/" + id};
  }
  return out;
}

// ---- the list -------------------------------------------------------------------------------

void Web::Impl::CompanyList(Page& p) {
  auto query_text = [&](const char* key) {
    const std::string* v = p.req.Query(key);
    return v == nullptr ? std::string() : *v;
  };
  const bool consultant = p.user->role == Role::kConsultant;
  // A consultant's own records first; the school's at a click.
  const bool mine = consultant && query_text("whose") != "all";
  app::CompanyQuery query;
  if (mine) query.consultant = p.user->id;
  query.state = query_text("state");
  query.industry = query_text("industry");
  query.green = query_text("green");
  query.school = query_text("school");
  const auto def = CompanyDefinitionOf(*o.catalog, nullptr);

  // A filter naming what is not there is a mistyped address: said, and nothing listed.
  std::string problem;
  if (def != nullptr) {
    const bool state_known =
        query.state.empty() || std::any_of(def->states.begin(), def->states.end(),
                                           [&](const auto& st) { return st.id == query.state; });
    const bool industry_known = query.industry.empty() || def->industries.count(query.industry);
    const bool green_known = query.green.empty() || def->green_tags.count(query.green);
    const bool school_known =
        query.school.empty() || (o.schools != nullptr && o.schools->count(query.school));
    if (!state_known || !industry_known || !green_known || !school_known) {
      problem = Message(p.lang, "companies_filter_unknown");
    }
  }
  std::vector<app::CompanyRow> rows;
  if (problem.empty()) {
    Result<std::vector<app::CompanyRow>> listed = companies.List(*p.user, query);
    if (!listed.ok()) {
      if (listed.status().code() == StatusCode::kPermissionDenied) {
        return Error(p, 404, "not_found", Message(p.lang, "not_found_text"));
      }
      return Error(p, 503, "unavailable", Message(p.lang, "unavailable_text"));
    }
    rows = std::move(*listed);
  }

  const TimestampMs now = o.clock->NowMs();
  const bool partnership = p.user->school.empty() && o.schools != nullptr && !o.schools->empty();
  json list = json::array();
  for (const app::CompanyRow& r : rows) {
    const runtime::PathwayState& s = r.state;
    auto record_def = o.catalog->Find(s.definition_id, s.definition_version);
    const definition::Definition* d = record_def ? record_def.get() : def.get();
    const auto school =
        o.schools != nullptr ? o.schools->find(s.school) : decltype(o.schools->end()){};
    list.push_back(
        {{"cvr", s.company.cvr},
         {"name", s.company.name},
         {"state", d != nullptr ? LabelOf(d->states, s.state, p.lang) : s.state},
         {"industry", IndustryLabel(d, s.company.industry, p.lang)},
         {"sme", s.company.sme()},
         {"green", !GreenLabels(d, s.company.green, p.lang).empty()},
         {"consultant",
          s.contact_person.empty() ? Message(p.lang, "none") : UserName(s.contact_person)},
         {"school",
          o.schools != nullptr && school != o.schools->end() ? school->second.name : s.school},
         {"last_contact", s.last_contact_at == 0 ? Message(p.lang, "none")
                                                 : When(s.last_contact_at, p.lang, false)},
         {"overdue", r.overdue_tasks > 0 ? Message(p.lang, "overdue_count",
                                                   {{"count", std::to_string(r.overdue_tasks)}})
                                         : ""},
         {"next_due", r.next_due_at == 0 ? Message(p.lang, "none")
                                         : When(r.next_due_at, p.lang, r.next_due_at >= now)}});
  }

  std::vector<std::pair<std::string, std::string>> states, industries, greens, schools;
  if (def != nullptr) {
    for (const auto& st : def->states) states.emplace_back(st.id, Pick(st.label, p.lang));
    // The main groups (two digits): a finer code is found under its group.
    for (const auto& [code, label] : def->industries) {
      if (code.size() == 2) industries.emplace_back(code, code + " " + Pick(label, p.lang));
    }
    for (const auto& [tag, label] : def->green_tags) greens.emplace_back(tag, Pick(label, p.lang));
  }
  if (partnership) {
    for (const auto& [id, sc] : *o.schools) schools.emplace_back(id, sc.name);
  }
  const bool keeps = p.user->role == Role::kConsultant || p.user->role == Role::kTeamLead ||
                     p.user->role == Role::kAdministrator;
  const bool filtered = !query.state.empty() || !query.industry.empty() || !query.green.empty() ||
                        !query.school.empty();
  const std::string heading = Message(p.lang, mine ? "companies_mine" : "nav_companies");
  const json model = {
      {"heading", heading},
      {"consultant", consultant},
      {"mine", mine},
      {"states", Options(states, query.state)},
      {"industries", Options(industries, query.industry)},
      {"greens", Options(greens, query.green)},
      {"schools", Options(schools, query.school)},
      {"has_schools", partnership},
      {"rows", list},
      {"has_rows", !list.empty()},
      {"show_school", partnership},
      {"can_register", keeps && def != nullptr},
      {"problem", problem},
      {"count_text", Message(p.lang, "companies_count", {{"count", std::to_string(list.size())}})},
      {"empty_text", Message(p.lang, filtered ? "companies_none_match"
                                     : mine   ? "companies_mine_empty"
                                              : "companies_empty")}};
  Send(p, problem.empty() ? 200 : 400, heading, RenderTemplate("companies", model, p.lang),
       "/companies");
}

// ---- a new record ---------------------------------------------------------------------------

void Web::Impl::NewCompanyForm(Page& p, const json& values, const json& errors,
                               const std::string& general, int status) {
  const auto def = CompanyDefinitionOf(*o.catalog, nullptr);
  const Role r = p.user->role;
  if (def == nullptr ||
      (r != Role::kConsultant && r != Role::kTeamLead && r != Role::kAdministrator)) {
    return Error(p, 404, "not_found", Message(p.lang, "not_found_text"));
  }
  auto value = [&](const char* key) { return values.value(key, ""); };
  std::vector<std::pair<std::string, std::string>> bands, industries, consultants, schools;
  for (std::string_view band : definition::kSizeBands) {
    bands.emplace_back(std::string(band), SizeBandLabel(std::string(band), p.lang));
  }
  for (const auto& [code, label] : def->industries) {
    industries.emplace_back(code, code + " " + Pick(label, p.lang));
  }
  if (r != Role::kConsultant) {
    for (const auto& [id, u] : *o.users) {
      if (u.role != Role::kConsultant) continue;
      if (!p.user->school.empty() && u.school != p.user->school) continue;
      consultants.emplace_back(id, u.name);
    }
  }
  if (p.user->school.empty() && o.schools != nullptr) {
    for (const auto& [id, sc] : *o.schools) schools.emplace_back(id, sc.name);
  }
  const std::vector<std::string> chosen = values.value("green", std::vector<std::string>{});
  json greens = json::array();
  for (const auto& [tag, label] : def->green_tags) {
    greens.push_back({{"value", tag},
                      {"label", Pick(label, p.lang)},
                      {"checked", std::find(chosen.begin(), chosen.end(), tag) != chosen.end()}});
  }
  json fields = json::object();
  for (const char* key : {"cvr", "name", "p_number", "size_band", "industry", "municipality",
                          "consultant", "school"}) {
    fields[key] = {{"value", value(key)}, {"error", errors.value(key, "")}};
  }
  json error_list = json::array();
  for (const auto& [key, text] : errors.items()) {
    error_list.push_back({{"field", "company-" + key}, {"text", text}});
  }
  const std::string cmd = value("cmd");
  const json model = {{"csrf", p.session->csrf},
                      {"cmd", cmd.empty() ? app::NewId("web-") : cmd},
                      {"f", fields},
                      {"bands", Options(bands, value("size_band"))},
                      {"industries", Options(industries, value("industry"))},
                      {"greens", greens},
                      {"consultants", Options(consultants, value("consultant"))},
                      {"has_consultants", !consultants.empty()},
                      {"schools", Options(schools, value("school"))},
                      {"has_schools", !schools.empty()},
                      {"errors", error_list},
                      {"has_errors", !error_list.empty()},
                      {"general", general}};
  Send(p, status, Message(p.lang, "company_new"), RenderTemplate("new_company", model, p.lang),
       "/companies");
}

void Web::Impl::NewCompany(Page& p) {
  const Form form(p.req.body);
  json values = json::object();
  for (const char* key : {"cvr", "name", "p_number", "size_band", "industry", "municipality",
                          "consultant", "school", "cmd"}) {
    std::string v = form.Text(key);
    v.erase(0, v.find_first_not_of(" \t"));
    v.erase(v.find_last_not_of(" \t") + 1);
    values[key] = v;
  }
  values["green"] = form.All("green");
  auto value = [&](const char* key) { return values[key].get<std::string>(); };
  json errors = json::object();
  if (!runtime::IsValidCvr(value("cvr"))) errors["cvr"] = Message(p.lang, "company_cvr_wrong");
  if (value("name").empty()) errors["name"] = Message(p.lang, "company_name_missing");
  if (!value("p_number").empty() && !runtime::IsPNumber(value("p_number"))) {
    errors["p_number"] = Message(p.lang, "company_p_number_wrong");
  }
  if (value("size_band").empty()) errors["size_band"] = Message(p.lang, "company_band_missing");
  if (value("industry").empty()) errors["industry"] = Message(p.lang, "company_industry_missing");
  if (!errors.empty()) return NewCompanyForm(p, values, errors, "", 400);

  app::CompanyRequest request;
  request.company = {value("cvr"),
                     value("name"),
                     value("p_number"),
                     value("size_band"),
                     value("industry"),
                     value("municipality"),
                     values["green"].get<std::vector<std::string>>()};
  request.consultant = value("consultant");
  request.school = value("school");
  Result<CommandRequest> command = companies.Register(*p.user, std::move(request));
  Status outcome = command.status();
  if (command.ok()) {
    const std::string cmd = value("cmd");
    command->command_id = cmd.size() >= 8 && cmd.size() <= 64 ? cmd : app::NewId("web-");
    outcome = Run(p, std::move(*command));
    if (outcome.ok()) return p.respond(Redirect("/companies/" + value("cvr") + "?done=company"));
  }
  switch (outcome.code()) {
    case StatusCode::kInvalidArgument:
    case StatusCode::kPermissionDenied:
      return NewCompanyForm(p, values, json::object(), outcome.message(), 400);
    case StatusCode::kRejected:
    case StatusCode::kConflict: {
      // Registered already (by someone else, or by this form sent before with other values).
      const std::string message =
          outcome.message().find("has a record already") != std::string::npos
              ? Message(p.lang, "company_exists", {{"cvr", value("cvr")}})
              : RefusalInWords(outcome.message(), CompanyDefinitionOf(*o.catalog, nullptr).get(),
                               p.lang);
      return NewCompanyForm(p, values, json::object(), message, 422);
    }
    default: return Error(p, 503, "unavailable", Message(p.lang, "unavailable_text"));
  }
}

// ---- the pipeline ---------------------------------------------------------------------------

void Web::Impl::Pipeline(Page& p) {
  const auto def = CompanyDefinitionOf(*o.catalog, nullptr);
  if (def == nullptr || p.user->role == Role::kPartner) {
    return Error(p, 404, "not_found", Message(p.lang, "not_found_text"));
  }
  Result<app::CompanyFigureInputs> in = app::ReadCompanyFigureInputs(*o.store);
  if (!in.ok()) return Error(p, 503, "unavailable", Message(p.lang, "unavailable_text"));
  const std::vector<runtime::PathwayState>& records = in->records;

  // Every school of the partnership, and any a record names that the schools file does not.
  std::vector<std::pair<std::string, std::string>> schools;
  std::set<std::string> named;
  if (o.schools != nullptr) {
    for (const auto& [id, sc] : *o.schools) {
      schools.emplace_back(id, sc.name);
      named.insert(id);
    }
  }
  for (const runtime::PathwayState& s : records) {
    if (s.is_company() && named.insert(s.school).second) {
      schools.emplace_back(s.school, s.school.empty() ? Message(p.lang, "none") : s.school);
    }
  }
  // school -> state -> the days each record has been in it
  const TimestampMs now = o.clock->NowMs();
  std::map<std::string, std::map<std::string, std::vector<std::int64_t>>> days;
  for (const runtime::PathwayState& s : records) {
    if (!s.is_company()) continue;
    auto entered = s.entered.find(s.state);
    const TimestampMs since = entered == s.entered.end() ? s.created_at : entered->second.at;
    days[s.school][s.state].push_back(std::max<TimestampMs>(0, now - since) / 86'400'000);
  }
  json columns = json::array();
  for (const auto& [id, name] : schools) columns.push_back({{"name", name}});
  json stages = json::array();
  for (const definition::State& st : def->states) {
    json cells = json::array();
    for (const auto& [school, name] : schools) {
      const std::vector<std::int64_t>& in = days[school][st.id];
      cells.push_back({{"count", std::to_string(in.size())},
                       {"days", in.empty() ? ""
                                           : Message(p.lang, "pipeline_days",
                                                     {{"days", DaysText(Median(in), p.lang)}})}});
    }
    stages.push_back({{"label", Pick(st.label, p.lang)}, {"cells", cells}});
  }
  // The dialogue's steps reached per school, and what share of those at one step reached the
  // next (the conversion between stages).
  std::vector<app::CompanyReport> figures;
  for (const auto& [school, name] : schools) {
    figures.push_back(app::CompanyFigures(*def, records, in->participants, school));
  }
  json steps = json::array();
  for (std::size_t i = 0; i < def->milestones.size(); ++i) {
    json cells = json::array();
    for (const app::CompanyReport& f : figures) {
      const std::int64_t reached = i < f.steps.size() ? f.steps[i].reached : 0;
      const std::int64_t before = i == 0 ? f.records : f.steps[i - 1].reached;
      cells.push_back(
          {{"count", std::to_string(reached)},
           {"days", before == 0 ? ""
                                : Message(p.lang, "pipeline_share",
                                          {{"percent", std::to_string(reached * 100 / before)}})}});
    }
    steps.push_back({{"label", Pick(def->milestones[i].label, p.lang)}, {"cells", cells}});
  }
  json employees = json::array();
  for (const app::CompanyReport& f : figures) {
    const auto& median = f.median_days_to_first_employee;
    employees.push_back(
        {{"count", std::to_string(f.with_employee)},
         {"days", median ? Message(p.lang, "pipeline_days", {{"days", DaysText(*median, p.lang)}})
                         : Message(p.lang, "none")}});
  }
  const json model = {{"columns", columns},
                      {"stages", stages},
                      {"steps", steps},
                      {"employees", employees},
                      {"position", std::to_string(in->position)}};
  Send(p, 200, Message(p.lang, "pipeline_title"), RenderTemplate("pipeline", model, p.lang),
       "/companies");
}

}  // namespace pathways::web

// The funder's reports in the workspace (/reports): the ESF+ indicators and the project's
// figures (docs/reports.md) as tables with charts beside them, for a period, a school, as the
// log stands or as of an earlier position or day, and for sharing outside the partnership; the
// same figures as CSV and JSON to download; and a figure opened to the participants it counts,
// their names read for the session's purpose and each read recorded. For administrators (a
// school's for their school) and auditors, by the same rules as GET /v1/reports/….

#include <boost/url.hpp>
#include <cstdio>

#include "adapters/web/charts.hpp"
#include "adapters/web/web_impl.hpp"

namespace pathways::web {
namespace {

// `path` with the report's query (and `extra`), for links that keep what is shown.
std::string ReportLink(const std::string& path, const app::ReportQuery& q,
                       const std::vector<std::pair<std::string, std::string>>& extra = {}) {
  boost::urls::url url(path);
  auto add = [&](const char* key, const std::string& value) {
    if (!value.empty()) url.params().append({key, value});
  };
  add("from", q.from);
  add("to", q.to);
  add("school", q.school);
  if (q.at) add("at", std::to_string(*q.at));
  if (q.shared) add("shared", "true");
  for (const auto& [k, v] : extra) url.params().append({k, v});
  return std::string(url.buffer());
}

std::string Number(double v, int decimals = 0) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

std::string Percent(double share) { return Number(share * 100, 0) + " %"; }

// A data field's value in words, by the definition's labels.
std::string ValueLabel(const definition::Definition* def, const std::string& field,
                       const std::string& value, Lang lang) {
  if (def == nullptr) return value;
  if (const definition::DataField* f = def->FindField(field)) {
    if (auto it = f->values.find(value); it != f->values.end()) return Pick(it->second, lang);
  }
  return value;
}

std::string FieldLabel(const definition::Definition* def, const std::string& field, Lang lang) {
  const definition::DataField* f = def == nullptr ? nullptr : def->FindField(field);
  return f != nullptr && !f->label.empty() ? Pick(f->label, lang) : field;
}

// Where a pathway a figure counts is opened: the auditor's page of it, or the participant's.
std::string PathwayHref(const config::User& user, const std::string& id) {
  return user.role == Role::kAuditor ? "/audit/pathways/" + id : "/participants/" + id;
}

json Rows(const std::vector<Bar>& bars) {
  json out = json::array();
  for (const Bar& b : bars) out.push_back({{"label", b.label}, {"value", std::to_string(b.value)}});
  return out;
}

}  // namespace

void Web::Impl::Reports(Page& p) {
  if (!reports.configured() ||
      (p.user->role != Role::kAdministrator && p.user->role != Role::kAuditor)) {
    return Error(p, 404, "not_found", Message(p.lang, "not_found_text"));
  }
  app::ReportQuery query;
  std::string problem;
  auto text = [&](const char* key) {
    const std::string* v = p.req.Query(key);
    return v == nullptr ? std::string() : *v;
  };
  query.from = text("from");
  query.to = text("to");
  query.school = p.user->school.empty() ? text("school") : p.user->school;
  query.shared = text("shared") == "true";
  if (const std::string at = text("at"); !at.empty()) {
    // The engine's reason is not shown: the form says it in the user's language.
    Result<std::uint64_t> position = app::PositionAt(*o.store, at, "`at`");
    if (position.ok()) {
      query.at = *position;
    } else {
      problem =
          Message(p.lang, "reports_bad_at", {{"head", std::to_string(o.store->Head().position)}});
    }
  }
  const std::vector<std::string>& seg = p.segments;
  const std::string kind = seg.size() >= 2 ? seg[1] : "esf";
  const std::string format = text("format");
  if (seg.size() <= 2 && (format == "csv" || format == "json") && problem.empty()) {
    // The downloads: what the API answers, under the session instead of a token.
    http::Response r;
    std::uint64_t position = 0;
    if (kind == "esf") {
      Result<app::EsfReport> report = reports.Esf(*p.user, query);
      if (!report.ok()) return ReportProblem(p, query, kind, report.status());
      position = report->position;
      r.body = format == "csv" ? app::EsfCsv(*report, std::string(LangCode(p.lang)))
                               : app::EsfJson(*report).dump(2);
    } else if (kind == "project") {
      Result<app::ProjectReport> report = reports.Project(*p.user, query);
      if (!report.ok()) return ReportProblem(p, query, kind, report.status());
      position = report->position;
      r.body = format == "csv" ? app::ProjectCsv(*report) : app::ProjectJson(*report).dump(2);
    } else {
      return Error(p, 404, "not_found", Message(p.lang, "not_found_text"));
    }
    r.content_type = format == "csv" ? "text/csv; charset=utf-8" : "application/json";
    const std::string file = kind + "-" + std::to_string(position) + "." + format;
    r.With("Content-Disposition", "attachment; filename=\"" + file + "\"")
        .With("X-Pathways-Position", std::to_string(position));
    return p.respond(Secured(std::move(r)));
  }
  if (seg.size() == 1 || (seg.size() == 2 && kind == "esf")) return EsfPage(p, query, problem);
  if (seg.size() == 2 && kind == "project") return ProjectPage(p, query, problem);
  if (seg.size() == 3 && kind == "esf" && seg[2] == "cell" && problem.empty()) {
    return EsfCellPage(p, query);
  }
  Error(p, 404, "not_found", Message(p.lang, "not_found_text"));
}

// The filters, the position and the downloads every report page has.
static json ReportFrame(const Web::Impl& w, const Web::Impl::Page& p, const app::ReportQuery& q,
                        const std::string& kind, std::uint64_t position) {
  json schools = json::array();
  if (w.o.schools != nullptr && p.user->school.empty()) {
    for (const auto& [id, s] : *w.o.schools) {
      schools.push_back({{"id", id}, {"name", s.name}, {"selected", id == q.school}});
    }
  }
  json tabs = json::array();
  for (const char* k : {"esf", "project"}) {
    tabs.push_back({{"href", ReportLink(std::string("/reports/") + k, q)},
                    {"label", Message(p.lang, std::string("reports_") + k)},
                    {"current", kind == k}});
  }
  json model = {{"tabs", tabs},
                {"action", "/reports/" + kind},
                {"from", q.from},
                {"to", q.to},
                {"at", q.at ? std::to_string(*q.at) : ""},
                {"shared", q.shared},
                {"is_esf", kind == "esf"},
                {"schools", schools},
                {"has_schools", !schools.empty()},
                {"csv", ReportLink("/reports/" + kind, q, {{"format", "csv"}})},
                {"json", ReportLink("/reports/" + kind, q, {{"format", "json"}})}};
  std::string when;
  if (Result<TimestampMs> t = app::TimeAt(*w.o.store, position); t.ok() && *t > 0) {
    when = When(*t, p.lang);
  }
  model["position_text"] =
      Message(p.lang, when.empty() ? "reports_position_empty" : "reports_position",
              {{"position", std::to_string(position)}, {"when", when}});
  std::string period =
      q.from.empty() && q.to.empty()
          ? Message(p.lang, "reports_period_all")
          : Message(p.lang, "reports_period",
                    {{"from", q.from.empty() ? "…" : q.from}, {"to", q.to.empty() ? "…" : q.to}});
  if (!q.school.empty() && w.o.schools != nullptr) {
    if (auto s = w.o.schools->find(q.school); s != w.o.schools->end()) {
      period += " · " + s->second.name;
    }
  }
  model["period_text"] = period;
  return model;
}

void Web::Impl::ReportProblem(Page& p, const app::ReportQuery& query, const std::string& kind,
                              const std::string& problem) {
  json model = ReportFrame(*this, p, query, kind, o.store->Head().position);
  model["problem"] = problem;
  Send(p, 400, Message(p.lang, "reports_" + kind), RenderTemplate("reports_" + kind, model, p.lang),
       "/reports");
}

void Web::Impl::ReportProblem(Page& p, const app::ReportQuery& query, const std::string& kind,
                              const Status& why) {
  if (why.code() == StatusCode::kPermissionDenied) {
    return Error(p, 404, "not_found", Message(p.lang, "not_found_text"));
  }
  ReportProblem(p, query, kind, Message(p.lang, "reports_bad_query", {{"why", why.message()}}));
}

void Web::Impl::EsfPage(Page& p, const app::ReportQuery& query, const std::string& problem) {
  if (!problem.empty()) return ReportProblem(p, query, "esf", problem);
  Result<app::EsfReport> report = reports.Esf(*p.user, query);
  if (!report.ok()) return ReportProblem(p, query, "esf", report.status());
  const app::EsfReport& r = *report;
  json model = ReportFrame(*this, p, r.query, "esf", r.position);
  json by = json::array();
  for (const auto& l : r.by_labels) by.push_back({{"label", Pick(l, p.lang)}});
  model["by"] = by;
  model["by_field"] = FieldLabel(o.catalog->Newest(o.reports->definition).get(), r.by, p.lang);
  const std::string below = std::to_string(r.suppress_below);
  auto cell = [&](const app::Cell& c, const std::string& code, const std::string& value,
                  bool employers) {
    json j = {{"value", std::to_string(c.count)}, {"suppressed", c.suppressed}};
    if (c.suppressed) j["value"] = "<" + below;
    // Opened to its participants: not shared, not employers, and only a count above zero.
    if (!r.query.shared && !employers && !c.suppressed && c.count > 0) {
      j["href"] = ReportLink("/reports/esf/cell", r.query, {{"code", code}, {"value", value}});
    }
    return j;
  };
  json groups = json::array();
  std::vector<Bar> entry_bars;
  for (const config::Moment moment :
       {config::Moment::kEntry, config::Moment::kLeaving, config::Moment::kSixMonths}) {
    json rows = json::array();
    for (const app::IndicatorFigures& f : r.indicators) {
      if (f.at != moment) continue;
      json cells = json::array();
      for (std::size_t i = 0; i < r.by_values.size(); ++i) {
        cells.push_back(f.employers ? json{{"value", "–"}, {"suppressed", false}}
                                    : cell(f.by[i], f.code, r.by_values[i], f.employers));
      }
      rows.push_back({{"code", f.code},
                      {"label", Pick(f.label, p.lang)},
                      {"employers", f.employers},
                      {"cells", cells},
                      {"total", cell(f.total, f.code, "total", f.employers)}});
      if (moment == config::Moment::kEntry && !f.employers && !f.total.suppressed) {
        entry_bars.push_back({f.code, f.total.count});
      }
    }
    if (rows.empty()) continue;
    const std::string name(config::MomentName(moment));
    groups.push_back({{"id", "moment-" + name},
                      {"heading", Message(p.lang, "reports_moment_" + name)},
                      {"rows", rows}});
  }
  model["has_groups"] = !groups.empty();
  model["groups"] = groups;
  model["entry_svg"] = BarChart(entry_bars);
  model["suppressed_note"] = Message(p.lang, "reports_suppressed_note", {{"below", below}});
  if (!r.query.shared) {
    const auto def = o.catalog->Newest(o.reports->definition);
    json incomplete = json::array();
    for (const app::IncompleteRecord& i : r.incomplete) {
      std::string missing;
      for (const std::string& m : i.missing) {
        missing += (missing.empty() ? "" : ", ") + FieldLabel(def.get(), m, p.lang);
      }
      incomplete.push_back({{"pathway", i.pathway_id},
                            {"href", PathwayHref(*p.user, i.pathway_id)},
                            {"counsellor", UserName(i.contact_person)},
                            {"missing", missing}});
    }
    model["incomplete"] = incomplete;
    model["has_incomplete"] = !incomplete.empty();
    model["incomplete_count"] = std::to_string(incomplete.size());
    model["show_incomplete"] = true;
  }
  Send(p, 200, Message(p.lang, "reports_esf"), RenderTemplate("reports_esf", model, p.lang),
       "/reports");
}

void Web::Impl::EsfCellPage(Page& p, const app::ReportQuery& query) {
  if (query.shared) return Error(p, 404, "not_found", Message(p.lang, "not_found_text"));
  const std::string* code = p.req.Query("code");
  const std::string* value = p.req.Query("value");
  if (code == nullptr || value == nullptr) {
    return Error(p, 404, "not_found", Message(p.lang, "not_found_text"));
  }
  app::ReportQuery named = query;  // the cell's list is what the page shows
  named.name_pathways = true;
  Result<app::EsfReport> report = reports.Esf(*p.user, named);
  if (!report.ok()) return Error(p, 404, "not_found", Message(p.lang, "not_found_text"));
  const app::IndicatorFigures* figures = nullptr;
  for (const app::IndicatorFigures& f : report->indicators) {
    if (f.code == *code && !f.employers) figures = &f;
  }
  const app::Cell* cell = nullptr;
  std::string column;
  if (figures != nullptr && *value == "total") {
    cell = &figures->total;
    column = Message(p.lang, "reports_total");
  } else if (figures != nullptr) {
    for (std::size_t i = 0; i < report->by_values.size(); ++i) {
      if (report->by_values[i] == *value) {
        cell = &figures->by[i];
        column = Pick(report->by_labels[i], p.lang);
      }
    }
  }
  if (cell == nullptr) return Error(p, 404, "not_found", Message(p.lang, "not_found_text"));
  // Names are personal data: read for the session's purpose, each read recorded.
  if (!HasPurpose(p)) return;
  const std::map<std::string, std::string> names = Names(p, cell->pathways);
  json rows = json::array();
  for (const std::string& id : cell->pathways) {
    auto name = names.find(id);
    rows.push_back(
        {{"pathway", id},
         {"href", PathwayHref(*p.user, id)},
         {"name", name == names.end() ? Message(p.lang, "name_unknown") : name->second}});
  }
  json model = {{"heading", *code + " · " + Pick(figures->label, p.lang) + " · " + column},
                {"count", std::to_string(cell->count)},
                {"purpose", p.session->purpose},
                {"rows", rows},
                {"back", ReportLink("/reports/esf", report->query)}};
  Send(p, 200, Message(p.lang, "reports_cell_title"), RenderTemplate("reports_cell", model, p.lang),
       "/reports");
}

void Web::Impl::ProjectPage(Page& p, const app::ReportQuery& query, const std::string& problem) {
  if (!problem.empty()) return ReportProblem(p, query, "project", problem);
  Result<app::ProjectReport> report = reports.Project(*p.user, query);
  if (!report.ok()) return ReportProblem(p, query, "project", report.status());
  const app::ProjectReport& r = *report;
  json model = ReportFrame(*this, p, r.query, "project", r.position);
  const auto def = o.catalog->Newest(o.reports->definition);
  auto stage = [&](const std::string& id) {
    return id == "registered" ? Message(p.lang, "reports_stage_registered")
           : def              ? LabelOf(def->milestones, id, p.lang)
                              : id;
  };
  const app::ProjectReport::Forecast& f = r.forecast;
  const std::string target = stage(r.target.milestone);
  model["target"] = {
      {"text", Message(p.lang, "reports_target_text",
                       {{"reached", std::to_string(r.target.reached)},
                        {"count", std::to_string(r.target.count)},
                        {"milestone", target}})},
      {"forecast", Message(p.lang, "reports_forecast_text",
                           {{"end", r.end},
                            {"expected", Number(f.expected)},
                            {"low", Number(f.low)},
                            {"high", Number(f.high)},
                            {"days", std::to_string(f.days_left)}})},
      {"leads", f.leads_needed > 0 ? Message(p.lang, "reports_leads_needed",
                                             {{"n", std::to_string(f.leads_needed)}})
                                   : Message(p.lang, "reports_on_course")},
      {"basis", Message(p.lang, "reports_forecast_basis",
                        {{"pace", Number(f.leads_per_month, 1)},
                         {"new", Number(f.new_leads, 1)},
                         {"median", std::to_string(f.median_days_to_target)}})},
      {"svg", ForecastChart(r.target.reached, f.expected, f.low, f.high, r.target.count, target,
                            Message(p.lang, "reports_forecast_caption",
                                    {{"reached", std::to_string(r.target.reached)},
                                     {"expected", Number(f.expected)},
                                     {"count", std::to_string(r.target.count)}}))}};
  // The pipeline: open pathways by the furthest stage, and each stage's rate to the target.
  json pipeline = json::array();
  for (std::size_t k = 0; k < r.stages.size(); ++k) {
    const app::Rate& rate = k < f.rates.size() ? f.rates[k] : app::Rate{};
    pipeline.push_back({{"stage", stage(r.stages[k])},
                        {"reached", std::to_string(k < r.funnel.size() ? r.funnel[k] : 0)},
                        {"open", std::to_string(k < f.open.size() ? f.open[k] : 0)},
                        {"rate", rate.of == 0 ? "–" : Percent(rate.value)},
                        {"range", rate.of == 0 ? "" : Percent(rate.low) + "–" + Percent(rate.high)},
                        {"of", std::to_string(rate.of)}});
  }
  model["pipeline"] = pipeline;
  std::vector<Bar> funnel;
  for (std::size_t k = 0; k < r.stages.size() && k < r.funnel.size(); ++k) {
    funnel.push_back({stage(r.stages[k]), r.funnel[k]});
  }
  model["funnel_svg"] = BarChart(funnel);
  // The funnel by referral source and by campaign: one row each, a column per stage.
  json stages = json::array();
  for (const std::string& s : r.stages) stages.push_back({{"label", stage(s)}});
  model["stages"] = stages;
  auto breakdown = [&](const std::map<std::string, std::vector<std::int64_t>>& by,
                       const std::string& field) {
    json rows = json::array();
    for (const auto& [key, counts] : by) {
      json cells = json::array();
      for (std::int64_t n : counts) cells.push_back({{"value", std::to_string(n)}});
      rows.push_back({{"label", key.empty() ? Message(p.lang, "reports_not_recorded")
                                            : ValueLabel(def.get(), field, key, p.lang)},
                      {"cells", cells}});
    }
    return rows;
  };
  model["by_source"] = breakdown(r.by_source, "referral_source");
  model["by_campaign"] = breakdown(r.by_campaign, "campaign");
  model["has_campaigns"] = !r.by_campaign.empty();
  model["lead_days"] =
      Message(p.lang, r.lead_to_target.count == 0 ? "reports_lead_days_none" : "reports_lead_days",
              {{"milestone", target},
               {"median", std::to_string(r.lead_to_target.median)},
               {"p25", std::to_string(r.lead_to_target.p25)},
               {"p75", std::to_string(r.lead_to_target.p75)},
               {"count", std::to_string(r.lead_to_target.count)}});
  std::vector<Bar> milestones;
  for (const auto& [id, n] : r.milestones) milestones.push_back({stage(id), n});
  model["milestones"] = Rows(milestones);
  std::vector<Bar> starts;
  for (const auto& [track, n] : r.starts) {
    starts.push_back({track.empty() ? Message(p.lang, "reports_not_recorded")
                                    : ValueLabel(def.get(), r.starts_by, track, p.lang),
                      n});
  }
  model["starts"] = Rows(starts);
  model["starts_svg"] = BarChart(starts);
  model["starts_by"] = FieldLabel(def.get(), r.starts_by, p.lang);
  model["credit"] =
      Message(p.lang, "reports_credit_text",
              {{"rkvs", std::to_string(r.credit.rkvs)}, {"weeks", std::to_string(r.credit.weeks)}});
  std::vector<Bar> by_phase;
  for (const auto& [phase, n] : r.dropout.by_phase)
    by_phase.push_back({PhaseLabel(phase, p.lang), n});
  model["dropout_total"] = std::to_string(r.dropout.total);
  model["dropout_phases"] = Rows(by_phase);
  model["dropout_svg"] = BarChart(by_phase);
  std::vector<Bar> by_reason;
  for (const auto& [reason, n] : r.dropout.by_reason) {
    std::string label = Message(p.lang, "reports_not_recorded");
    if (!reason.empty()) {
      label = reason;
      for (const std::string& field : o.reports->figures.dropout_reasons) {
        if (std::string v = ValueLabel(def.get(), field, reason, p.lang); v != reason) label = v;
      }
    }
    by_reason.push_back({label, n});
  }
  model["dropout_reasons"] = Rows(by_reason);
  json steps = json::array();
  for (const app::ProjectReport::Step& s : r.steps) {
    steps.push_back(
        {{"label", Pick(s.label, p.lang)},
         {"count", std::to_string(s.rate.count)},
         {"of", std::to_string(s.rate.of)},
         {"rate", s.rate.of == 0 ? "–" : Percent(s.rate.value)},
         {"range", s.rate.of == 0 ? "" : Percent(s.rate.low) + "–" + Percent(s.rate.high)}});
  }
  model["steps"] = steps;
  json contacts = json::array();
  for (const app::ProjectReport::ContactBand& b : r.contacts) {
    contacts.push_back({{"band", b.band},
                        {"participants", std::to_string(b.participants)},
                        {"dropped_out", std::to_string(b.dropped_out)},
                        {"share", b.participants == 0 ? "–"
                                                      : Percent(static_cast<double>(b.dropped_out) /
                                                                b.participants)}});
  }
  model["contacts"] = contacts;
  model["employers"] =
      Rows({{Message(p.lang, "reports_employers_engaged"), r.employers.engaged},
            {Message(p.lang, "reports_employers_smes"), r.employers.smes},
            {Message(p.lang, "reports_employers_releasing"), r.employers.releasing_staff},
            {Message(p.lang, "reports_employers_visits"), r.employers.company_visit_leads}});
  model["ok"] = true;
  Send(p, 200, Message(p.lang, "reports_project"), RenderTemplate("reports_project", model, p.lang),
       "/reports");
}

}  // namespace pathways::web

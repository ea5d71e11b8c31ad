// GET /v1/reports/esf: the funder's ESF+ indicators (docs/reports.md), as JSON or CSV, as the
// log stands or as of an earlier position or day, for administrators and auditors.

#include <algorithm>

#include "adapters/api/api_impl.hpp"
#include "adapters/api/problem.hpp"

namespace pathways::api {

void Api::Impl::ReportEsf(Call& c) {
  if (!reports.configured()) {
    return c.respond(Problem(404, "not-found", "no reports file is configured"));
  }
  auto query = [&](const char* key) {
    const std::string* v = c.req.Query(key);
    return v == nullptr ? std::string() : *v;
  };
  app::ReportQuery q;
  q.from = query("from");
  q.to = query("to");
  q.school = query("school");
  const std::string at = query("at");
  if (at.find('-') != std::string::npos) {
    Result<std::uint64_t> position = app::PositionAtEndOf(*options.store, at);
    if (!position.ok())
      return c.respond(Problem(400, "invalid-request", position.status().message()));
    q.at = *position;
  } else if (!at.empty()) {
    q.at = ParseUnsigned(at);
    if (!q.at) {
      return c.respond(
          Problem(400, "invalid-request", "`at` is a log position or a day YYYY-MM-DD"));
    }
  }
  const std::string shared = query("shared");
  const std::string format = query("format");
  const std::string lang = query("lang");
  const std::string pathways = query("pathways");
  auto one_of = [](const std::string& v, std::initializer_list<const char*> allowed) {
    return v.empty() ||
           std::any_of(allowed.begin(), allowed.end(), [&](const char* a) { return v == a; });
  };
  std::string wrong;
  if (!one_of(shared, {"true", "false"})) wrong = "`shared` is true or false";
  if (!one_of(pathways, {"true", "false"})) wrong = "`pathways` is true or false";
  if (!one_of(format, {"json", "csv"})) wrong = "`format` is json or csv";
  if (!one_of(lang, {"da", "en"})) wrong = "`lang` is da or en";
  if (!wrong.empty()) return c.respond(Problem(400, "invalid-request", wrong));
  q.shared = shared == "true";
  Result<app::EsfReport> report = reports.Esf(*c.user, q);
  if (!report.ok()) {
    if (report.status().code() == StatusCode::kInvalidArgument) {
      return c.respond(Problem(400, "invalid-request", report.status().message()));
    }
    return c.respond(ProblemFor(report.status()));
  }
  if (format == "csv") {
    http::Response r;
    r.content_type = "text/csv; charset=utf-8";
    r.body = app::EsfCsv(*report, lang.empty() ? "da" : lang);
    r.With("X-Pathways-Position", std::to_string(report->position));
    return c.respond(std::move(r));
  }
  c.respond(Json(200, app::EsfJson(*report, pathways == "true")));
}

}  // namespace pathways::api

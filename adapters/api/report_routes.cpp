// GET /v1/reports/esf and /v1/reports/project: the funder's ESF+ indicators and the project's
// figures (docs/reports.md), as JSON or CSV, as the log stands or as of an earlier position or
// day, for administrators and auditors.

#include <algorithm>

#include "adapters/api/api_impl.hpp"
#include "adapters/api/problem.hpp"
#include "adapters/app/project_report.hpp"

namespace pathways::api {

namespace {

// The query of a report request, or the problem to answer.
struct ReportRequest {
  app::ReportQuery query;
  std::string format;  // json (default) or csv
  std::string lang;    // da (default) or en
};

std::optional<http::Response> ReadReportRequest(const http::Request& req, const EventStore& store,
                                                ReportRequest& out) {
  auto query = [&](const char* key) {
    const std::string* v = req.Query(key);
    return v == nullptr ? std::string() : *v;
  };
  app::ReportQuery& q = out.query;
  q.from = query("from");
  q.to = query("to");
  q.school = query("school");
  if (const std::string at = query("at"); !at.empty()) {
    Result<std::uint64_t> position = app::PositionAt(store, at, "`at`");
    if (!position.ok()) return Problem(400, "invalid-request", position.status().message());
    q.at = *position;
  }
  const std::string shared = query("shared");
  const std::string pathways = query("pathways");
  out.format = query("format");
  out.lang = query("lang");
  auto one_of = [](const std::string& v, std::initializer_list<const char*> allowed) {
    return v.empty() ||
           std::any_of(allowed.begin(), allowed.end(), [&](const char* a) { return v == a; });
  };
  std::string wrong;
  if (!one_of(shared, {"true", "false"})) wrong = "`shared` is true or false";
  if (!one_of(pathways, {"true", "false"})) wrong = "`pathways` is true or false";
  if (!one_of(out.format, {"json", "csv"})) wrong = "`format` is json or csv";
  if (!one_of(out.lang, {"da", "en"})) wrong = "`lang` is da or en";
  if (!wrong.empty()) return Problem(400, "invalid-request", wrong);
  q.shared = shared == "true";
  q.name_pathways = pathways == "true";
  if (out.lang.empty()) out.lang = "da";
  return std::nullopt;
}

http::Response ReportProblem(const Status& status) {
  if (status.code() == StatusCode::kInvalidArgument) {
    return Problem(400, "invalid-request", status.message());
  }
  return ProblemFor(status);
}

http::Response Csv(std::string body, std::uint64_t position) {
  http::Response r;
  r.content_type = "text/csv; charset=utf-8";
  r.body = std::move(body);
  r.With("X-Pathways-Position", std::to_string(position));
  return r;
}

}  // namespace

void Api::Impl::ReportEsf(Call& c) {
  if (!reports.configured()) {
    return c.respond(Problem(404, "not-found", "no reports file is configured"));
  }
  ReportRequest r;
  if (auto problem = ReadReportRequest(c.req, *options.store, r)) return c.respond(*problem);
  Result<app::EsfReport> report = reports.Esf(*c.user, r.query);
  if (!report.ok()) return c.respond(ReportProblem(report.status()));
  if (r.format == "csv") return c.respond(Csv(app::EsfCsv(*report, r.lang), report->position));
  c.respond(Json(200, app::EsfJson(*report)));
}

void Api::Impl::ReportProject(Call& c) {
  if (!reports.configured()) {
    return c.respond(Problem(404, "not-found", "no reports file is configured"));
  }
  ReportRequest r;
  if (auto problem = ReadReportRequest(c.req, *options.store, r)) return c.respond(*problem);
  Result<app::ProjectReport> report = reports.Project(*c.user, r.query);
  if (!report.ok()) return c.respond(ReportProblem(report.status()));
  if (r.format == "csv") return c.respond(Csv(app::ProjectCsv(*report), report->position));
  c.respond(Json(200, app::ProjectJson(*report)));
}

}  // namespace pathways::api

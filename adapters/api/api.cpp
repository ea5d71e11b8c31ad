// The API's routing and access control, and the routes that are not about one pathway:
// definitions, the manual clock, verification. Health, readiness and metrics are in
// health_routes.cpp, the request's fields in request_fields.cpp.

#include "adapters/api/api.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdio>

#include "adapters/api/api_impl.hpp"
#include "adapters/notify/dispatcher.hpp"
#include "engine/codec/event_json.hpp"
#include "engine/codec/event_record.hpp"
#include "engine/random.hpp"
#include "workflows/loader.hpp"

namespace pathways::api {

// ---- routing --------------------------------------------------------------------------------

namespace {

struct Route {
  const char* method;
  const char* pattern;  // segments; "{}" matches one
  Access access;
  void (Api::Impl::*handler)(Call&);
};

const Route kRoutes[] = {
    {"GET", "/healthz", Access::kPublic, &Api::Impl::Health},
    {"GET", "/readyz", Access::kPublic, &Api::Impl::Ready},
    {"GET", "/metrics", Access::kPublic, &Api::Impl::Metrics},
    {"POST", "/v1/pathways", Access::kWrite, &Api::Impl::RegisterLead},
    {"GET", "/v1/pathways/{}", Access::kRead, &Api::Impl::GetPathway},
    {"GET", "/v1/pathways/{}/history", Access::kRead, &Api::Impl::GetHistory},
    {"GET", "/v1/pathways/{}/as-of", Access::kRead, &Api::Impl::GetAsOf},
    {"GET", "/v1/pathways/{}/personal", Access::kRead, &Api::Impl::GetPersonal},
    {"GET", "/v1/pathways/{}/personal/reads", Access::kAudit, &Api::Impl::PersonalAccessLog},
    {"POST", "/v1/pathways/{}/personal/erasure", Access::kAdmin, &Api::Impl::RequestErasure},
    {"POST", "/v1/pathways/{}/triggers/{}", Access::kWrite, &Api::Impl::FireTrigger},
    {"POST", "/v1/pathways/{}/contacts", Access::kWrite, &Api::Impl::RecordContact},
    {"POST", "/v1/pathways/{}/data", Access::kWrite, &Api::Impl::RecordData},
    {"POST", "/v1/pathways/{}/barriers", Access::kWrite, &Api::Impl::RecordBarrier},
    {"POST", "/v1/pathways/{}/missed-appointments", Access::kWrite, &Api::Impl::RecordMissed},
    {"POST", "/v1/pathways/{}/risks", Access::kWrite, &Api::Impl::RaiseRisk},
    {"POST", "/v1/pathways/{}/risks/{}/resolve", Access::kWrite, &Api::Impl::ResolveRisk},
    {"POST", "/v1/pathways/{}/pause", Access::kWrite, &Api::Impl::Pause},
    {"POST", "/v1/pathways/{}/resume", Access::kWrite, &Api::Impl::Resume},
    {"POST", "/v1/pathways/{}/contact-person", Access::kWrite, &Api::Impl::AssignContactPerson},
    {"POST", "/v1/pathways/{}/employer", Access::kWrite, &Api::Impl::RecordEmployer},
    {"POST", "/v1/pathways/{}/municipality", Access::kWrite, &Api::Impl::RecordMunicipality},
    {"POST", "/v1/pathways/{}/appointments", Access::kWrite, &Api::Impl::BookAppointment},
    {"POST", "/v1/pathways/{}/appointments/{}/{}", Access::kWrite, &Api::Impl::AppointmentAction},
    {"POST", "/v1/pathways/{}/information-notice", Access::kWrite,
     &Api::Impl::GiveInformationNotice},
    {"POST", "/v1/pathways/{}/consent", Access::kWrite, &Api::Impl::RecordConsent},
    {"POST", "/v1/pathways/{}/tasks/{}/{}", Access::kWrite, &Api::Impl::TaskAction},
    {"POST", "/v1/pathways/{}/migrate", Access::kAdmin, &Api::Impl::Migrate},
    {"GET", "/v1/companies", Access::kStaff, &Api::Impl::ListCompanies},
    {"POST", "/v1/companies", Access::kStaff, &Api::Impl::RegisterCompany},
    {"GET", "/v1/companies/{}", Access::kStaff, &Api::Impl::GetCompany},
    {"POST", "/v1/companies/{}", Access::kStaff, &Api::Impl::RecordCompany},
    {"GET", "/v1/companies/{}/history", Access::kStaff, &Api::Impl::GetCompanyHistory},
    {"GET", "/v1/companies/{}/as-of", Access::kStaff, &Api::Impl::GetCompanyAsOf},
    {"GET", "/v1/companies/{}/personal", Access::kStaff, &Api::Impl::GetCompanyPersonal},
    {"POST", "/v1/companies/{}/contacts", Access::kStaff, &Api::Impl::RecordCompanyContact},
    {"POST", "/v1/companies/{}/persons", Access::kStaff, &Api::Impl::AddContactPerson},
    {"POST", "/v1/companies/{}/persons/{}", Access::kStaff, &Api::Impl::ChangeContactPerson},
    {"POST", "/v1/companies/{}/persons/{}/remove", Access::kStaff, &Api::Impl::RemoveContactPerson},
    {"POST", "/v1/companies/{}/needs", Access::kStaff, &Api::Impl::AddCompanyNeed},
    {"POST", "/v1/companies/{}/needs/{}", Access::kStaff, &Api::Impl::ChangeCompanyNeed},
    {"POST", "/v1/companies/{}/triggers/{}", Access::kStaff, &Api::Impl::CompanyTrigger},
    {"POST", "/v1/companies/{}/consultant", Access::kStaff, &Api::Impl::AssignConsultant},
    {"POST", "/v1/companies/{}/tasks/{}/{}", Access::kStaff, &Api::Impl::CompanyTaskAction},
    {"GET", "/v1/caseload", Access::kRead, &Api::Impl::Caseload},
    {"GET", "/v1/tasks", Access::kStaff, &Api::Impl::Tasks},
    {"GET", "/v1/appointments", Access::kRead, &Api::Impl::Appointments},
    {"GET", "/v1/team", Access::kRead, &Api::Impl::Team},
    {"POST", "/v1/caseloads/{}/handover", Access::kWrite, &Api::Impl::HandOver},
    {"GET", "/v1/stats", Access::kRead, &Api::Impl::Stats},
    {"GET", "/v1/reports/esf", Access::kAudit, &Api::Impl::ReportEsf},
    {"GET", "/v1/reports/project", Access::kAudit, &Api::Impl::ReportProject},
    {"GET", "/v1/reports/companies", Access::kStaff, &Api::Impl::CompanyReport},
    {"GET", "/v1/method-notes", Access::kStaff, &Api::Impl::ListNotes},
    {"POST", "/v1/method-notes", Access::kStaff, &Api::Impl::ShareNote},
    {"POST", "/v1/method-notes/{}/withdraw", Access::kStaff, &Api::Impl::WithdrawNote},
    {"GET", "/v1/live", Access::kRead, &Api::Impl::Live},
    {"GET", "/v1/definitions", Access::kRead, &Api::Impl::ListDefinitions},
    {"POST", "/v1/definitions/reload", Access::kAdmin, &Api::Impl::ReloadDefinitions},
    {"POST", "/v1/definitions/validate", Access::kAdmin, &Api::Impl::ValidateDefinition},
    {"POST", "/v1/admin/clock", Access::kAdmin, &Api::Impl::AdvanceClock},
    {"POST", "/v1/admin/backup", Access::kAdmin, &Api::Impl::Backup},
    {"GET", "/v1/admin/dead-letters", Access::kAudit, &Api::Impl::DeadLetters},
    {"GET", "/v1/admin/deliveries/{}", Access::kAudit, &Api::Impl::GetDelivery},
    {"POST", "/v1/admin/deliveries/{}/replay", Access::kAdmin, &Api::Impl::ReplayDelivery},
    {"GET", "/v1/admin/endpoints", Access::kAudit, &Api::Impl::Endpoints},
    {"POST", "/v1/admin/endpoints/{}/enable", Access::kAdmin, &Api::Impl::EnableEndpoint},
    // Signed by the partner (Standard Webhooks), not by a bearer token.
    {"POST", "/v1/callbacks/{}", Access::kPublic, &Api::Impl::Callback},
    {"GET", "/v1/audit/verify", Access::kAudit, &Api::Impl::Verify},
    {"GET", "/v1/audit/export", Access::kAudit, &Api::Impl::Export},
    {"GET", "/v1/audit/restrictions", Access::kAudit, &Api::Impl::Restrictions},
    {"GET", "/v1/audit/checkpoint", Access::kAudit, &Api::Impl::GetCheckpoint},
    {"POST", "/v1/audit/checkpoint", Access::kAudit, &Api::Impl::SignCheckpoint},
    {"GET", "/v1/audit/checkpoint/key", Access::kAudit, &Api::Impl::CheckpointKey},
    {"POST", "/v1/audit/checkpoint/cosignatures", Access::kAudit, &Api::Impl::AddCosignatures},
    {"GET", "/v1/audit/witnesses", Access::kAudit, &Api::Impl::Witnesses},
    {"GET", "/v1/audit/proofs/inclusion", Access::kAudit, &Api::Impl::ProveInclusion},
    {"POST", "/v1/audit/proofs/inclusion", Access::kAudit, &Api::Impl::ProveInclusion},
    {"POST", "/v1/audit/proofs/consistency", Access::kAudit, &Api::Impl::ProveConsistency},
};

std::vector<std::string> Segments(std::string_view path) {
  std::vector<std::string> out;
  std::size_t start = 1;
  while (start <= path.size()) {
    std::size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    out.emplace_back(path.substr(start, end - start));
    start = end + 1;
  }
  if (!out.empty() && out.back().empty()) out.pop_back();  // a trailing slash
  return out;
}

// Matches `path` against a pattern; fills the parameters.
bool Match(const char* pattern, const std::vector<std::string>& path,
           std::vector<std::string>& params) {
  const std::vector<std::string> want = Segments(pattern);
  if (want.size() != path.size()) return false;
  params.clear();
  for (std::size_t i = 0; i < want.size(); ++i) {
    if (want[i] == "{}") {
      if (path[i].empty()) return false;
      params.push_back(path[i]);
    } else if (want[i] != path[i]) {
      return false;
    }
  }
  return true;
}

}  // namespace

std::vector<std::pair<std::string, std::string>> Api::Routes() {
  std::vector<std::pair<std::string, std::string>> out;
  for (const Route& r : kRoutes) out.emplace_back(r.method, r.pattern);
  return out;
}

Api::Api(ApiOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {
  if (Status st = impl_->live.Start(); st.ok()) {
    impl_->live_running = true;
  } else {
    spdlog::error("live updates are off: {}", st.ToString());
  }
}
Api::~Api() = default;

void Api::Handle(http::Request request, http::Responder respond) {
  const std::optional<std::vector<std::string>> segments = http::PathSegments(request.path);
  if (!segments) return respond(Problem(404, "not-found", "no such resource"));
  const std::vector<std::string>& path = *segments;
  const Route* found = nullptr;
  std::string allowed;  // the methods the path takes, for a 405's Allow
  std::vector<std::string> params;
  for (const Route& r : kRoutes) {
    if (!Match(r.pattern, path, params)) continue;
    if (request.method == r.method) {
      found = &r;
      break;
    }
    if (allowed.find(r.method) == std::string::npos) {
      allowed += (allowed.empty() ? "" : ", ") + std::string(r.method);
    }
  }
  if (found == nullptr) {
    if (!allowed.empty()) {
      return respond(
          Problem(405, "method-not-allowed", request.method + " is not allowed on " + request.path)
              .With("Allow", allowed));
    }
    return respond(Problem(404, "not-found", "no such resource: " + request.path));
  }
  Call call{std::move(request), std::move(respond), nullptr, std::move(params)};
  if (found->access != Access::kPublic) {
    http::Response problem;
    call.user = impl_->Authenticate(call.req, problem);
    if (call.user == nullptr) return call.respond(std::move(problem));
    if (!app::Allowed(found->access, *call.user)) {
      return call.respond(Problem(
          403, "forbidden",
          "the role " + std::string(config::RoleName(call.user->role)) + " may not do this"));
    }
  }
  (impl_.get()->*found->handler)(call);
}

void Api::Observe(int status, double ms) {
  std::lock_guard lock(impl_->metrics_mu);
  ++impl_->by_status[status];
  impl_->latency_sum_ms += ms;
  std::size_t b = 0;
  while (b < Impl::kBucketsMs.size() && ms > Impl::kBucketsMs[b]) ++b;
  ++impl_->buckets[b];
}

// ---- access ---------------------------------------------------------------------------------

const config::User* Api::Impl::Authenticate(const http::Request& req,
                                            http::Response& problem) const {
  const std::string& header = req.Header("authorization");
  auto unauthorized = [&](const std::string& detail) {
    problem = Problem(401, "unauthorized", detail);
    problem.With("WWW-Authenticate", "Bearer realm=\"pathways\"");
    return nullptr;
  };
  if (header.empty()) return unauthorized("send `Authorization: Bearer <token>`");
  constexpr std::string_view kBearer = "Bearer ";
  if (header.size() <= kBearer.size() || header.compare(0, kBearer.size(), kBearer) != 0) {
    return unauthorized("the Authorization header must be `Bearer <token>`");
  }
  std::optional<std::string> user = options.tokens->Authenticate(header.substr(kBearer.size()));
  if (!user) return unauthorized("the token is not valid (unknown or revoked)");
  auto it = options.users.find(*user);
  if (it == options.users.end()) return unauthorized("the token's user is no longer configured");
  return &it->second;
}

std::optional<runtime::PathwayState> Api::Impl::VisiblePathway(Call& c, const std::string& id) {
  Result<runtime::PathwayState> s = workspace.Pathway(*c.user, id);
  if (!s.ok()) {
    c.respond(ProblemFor(s.status()));
    return std::nullopt;
  }
  return std::move(*s);
}

void Api::Impl::SubmitOn(Call& c, runtime::Command command, int success_status) {
  Result<CommandRequest> r = workspace.OnPathway(*c.user, c.params[0], std::move(command));
  if (!r.ok()) return c.respond(BodyProblemFor(r.status()));
  Submit(c, std::move(*r), success_status);
}

std::string Api::Impl::NewId(const char* prefix) const { return app::NewId(prefix); }

std::optional<std::uint64_t> ParseUnsigned(const std::string& text) {
  if (text.empty() || text.size() > 19 ||
      !std::all_of(text.begin(), text.end(), [](char ch) { return ch >= '0' && ch <= '9'; })) {
    return std::nullopt;
  }
  return std::stoull(text);
}

http::Response Written(int status, const AppendResult& r) {
  return Json(status, {{"pathway_id", r.stream_id},
                       {"version", r.last_version},
                       {"position", r.last_position},
                       {"duplicate", r.duplicate}})
      .With("ETag", "\"" + std::to_string(r.last_version) + "\"");
}

std::string Api::Impl::DerivedId(const char* prefix, const std::string& seed) {
  return prefix + TokenHash(seed).substr(0, 20);
}

void Api::Impl::Submit(Call& c, CommandRequest r, int success_status,
                       std::function<void(Call&, const AppendResult&)> then) {
  if (options.store->Stats().queue_depth >= options.max_queue) {
    rejected_queue_full.fetch_add(1, std::memory_order_relaxed);
    return c.respond(Problem(429, "busy", "too many commands are waiting; retry shortly")
                         .With("Retry-After", "1"));
  }
  const std::string& key = c.req.Header("idempotency-key");
  if (!key.empty()) {
    if (key.size() > 100 ||
        !std::all_of(key.begin(), key.end(), [](char ch) { return ch > 0x20 && ch < 0x7f; })) {
      return c.respond(
          Problem(400, "invalid-request", "Idempotency-Key must be 1-100 printable characters"));
    }
    // Per user: two callers' keys never meet. The fingerprint tells the same request from
    // another one under the same key.
    r.command_id =
        (r.command_id.empty() ? "" : r.command_id + ":") + "key:" + c.user->id + ":" + key;
    r.fingerprint = TokenHash(c.req.method + " " + c.req.path + "\n" + c.req.body);
  } else if (r.command_id.empty()) {
    r.command_id = NewId("cmd-");
  }
  const std::string& if_match = c.req.Header("if-match");
  if (!if_match.empty()) {
    std::string v = if_match;
    if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
    const std::optional<std::uint64_t> version = ParseUnsigned(v);
    if (!version) {
      return c.respond(Problem(400, "invalid-request",
                               "If-Match must be the pathway's version as an ETag, e.g. \"7\""));
    }
    r.expected = ExpectedVersion::Exact(*version);
  }
  const config::User& user = *c.user;
  auto call = std::make_shared<Call>(std::move(c));
  workspace.Submit(user, std::move(r),
                   [call, success_status, then = std::move(then)](Result<AppendResult> result) {
                     if (!result.ok()) return call->respond(ProblemFor(result.status()));
                     if (then) return then(*call, *result);
                     call->respond(Written(success_status, *result));
                   });
}

// ---- definitions ----------------------------------------------------------------------------

void Api::Impl::ListDefinitions(Call& c) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& d : options.catalog->All()) {
    const auto newest = options.catalog->Newest(d->id);
    list.push_back({{"id", d->id},
                    {"version", d->version},
                    {"hash", d->hash},
                    {"title", {{"da", d->title.da}, {"en", d->title.en}}},
                    {"states", d->states.size()},
                    {"transitions", d->transitions.size()},
                    {"newest", newest == d}});
  }
  c.respond(Json(200, {{"definitions", list}}));
}

namespace {
nlohmann::json DiagnosticsJson(const std::vector<workflows::Diagnostic>& ds) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& d : ds) {
    out.push_back({{"file", d.file},
                   {"line", d.line},
                   {"column", d.column},
                   {"message", d.message},
                   {"text", d.ToString()}});
  }
  return out;
}
}  // namespace

void Api::Impl::ReloadDefinitions(Call& c) {
  if (!options.reload) return c.respond(Problem(501, "not-configured", "reloading is not set up"));
  std::vector<std::string> added;
  std::size_t unchanged = 0;
  std::vector<workflows::Diagnostic> ds = options.reload(added, unchanged);
  if (!ds.empty()) {
    return c.respond(
        Problem(422, "definitions-invalid",
                "the definitions were not reloaded: " + ds.front().ToString() +
                    (ds.size() > 1 ? " (and " + std::to_string(ds.size() - 1) + " more)" : "") +
                    "; the running ones stay",
                {{"diagnostics", DiagnosticsJson(ds)}}));
  }
  c.respond(Json(200, {{"added", added}, {"unchanged", unchanged}}));
}

void Api::Impl::ValidateDefinition(Call& c) {
  workflows::LoadResult r = workflows::LoadDefinition(c.req.body, "upload.yaml");
  if (!r.definition) {
    return c.respond(Problem(
        422, "definition-invalid",
        r.diagnostics.empty() ? "the definition is not valid" : r.diagnostics.front().ToString(),
        {{"diagnostics", DiagnosticsJson(r.diagnostics)}}));
  }
  const auto& d = *r.definition;
  c.respond(Json(200, {{"valid", true},
                       {"id", d.id},
                       {"version", d.version},
                       {"hash", d.hash},
                       {"states", d.states.size()},
                       {"transitions", d.transitions.size()},
                       {"timers", d.timers.size()},
                       {"loaded", false}}));
}

// ---- administration and audit ---------------------------------------------------------------

void Api::Impl::AdvanceClock(Call& c) {
  if (options.manual_clock == nullptr) {
    return c.respond(Problem(409, "clock-not-manual",
                             "the server runs on the system clock; start it with `clock: manual`"));
  }
  Fields f(c.req.body, {"advance_ms", "to"});
  const std::optional<std::int64_t> advance = f.Integer("advance_ms");
  const std::string to = f.Text("to");
  if (!f.ok()) return c.respond(f.Problem());
  // One move of the clock goes at most a century ahead: far enough for any test of a
  // pathway's timers, and no sum of a time and a step can overflow.
  constexpr TimestampMs kMaxStepMs = 100LL * 366 * 24 * 3600 * 1000;
  const TimestampMs now = options.manual_clock->NowMs();
  TimestampMs target = now;
  if (advance) {
    if (*advance < 0) return c.respond(Problem(400, "invalid-body", "the clock never goes back"));
    if (*advance > kMaxStepMs) {
      return c.respond(Problem(400, "invalid-body", "`advance_ms` may be at most 100 years"));
    }
    target += *advance;
  } else if (!to.empty()) {
    if (!codec::ParseIso8601(to, target)) {
      return c.respond(Problem(400, "invalid-body", "`to` must be an ISO 8601 time"));
    }
    if (target < now) return c.respond(Problem(400, "invalid-body", "the clock never goes back"));
    if (target - now > kMaxStepMs) {
      return c.respond(Problem(400, "invalid-body", "`to` may be at most 100 years ahead"));
    }
  } else {
    return c.respond(Problem(400, "invalid-body", "give `advance_ms` or `to`"));
  }
  options.manual_clock->Set(target);
  // The sweep fires whatever fell due; answer once it has, so a caller sees the result.
  auto call = std::make_shared<Call>(std::move(c));
  jobs.Run([this, call] {
    std::uint64_t fired = 0;
    if (options.scheduler != nullptr) {
      const std::uint64_t before = options.scheduler->stats().fired;
      options.scheduler->SweepAndWait();
      fired = options.scheduler->stats().fired - before;
    }
    call->respond(Json(200, {{"now", codec::FormatIso8601(options.manual_clock->NowMs())},
                             {"timers_fired", fired}}));
  });
}

void Api::Impl::Verify(Call& c) {
  auto call = std::make_shared<Call>(std::move(c));
  jobs.Run([this, call] {
    auto report = options.store->Verify();
    if (!report.ok()) return call->respond(ProblemFor(report.status()));
    nlohmann::json body = {{"ok", report->ok},
                           {"events", report->events},
                           {"head_position", report->head.position},
                           {"head_hash", codec::HexEncode(report->head.hash)}};
    if (!report->ok) {
      body["first_bad_position"] = report->first_bad_position;
      body["problem"] = report->problem;
    }
    call->respond(Json(200, body));
  });
}

void Api::Impl::Backup(Call& c) {
  Fields f(c.req.body, {});
  if (!f.ok()) return c.respond(f.Problem());
  if (options.backup_dir.empty()) {
    return c.respond(Problem(501, "not-configured", "no `backups` directory is configured"));
  }
  // On the background thread: a backup copies files and may take a while.
  auto call = std::make_shared<Call>(std::move(c));
  jobs.Run([this, call] {
    auto info = options.store->Backup(options.backup_dir, /*with_master_key=*/false);
    if (!info.ok()) return call->respond(ProblemFor(info.status()));
    call->respond(Json(200, {{"backup_id", info->id},
                             {"head_position", info->head_position},
                             {"head_hash", info->head_hash},
                             {"bytes", info->bytes},
                             {"directory", options.backup_dir}}));
  });
}

}  // namespace pathways::api

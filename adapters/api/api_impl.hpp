#pragma once
// Internal to adapters/api: the state behind Api, shared by its source files (api.cpp: routing,
// access, health, metrics, definitions and administration; pathway_routes.cpp: pathways,
// caseloads, tasks and statistics).

#include <array>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "adapters/api/api.hpp"
#include "adapters/api/live_feed.hpp"
#include "adapters/api/problem.hpp"
#include "adapters/app/companies.hpp"
#include "adapters/app/method_notes.hpp"
#include "adapters/app/reports.hpp"
#include "adapters/app/workspace.hpp"
#include "adapters/config/notify_config.hpp"
#include "adapters/platform/background_jobs.hpp"

namespace pathways::api {

// One request on its way through the API.
struct Call {
  http::Request req;
  http::Responder respond;
  const config::User* user = nullptr;  // null on public routes
  std::vector<std::string> params;     // the path's {parameters}, in order
};

// Who may reach a route: the application layer's rule (app::Allowed).
using app::Access;

// Reads a JSON request body field by field, collecting every problem; unknown fields are
// problems too.
class Fields {
 public:
  Fields(const std::string& body, std::initializer_list<const char*> allowed);
  std::string Text(const char* key, bool required = false, std::size_t max_bytes = 1000);
  nlohmann::json Object(const char* key);  // an object or {} when absent
  std::optional<std::int64_t> Integer(const char* key);
  bool Flag(const char* key);
  // A list of texts, or {} when absent.
  std::vector<std::string> Texts(const char* key);
  // Whether the body has `key` at all.
  bool Has(const char* key) const { return j_.is_object() && j_.contains(key); }
  bool ok() const { return errors_.empty(); }
  http::Response Problem() const;

 private:
  nlohmann::json j_;
  std::vector<std::string> errors_;
};

// Reads query parameters strictly, collecting every problem: a value a parameter does not
// take is a 400 naming the parameter, never silently ignored or replaced by a default.
class QueryParams {
 public:
  explicit QueryParams(const http::Request& req) : req_(req) {}
  // A count from 1 to `max` (digits only), or `fallback` when absent.
  std::size_t Count(const char* name, std::size_t fallback, std::size_t max);
  // A version or log position of at least `min` (digits only), or `fallback` when absent.
  std::uint64_t Number(const char* name, std::uint64_t fallback, std::uint64_t min = 1);
  // `true` or `false` (also `1` or `0`), or false when absent.
  bool Flag(const char* name);
  bool ok() const { return errors_.empty(); }
  http::Response Problem() const;

 private:
  const http::Request& req_;
  std::vector<std::string> errors_;
};

struct Api::Impl {
  explicit Impl(ApiOptions o)
      : options(std::move(o)),
        workspace(
            {options.store, options.catalog, options.clock, &options.users, &options.schools}),
        companies(
            {options.store, options.catalog, options.clock, &options.users, &options.schools}),
        notes(options.store, &options.schools),
        reports({options.store, options.catalog, options.reports, &options.schools}),
        live(*options.store, options.live) {}
  ApiOptions options;
  app::Workspace workspace;  // the use cases and access rules; the routes map onto it
  app::Companies companies;  // the company records' (company_routes.cpp)
  app::MethodNotes notes;    // the schools' method notes (note_routes.cpp)
  app::Reports reports;      // the funder's reports
  adapters::BackgroundJobs jobs;
  LiveFeed live;  // after options: its dispatcher calls filters that read them
  bool live_running = false;

  // ---- metrics ----
  static constexpr std::array<double, 10> kBucketsMs = {1, 2, 5, 10, 25, 50, 100, 250, 1000, 5000};
  std::mutex metrics_mu;
  std::map<int, std::uint64_t> by_status;                      // guarded by metrics_mu
  std::array<std::uint64_t, kBucketsMs.size() + 1> buckets{};  // guarded by metrics_mu
  double latency_sum_ms = 0;                                   // guarded by metrics_mu
  std::atomic<std::uint64_t> rejected_queue_full{0};

  // ---- shared helpers (api.cpp) ----
  // The user a request's bearer token names, or the 401 to answer.
  const config::User* Authenticate(const http::Request& req, http::Response& problem) const;
  // A pathway the caller may see, or nullopt after answering 404 (or the error).
  std::optional<runtime::PathwayState> VisiblePathway(Call& c, const std::string& id);
  // A command on pathway `c.params[0]` through the workspace's rules, then Submit.
  void SubmitOn(Call& c, runtime::Command command, int success_status = 200);
  // Submits a command on the caller's behalf with Idempotency-Key and If-Match, and answers
  // with the pathway's new version (or the problem). `then` (optional) runs after success
  // and may answer itself instead.
  void Submit(Call& c, CommandRequest request, int success_status,
              std::function<void(Call&, const AppendResult&)> then = {});
  std::string NewId(const char* prefix) const;
  // The same id for the same seed (80 bits of its SHA-256).
  static std::string DerivedId(const char* prefix, const std::string& seed);

  // ---- routes (pathway_routes.cpp) ----
  void RegisterLead(Call& c);
  void GetPathway(Call& c);
  void GetHistory(Call& c);
  void GetAsOf(Call& c);
  void FireTrigger(Call& c);
  void RecordContact(Call& c);
  void RecordData(Call& c);
  void RecordBarrier(Call& c);
  void RecordMissed(Call& c);
  void RaiseRisk(Call& c);
  void ResolveRisk(Call& c);
  void Pause(Call& c);
  void Resume(Call& c);
  void AssignContactPerson(Call& c);
  void TaskAction(Call& c);
  // The command a task route (`…/tasks/{task}/{action}`) asks for; false once it answered.
  bool TaskCommand(Call& c, runtime::Command& command);
  void Migrate(Call& c);
  void Caseload(Call& c);
  void Tasks(Call& c);
  void Stats(Call& c);

  // ---- routes (participant_routes.cpp) ----
  void RecordEmployer(Call& c);
  void RecordMunicipality(Call& c);
  void BookAppointment(Call& c);
  void AppointmentAction(Call& c);
  void GiveInformationNotice(Call& c);
  void RecordConsent(Call& c);
  void Appointments(Call& c);

  // ---- routes (company_routes.cpp) ----
  void ListCompanies(Call& c);
  void RegisterCompany(Call& c);
  void GetCompany(Call& c);
  void GetCompanyHistory(Call& c);
  void GetCompanyAsOf(Call& c);
  void GetCompanyPersonal(Call& c);
  void RecordCompany(Call& c);
  void RecordCompanyContact(Call& c);
  void AddContactPerson(Call& c);
  void ChangeContactPerson(Call& c);
  void RemoveContactPerson(Call& c);
  void AddCompanyNeed(Call& c);
  void ChangeCompanyNeed(Call& c);
  void CompanyTrigger(Call& c);
  void AssignConsultant(Call& c);
  void CompanyTaskAction(Call& c);
  void CompanyReport(Call& c);
  // A command on the record of CVR `c.params[0]` through the companies' rules, then Submit.
  void SubmitOnCompany(Call& c, runtime::Command command, int success_status = 200);

  // ---- routes (proof_routes.cpp) ----
  void GetCheckpoint(Call& c);
  void SignCheckpoint(Call& c);
  void CheckpointKey(Call& c);
  void AddCosignatures(Call& c);
  void Witnesses(Call& c);
  void ProveInclusion(Call& c);
  void ProveConsistency(Call& c);

  // ---- routes (note_routes.cpp) ----
  void ListNotes(Call& c);
  void ShareNote(Call& c);
  void WithdrawNote(Call& c);

  // ---- routes (team_routes.cpp) ----
  void Team(Call& c);
  void HandOver(Call& c);

  // ---- routes (personal_routes.cpp) ----
  void GetPersonal(Call& c);
  void PersonalAccessLog(Call& c);
  // An erasure of the pathway's participant: restricted until the ESF audit end when asked
  // before it (app/retention.hpp); the restrictions for the auditors.
  void RequestErasure(Call& c);
  void Restrictions(Call& c);
  void Live(Call& c);
  void Export(Call& c);

  // ---- routes (report_routes.cpp) ----
  void ReportEsf(Call& c);
  void ReportProject(Call& c);

  // ---- routes (api.cpp) ----
  void Health(Call& c);
  void Ready(Call& c);
  void Metrics(Call& c);
  void ListDefinitions(Call& c);
  void ReloadDefinitions(Call& c);
  void ValidateDefinition(Call& c);
  void AdvanceClock(Call& c);
  void Verify(Call& c);
  void Backup(Call& c);

  // ---- routes (notify_routes.cpp) ----
  // False after answering 501 when the server runs no notification adapters.
  bool NotifierReady(Call& c);
  void DeadLetters(Call& c);
  void GetDelivery(Call& c);
  void ReplayDelivery(Call& c);
  void Endpoints(Call& c);
  void EnableEndpoint(Call& c);
  void Callback(Call& c);
  void Referral(Call& c, const std::string& party, const config::PartyChannels& pc,
                const std::string& webhook_id);
};

// A version or log position from a header or query value: digits only (at most 19).
std::optional<std::uint64_t> ParseUnsigned(const std::string& text);

// A write's answer: {pathway_id, version, position, duplicate} with the version as ETag.
http::Response Written(int status, const AppendResult& r);

nlohmann::json LabelJson(const definition::Label& l);
// Parts of a pathway's view a company's shares: the state with its words, milestones, tasks.
nlohmann::json StateView(const runtime::PathwayState& s, const definition::Definition* def);
nlohmann::json MilestonesView(const runtime::PathwayState& s);
nlohmann::json TasksView(const runtime::PathwayState& s, TimestampMs now);

// A company's record as the API shows it (no contact person's own data).
nlohmann::json CompanyView(const runtime::PathwayState& s, const definition::Definition* def,
                           TimestampMs now);

// The pathway as the API shows it (no personal data).
nlohmann::json PathwayView(const runtime::PathwayState& s, const definition::Definition* def,
                           TimestampMs now);
nlohmann::json EventView(const RecordedEvent& e);

}  // namespace pathways::api

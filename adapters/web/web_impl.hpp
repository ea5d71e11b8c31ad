#pragma once
// The workspace's inside, shared by the files that make its pages (web.cpp: requests, sign-in
// and the frame of every page; counsellor_pages.cpp, team_pages.cpp, admin_pages.cpp,
// audit_pages.cpp, employer_pages.cpp: each role's pages). Not for use outside adapters/web.

#include <future>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "adapters/api/live_feed.hpp"
#include "adapters/app/companies.hpp"
#include "adapters/app/method_notes.hpp"
#include "adapters/app/project_report.hpp"
#include "adapters/app/workspace.hpp"
#include "adapters/auth/passwords.hpp"
#include "adapters/platform/background_jobs.hpp"
#include "adapters/web/messages.hpp"
#include "adapters/web/pages.hpp"
#include "adapters/web/web.hpp"
#include "engine/definition/catalog.hpp"
#include "engine/event_types.hpp"
#include "engine/runtime/company.hpp"

namespace pathways::web {

using config::Role;
using nlohmann::json;

inline constexpr const char* kSessionsStream = "$sessions";
inline constexpr const char* kSessionCookie = "pw_session";
inline constexpr const char* kSignInCookie = "pw_signin";  // the sign-in form's CSRF token
inline constexpr const char* kLangCookie = "pw_lang";

// ---- the pieces pages share (web_support.cpp) ----

// The headers every page and redirect carries.
http::Response Secured(http::Response r);
http::Response Html(int status, std::string body);
// POST, then redirect: 303 makes the browser GET the next page.
http::Response Redirect(const std::string& location);
std::map<std::string, std::string> ParseCookies(const std::string& header);
// Equal and not empty, compared in constant time.
bool SameSecret(const std::string& a, const std::string& b);
// Where to go after signing in: a path of this site, never another site ("//host", "/\host").
std::string LocalPath(const std::string* p);

// A form as sent: URL-encoded, or multipart (a form with a file).
class Form {
 public:
  explicit Form(const std::string& body);
  explicit Form(const http::Request& req);
  const std::string* Get(std::string_view name) const;
  // Every value sent under `name` (a group of checkboxes), in the form's order.
  std::vector<std::string> All(std::string_view name) const;
  std::string Text(std::string_view name) const;

 private:
  std::vector<std::pair<std::string, std::string>> fields_;
};

// A number of at least two digits: "07".
std::string Two(std::int64_t n);
// "10.00" / "10:00", Danish time.
std::string TimeOfDay(TimestampMs at, Lang lang);
// "3.2.2027 kl. 10.00" / "3 Feb 2027 10:00", Danish time.
std::string When(TimestampMs at, Lang lang, bool with_time = true);
const std::string& Pick(const definition::Label& l, Lang lang);
// A phase in words: the message `phase_ID`, or the definition's id when there is none.
std::string PhaseLabel(const std::string& phase, Lang lang);
// The label of the item with `id` in `items` (states, milestones, risks, …), else the id.
template <class Item>
std::string LabelOf(const std::vector<Item>& items, const std::string& id, Lang lang) {
  for (const Item& item : items) {
    if (item.id == id) return Pick(item.label, lang);
  }
  return id;
}
// A {da, en} title in `lang`, Danish when there is no English.
std::string TitleIn(const json& title, Lang lang);
// What an event was about, in words: the milestone, task, risk or party it names.
std::string Detail(const std::string& type, const json& data, const definition::Definition* def,
                   Lang lang);
// A record's definition: the one it runs, else (s null, or its version gone) the newest company
// definition; null when none is loaded.
definition::DefinitionCatalog::Ptr CompanyDefinitionOf(const definition::DefinitionCatalog& catalog,
                                                       const runtime::PathwayState* s);
// A company's words from its definition (company_pages.cpp): its industry ("43.21 El-
// installation"), its green tags, its size band ("Lille virksomhed (10–49 ansatte)").
std::string IndustryLabel(const definition::Definition* def, const std::string& code, Lang lang);
std::vector<std::string> GreenLabels(const definition::Definition* def,
                                     const std::vector<std::string>& tags, Lang lang);
std::string SizeBandLabel(const std::string& band, Lang lang);
// The design system's badge for a risk's severity.
std::string BadgeFor(const std::string& severity);
// A transition's words: its label, else the message `trigger_ID` (one that stays in its
// state), else where it leads from `state`, else the trigger's id.
std::string TriggerLabel(const definition::Definition& def, const definition::Transition& t,
                         const std::string& state, Lang lang);
// What a guard requires, in words: the definition's label, else (a definition written before
// `languages`) the message `guard_ID`, else its description.
std::string GuardInWords(const definition::Definition& def, const std::string& guard, Lang lang);
// Why an event was recorded, in words: "trigger X" and "timer X" (the engine's) as the
// transition's or the timer's label; a person's own reason as it is. `def` may be null.
std::string ReasonInWords(const std::string& reason, const definition::Definition* def, Lang lang);
// A trigger in words as taken from `state` (its transition's label), or its id without a
// definition.
std::string TriggerInWords(const definition::Definition* def, const std::string& trigger,
                           const std::string& state, Lang lang);
// Why the pathway's rules refused a command, in the user's language where the engine's reason
// is one the definition can put in words (a guard that does not hold, a trigger the state does
// not offer); the engine's own words otherwise. `def` may be null.
std::string RefusalInWords(const std::string& reason, const definition::Definition* def, Lang lang);
// A trigger as a form: its label (or where it leads from `state`) and the fields its payload
// takes, with the definition's words for their allowed values.
json TriggerForm(const definition::Definition& def, const definition::Transition& t,
                 const std::string& state, Lang lang);
// The forms of the triggers `state` offers, each once (several transitions may share one, told
// apart by their guards).
json OfferedTriggers(const definition::Definition& def, const std::string& state, Lang lang);
// The payload of `trigger` from a form, by the definition's types (a form sends only text);
// the first field that is not of its type is named in `problem`.
json TriggerPayload(const Form& form, const definition::Definition& def, const std::string& trigger,
                    Lang lang, std::string& problem);

struct Web::Impl {
  explicit Impl(WebOptions options)
      : o(std::move(options)),
        workspace(app::WorkspaceOptions{o.store, o.catalog, o.clock, o.users, o.schools}),
        companies(app::WorkspaceOptions{o.store, o.catalog, o.clock, o.users, o.schools}),
        notes(o.store, o.schools),
        reports(app::ReportsOptions{o.store, o.catalog, o.reports, o.schools}),
        sessions(*o.wall_clock, o.sessions),
        throttle(*o.wall_clock, o.throttle),
        passwords(o.passwords_file) {
    // Unknown names cost as much as known ones: an equal Argon2id verification.
    if (auto h = auth::HashPassword("a password no one has, for timing")) dummy_hash = *h;
  }

  // One request on its way through the workspace.
  struct Page {
    http::Request req;
    http::Responder respond;
    Lang lang = Lang::kDa;
    std::map<std::string, std::string> cookies;
    std::string session_id;
    std::optional<Session> session;
    const config::User* user = nullptr;
    std::vector<std::string> segments;
  };

  void Handle(http::Request req, http::Responder respond);

  // ---- pieces of every page ----
  std::string Layout(const Page& p, const std::string& title, const std::string& body,
                     const std::string& current) const;
  void Send(Page& p, int status, const std::string& title, const std::string& body,
            const std::string& current = "") const {
    p.respond(Html(status, Layout(p, title, body, current)));
  }
  void Error(Page& p, int status, const std::string& heading_key, const std::string& text) const {
    const std::string heading = Message(p.lang, heading_key);
    Send(p, status, heading,
         RenderTemplate("error", {{"heading", heading}, {"text", text}}, p.lang));
  }
  std::string Origin(const http::Request& req) const {
    if (!o.origin.empty()) return o.origin;
    return std::string(o.tls ? "https://" : "http://") + req.Header("host");
  }
  std::string Cookie(const std::string& name, const std::string& value,
                     std::int64_t max_age_s) const {
    std::string c = name + "=" + value + "; Path=/; HttpOnly; SameSite=Strict";
    if (max_age_s >= 0) c += "; Max-Age=" + std::to_string(max_age_s);
    if (o.tls) c += "; Secure";
    return c;
  }
  // Records a sign-in, a failed one or a sign-out in `$sessions`.
  void Record(const Actor& actor, events::SystemEvent event) const;
  // Records a session that ended without its user signing out (idle, expired, evicted).
  void RecordEnded(const SessionStore::Ended& ended) const;

  // ---- routes ----
  void SignInForm(Page& p, const std::string& error, const std::string& user_name,
                  const std::string& next, int status = 200);
  void SignIn(Page& p);
  void SignOut(Page& p);
  void Language(Page& p);
  void Home(Page& p);
  void Participants(Page& p);
  void Purpose(Page& p);
  // `refusal`: why the action just tried was refused, shown above the actions.
  void Participant(Page& p, const std::string& id, const std::string& refusal = "",
                   int status = 200);
  void Act(Page& p, const std::string& id);
  // "Mine opgaver": the user's open tasks, soonest due first; `?part=list` is the list alone,
  // which the page's script fetches again when /tasks/live tells of a change.
  void Tasks(Page& p);
  // "Ny henvendelse": a lead registered in one short form; `values` are what was typed,
  // `errors` the problems by field, `general` one that belongs to no field.
  void NewLeadForm(Page& p, const json& values, const json& errors, const std::string& general,
                   int status = 200);
  void NewLead(Page& p);
  void TasksLive(Page& p);
  // "Mine aftaler": today's appointments and the rest of the week's, each with whom and where.
  void Appointments(Page& p);
  // The team lead's page: each counsellor's load, the tasks that need a look (reassigned from
  // here), and a whole caseload handed over; `error`: why the form just sent was refused.
  void Team(Page& p, const std::string& error, int status);
  // Back to the team page after a form was done, saying what.
  void TeamDone(Page& p, const Form& form, const std::string& done);
  void Reassign(Page& p);
  // The administrator's pages: the loaded definitions, each drawn with its transitions as a
  // table, and a YAML checked as the loader checks it, problems at their line and column.
  void Admin(Page& p, bool get);
  void Definitions(Page& p);
  void DefinitionPage(Page& p, const std::string& id, const std::string& version);
  void Validate(Page& p);
  // The links between the administrator's pages, `current` marked.
  json AdminNav(const Page& p, const std::string& current) const;
  // Leads imported from a CSV upload: checked (every problem by its line), then imported.
  void ImportForm(Page& p, json model, int status);
  void Import(Page& p);
  // Progress toward the target and the funnel, as charts with their numbers as tables.
  void Progress(Page& p);
  // The funder's reports (report_pages.cpp), for administrators and auditors: the ESF+
  // indicators and the project's figures as tables and charts, for a period, a school and a
  // log position, printable and as CSV; a figure opened to the participants it counts.
  void Reports(Page& p);
  void EsfPage(Page& p, const app::ReportQuery& query, const std::string& problem);
  void ProjectPage(Page& p, const app::ReportQuery& query, const std::string& problem);
  void EsfCellPage(Page& p, const app::ReportQuery& query);
  // A report that cannot be made: the form again with the problem (400); not found for whom
  // the report is not.
  void ReportProblem(Page& p, const app::ReportQuery& query, const std::string& kind,
                     const std::string& problem);
  void ReportProblem(Page& p, const app::ReportQuery& query, const std::string& kind,
                     const Status& why);
  // Endpoints and their health, and the dead letters, each sent again from here.
  void Notifications(Page& p, const std::string& error, int status = 200);
  void NotificationAct(Page& p, const std::string& act);
  // The auditor's pages: the chain verified, a pathway as it stood at a date (the state then,
  // its history and the refused commands), and who read its participant's personal data.
  void Audit(Page& p);
  void AuditPathway(Page& p, const std::string& id);
  void AuditReads(Page& p, const std::string& id);
  // The log as a download (JSON lines or CSV), personal data sealed: as GET /v1/audit/export.
  void AuditExport(Page& p);
  // The proofs of the log (proof_pages.cpp): /audit/proofs with the latest checkpoint, its
  // cosignatures and the witnesses; /audit/proofs/inclusion?pathway= (a download),
  // POST /audit/proofs/consistency (an old checkpoint: did the log only grow?) and
  // POST /audit/proofs/sign. `model` carries a form's outcome.
  void AuditProofAct(Page& p);
  void AuditProofs(Page& p, json model, int status = 200);
  void HandOver(Page& p);
  // The companies' pages (company_pages.cpp: the list, a new record, the pipeline;
  // company_page.cpp: one record and what is done on it). "Virksomheder": the records the user
  // sees, the consultant's own first, overdue follow-ups first, filtered by stage, industry,
  // green tag and school in the address (a company's name is not personal data).
  void CompanyList(Page& p);
  void NewCompanyForm(Page& p, const json& values, const json& errors, const std::string& general,
                      int status = 200);
  void NewCompany(Page& p);
  // The companies per stage per school, side by side, with the time they have been in it and
  // the dialogue's steps reached: counts only, for every school's staff.
  void Pipeline(Page& p);
  void CompanyPage(Page& p, const std::string& cvr, const std::string& refusal = "",
                   int status = 200);
  void CompanyAct(Page& p, const std::string& cvr);
  // "Metodenoter" (note_pages.cpp): the schools' method notes, newest first, filtered by topic
  // and school in the address, a form to share one, and withdrawing one's own; `values` are
  // what was typed when `error` says why it was refused.
  void Notes(Page& p, const json& values = json::object(), const std::string& error = "",
             int status = 200);
  void ShareNote(Page& p);
  void WithdrawNote(Page& p, const std::string& id);
  // The history of pathway `id` in words, newest first; the timers' own bookkeeping is left
  // out (timeline.cpp). `def` may be null.
  Result<json> Timeline(const Page& p, const std::string& id,
                        const definition::Definition* def) const;
  // What the pathways of tasks are, in words and as a link: a participant's name (each read
  // recorded, as Names) or a company's; "name unknown" where it may not be read.
  struct Subject {
    std::string name;
    std::string href;
  };
  std::map<std::string, Subject> Subjects(const Page& p, const std::vector<std::string>& ids);
  // The school a team page is about: the user's own, or the one a partnership-wide user chose.
  std::string TeamSchool(const Page& p, const Form& form) const;
  // The pathway's open tasks as a page shows them: title in the user's language, when due,
  // whether overdue, to whom (counsellor_pages.cpp; the company page too).
  json OpenTasks(const Page& p, const runtime::PathwayState& s) const;
  // The actions the pathway's state offers, each a form; `def` may be null.
  json Actions(const Page& p, const runtime::PathwayState& s,
               const definition::Definition* def) const;
  void Asset(Page& p);
  // A partner's page from a signed link (/confirm/TOKEN): what its party may confirm now.
  void Confirm(Page& p, bool get);
  // The link a request opens, and what its page shows in `model`; nullopt when the page has
  // been sent already (not a link, expired, used).
  std::optional<auth::LinkClaims> OpenLink(Page& p, json& model);
  // Who did something, in words: a user's name, Pathways itself, or a partner (by link or
  // callback) by its party's label in `def` (may be null).
  std::string Who(const Actor& actor, const definition::Definition* def, Lang lang) const {
    if (actor.user == "system") return Message(lang, "actor_system");
    if (actor.role == "partner") {
      const std::string party =
          def != nullptr ? LabelOf(def->parties, actor.user, lang) : actor.user;
      return Message(lang, "actor_partner", {{"party", party}});
    }
    return UserName(actor.user);
  }

  // Submits `request` as the user and waits until its outcome is durable.
  Status Run(const Page& p, CommandRequest request) const {
    std::promise<Status> done;
    workspace.Submit(*p.user, std::move(request),
                     [&done](Result<AppendResult> r) { done.set_value(r.status()); });
    return done.get_future().get();
  }
  // A command on a pathway from a form, under the form's own id: sent twice (a reload, a
  // double click), it is done once. A company's record goes by the companies' rules.
  Status RunOn(const Page& p, const Form& form, const std::string& pathway,
               runtime::Command command) const {
    const std::string_view company(runtime::kCompanyPathwayPrefix);
    Result<CommandRequest> request =
        pathway.starts_with(company)
            ? companies.On(*p.user, pathway.substr(company.size()), std::move(command))
            : workspace.OnPathway(*p.user, pathway, std::move(command));
    if (!request.ok()) return request.status();
    const std::string cmd = form.Text("cmd");
    request->command_id = cmd.size() >= 8 && cmd.size() <= 64 ? cmd : app::NewId("web-");
    return Run(p, std::move(*request));
  }
  // A user's name, or the id when the users file has no such user (any more).
  std::string UserName(const std::string& id) const {
    auto u = o.users->find(id);
    return u == o.users->end() ? id : u->second.name;
  }
  // What `?done=` says was just done, in words ("" for nothing known): after POST, redirect.
  static std::string Done(const Page& p) {
    const std::string* done = p.req.Query("done");
    if (done == nullptr) return {};
    const MessageTable& m = Messages(p.lang);
    auto it = m.find("done_" + *done);
    return it == m.end() ? std::string() : it->second;
  }
  // The names of pathways `ids` (each once, whatever repeats), each read recorded with the
  // session's purpose; id -> name (missing: not readable).
  std::map<std::string, std::string> Names(const Page& p, const std::vector<std::string>& ids);
  // Asks for the purpose first when the session has none; false when it did.
  bool HasPurpose(Page& p);

  WebOptions o;
  app::Workspace workspace;
  app::Companies companies;
  app::MethodNotes notes;
  app::Reports reports;
  SessionStore sessions;
  SignInThrottle throttle;
  auth::PasswordFile passwords;
  std::string dummy_hash;
  // Tells open task pages that their user's inbox changed (Server-Sent Events).
  api::LiveFeed live{*o.store};
  // Reads an export's chunks off the server's threads.
  adapters::BackgroundJobs jobs;
};

}  // namespace pathways::web

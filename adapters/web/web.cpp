#include "adapters/web/web.hpp"

#include <openssl/crypto.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <future>
#include <mutex>
#include <set>

#include "adapters/api/live_feed.hpp"
#include "adapters/api/tokens.hpp"
#include "adapters/app/workspace.hpp"
#include "adapters/auth/passwords.hpp"
#include "adapters/web/assets.hpp"
#include "adapters/web/diagram.hpp"
#include "adapters/web/messages.hpp"
#include "adapters/web/pages.hpp"
#include "engine/codec/event_record.hpp"
#include "engine/event_types.hpp"
#include "engine/runtime/calendar.hpp"
#include "workflows/loader.hpp"

namespace pathways::web {
namespace {

using config::Role;
using nlohmann::json;

constexpr const char* kSessionsStream = "$sessions";
constexpr const char* kSessionCookie = "pw_session";
constexpr const char* kSignInCookie = "pw_signin";  // the sign-in form's CSRF token
constexpr const char* kLangCookie = "pw_lang";

// Scripts and styles only from files of our own origin: no inline code, no framing.
constexpr const char* kContentSecurityPolicy =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'none'";

// The headers every page and redirect carries.
http::Response Secured(http::Response r) {
  r.With("Content-Security-Policy", kContentSecurityPolicy)
      .With("X-Content-Type-Options", "nosniff")
      .With("X-Frame-Options", "DENY")
      .With("Referrer-Policy", "same-origin")
      .With("Cache-Control", "no-store");
  return r;
}

http::Response Html(int status, std::string body) {
  http::Response r;
  r.status = status;
  r.content_type = "text/html; charset=utf-8";
  r.body = std::move(body);
  return Secured(std::move(r));
}

// POST, then redirect: 303 makes the browser GET the next page.
http::Response Redirect(const std::string& location) {
  http::Response r;
  r.status = 303;
  r.content_type = "text/plain; charset=utf-8";
  r.With("Location", location);
  return Secured(std::move(r));
}

std::map<std::string, std::string> ParseCookies(const std::string& header) {
  std::map<std::string, std::string> out;
  std::size_t at = 0;
  while (at < header.size()) {
    std::size_t end = header.find(';', at);
    if (end == std::string::npos) end = header.size();
    std::string_view part(header.data() + at, end - at);
    while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
    if (const std::size_t eq = part.find('='); eq != std::string_view::npos) {
      out.emplace(std::string(part.substr(0, eq)), std::string(part.substr(eq + 1)));
    }
    at = end + 1;
  }
  return out;
}

bool SameSecret(const std::string& a, const std::string& b) {
  return !a.empty() && a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

// Where to go after signing in: a path of this site, never another site ("//host", "/\host").
std::string LocalPath(const std::string* p) {
  if (p == nullptr || p->empty() || p->front() != '/' || p->size() > 512) return "/";
  if (p->size() > 1 && ((*p)[1] == '/' || (*p)[1] == '\\')) return "/";
  for (char ch : *p) {
    if (static_cast<unsigned char>(ch) < 0x20) return "/";
  }
  return *p;
}

// The parts of a multipart/form-data body (a form with a file), name -> content; nullopt when
// it is not well formed.
std::optional<std::vector<std::pair<std::string, std::string>>> ParseMultipart(
    const std::string& body, const std::string& content_type) {
  const std::size_t b = content_type.find("boundary=");
  if (b == std::string::npos) return std::nullopt;
  std::string boundary = content_type.substr(b + 9);
  if (const std::size_t semi = boundary.find(';'); semi != std::string::npos) boundary.resize(semi);
  if (boundary.size() >= 2 && boundary.front() == '"' && boundary.back() == '"') {
    boundary = boundary.substr(1, boundary.size() - 2);
  }
  if (boundary.empty() || boundary.size() > 70) return std::nullopt;
  const std::string delimiter = "--" + boundary;
  std::vector<std::pair<std::string, std::string>> out;
  std::size_t at = body.find(delimiter);
  if (at == std::string::npos) return std::nullopt;
  for (;;) {
    at += delimiter.size();
    if (body.compare(at, 2, "--") == 0) return out;  // the closing delimiter
    if (body.compare(at, 2, "\r\n") != 0) return std::nullopt;
    const std::size_t head_end = body.find("\r\n\r\n", at);
    if (head_end == std::string::npos) return std::nullopt;
    const std::string head = body.substr(at + 2, head_end - at - 2);
    const std::size_t next = body.find("\r\n" + delimiter, head_end + 4);
    if (next == std::string::npos) return std::nullopt;
    const std::size_t n = head.find("name=\"");
    if (n != std::string::npos) {
      const std::size_t end = head.find('"', n + 6);
      if (end == std::string::npos) return std::nullopt;
      out.emplace_back(head.substr(n + 6, end - n - 6),
                       body.substr(head_end + 4, next - head_end - 4));
    }
    at = next + 2;
  }
}

class Form {
 public:
  explicit Form(const std::string& body) {
    if (auto fields = http::ParseForm(body)) fields_ = std::move(*fields);
  }
  // A request's form, URL-encoded or multipart (a form with a file).
  explicit Form(const http::Request& req) {
    const std::string& type = req.Header("content-type");
    if (type.starts_with("multipart/form-data")) {
      if (auto parts = ParseMultipart(req.body, type)) fields_ = std::move(*parts);
    } else if (auto fields = http::ParseForm(req.body)) {
      fields_ = std::move(*fields);
    }
  }
  const std::string* Get(std::string_view name) const {
    for (const auto& [k, v] : fields_) {
      if (k == name) return &v;
    }
    return nullptr;
  }
  std::string Text(std::string_view name) const {
    const std::string* v = Get(name);
    return v == nullptr ? std::string() : *v;
  }

 private:
  std::vector<std::pair<std::string, std::string>> fields_;
};

std::string Two(std::int64_t n) { return (n < 10 ? "0" : "") + std::to_string(n); }

// "10.00" / "10:00", Danish time.
std::string TimeOfDay(TimestampMs at, Lang lang) {
  const std::int64_t minutes = (runtime::LocalMs(at) / 60'000) % (24 * 60);
  return Two(minutes / 60) + (lang == Lang::kEn ? ":" : ".") + Two(minutes % 60);
}

// "3.2.2027 kl. 10.00" / "3 Feb 2027 10:00", Danish time.
std::string When(TimestampMs at, Lang lang, bool with_time = true) {
  static constexpr const char* kMonthsEn[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                              "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const std::int64_t day = runtime::DayNumber(at);
  int y = 0;
  int m = 0;
  int d = 0;
  runtime::CivilFromDays(day, y, m, d);
  if (lang == Lang::kEn) {
    std::string out = std::to_string(d) + " " + kMonthsEn[m - 1] + " " + std::to_string(y);
    return with_time ? out + " " + TimeOfDay(at, lang) : out;
  }
  std::string out = std::to_string(d) + "." + std::to_string(m) + "." + std::to_string(y);
  return with_time ? out + " kl. " + TimeOfDay(at, lang) : out;
}

const std::string& Pick(const definition::Label& l, Lang lang) {
  return lang == Lang::kEn && !l.en.empty() ? l.en : l.da;
}

// A phase in words: the message `phase_ID`, or the definition's id when there is none.
std::string PhaseLabel(const std::string& phase, Lang lang) {
  const MessageTable& m = Messages(lang);
  auto it = m.find("phase_" + phase);
  return it == m.end() ? phase : it->second;
}

template <class Item>
std::string LabelOf(const std::vector<Item>& items, const std::string& id, Lang lang) {
  for (const Item& item : items) {
    if (item.id == id) return Pick(item.label, lang);
  }
  return id;
}

// A {da, en} title in `lang`, Danish when there is no English.
std::string TitleIn(const json& title, Lang lang) {
  if (!title.is_object()) return {};
  const std::string en = title.value("en", "");
  return lang == Lang::kEn && !en.empty() ? en : title.value("da", "");
}

// What an event was about, in words: the milestone, task, risk or party it names.
std::string Detail(const std::string& type, const json& data, const definition::Definition* def,
                   Lang lang) {
  if (!data.is_object() || def == nullptr) return {};
  if (type == "MilestoneReached")
    return LabelOf(def->milestones, data.value("milestone", ""), lang);
  if (type == "RiskRaised") return LabelOf(def->risks, data.value("type", ""), lang);
  if (type == "NotificationDeadLettered")
    return LabelOf(def->parties, data.value("party", ""), lang);
  if (type == "TaskCreated") return TitleIn(data.value("title", json::object()), lang);
  if (type == "ContactRecorded") return data.value("topic", "");
  return {};
}

std::string BadgeFor(const std::string& severity) {
  if (severity == "high") return "error";
  if (severity == "medium") return "warning";
  return "info";
}

}  // namespace

struct Web::Impl {
  explicit Impl(WebOptions options)
      : o(std::move(options)),
        workspace(app::WorkspaceOptions{o.store, o.catalog, o.clock, o.users, o.schools}),
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
  void Record(const Actor& actor, events::SystemEvent event) const {
    AppendRequest r;
    r.stream_id = kSessionsStream;
    r.participant_id = kSessionsStream;  // no participant: the stream is its own
    r.command_id = app::NewId("session-");
    r.actor = actor;
    r.events.push_back(events::Encode(event));
    if (Result<AppendResult> done = o.store->Append(std::move(r)); !done.ok()) {
      spdlog::error("workspace: recording a sign-in: {}", done.status().ToString());
    }
  }

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
  // The auditor's pages: the chain verified, a pathway as it stood at a date (the state then,
  // its history and the refused commands), and who read its participant's personal data.
  void Audit(Page& p);
  void AuditPathway(Page& p, const std::string& id);
  void AuditReads(Page& p, const std::string& id);
  void HandOver(Page& p);
  // The school a team page is about: the user's own, or the one a partnership-wide user chose.
  std::string TeamSchool(const Page& p, const Form& form) const;
  // The actions the pathway's state offers, each a form; `def` may be null.
  json Actions(const Page& p, const runtime::PathwayState& s,
               const definition::Definition* def) const;
  void Asset(Page& p);

  // Submits `request` as the user and waits until its outcome is durable.
  Status Run(const Page& p, CommandRequest request) const {
    std::promise<Status> done;
    workspace.Submit(*p.user, std::move(request),
                     [&done](Result<AppendResult> r) { done.set_value(r.status()); });
    return done.get_future().get();
  }
  // A command on a pathway from a form, under the form's own id: sent twice (a reload, a
  // double click), it is done once.
  Status RunOn(const Page& p, const Form& form, const std::string& pathway,
               runtime::Command command) const {
    Result<CommandRequest> request = workspace.OnPathway(*p.user, pathway, std::move(command));
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
  SessionStore sessions;
  SignInThrottle throttle;
  auth::PasswordFile passwords;
  std::string dummy_hash;
  // Tells open task pages that their user's inbox changed (Server-Sent Events).
  api::LiveFeed live{*o.store};
};

bool Web::Serves(std::string_view path) {
  return !(path.starts_with("/v1/") || path == "/v1" || path == "/healthz" || path == "/readyz" ||
           path == "/metrics");
}

Web::Web(WebOptions options) {
  if (options.wall_clock == nullptr) options.wall_clock = options.clock;
  impl_ = std::make_unique<Impl>(std::move(options));
  // Without it, task pages are still right at every reload.
  if (Status st = impl_->live.Start(); !st.ok()) {
    spdlog::warn("workspace: no live task updates: {}", st.ToString());
  }
}
Web::~Web() = default;

void Web::Handle(http::Request request, http::Responder respond) {
  impl_->Handle(std::move(request), std::move(respond));
}

void Web::Impl::Handle(http::Request req, http::Responder respond) {
  Page p;
  p.req = std::move(req);
  p.respond = std::move(respond);
  p.cookies = ParseCookies(p.req.Header("cookie"));
  if (auto it = p.cookies.find(kLangCookie); it != p.cookies.end()) p.lang = ParseLang(it->second);
  auto segments = http::PathSegments(p.req.path);
  if (!segments) return Error(p, 404, "not_found", Message(p.lang, "not_found_text"));
  p.segments = std::move(*segments);
  const std::string& method = p.req.method;
  const bool get = method == "GET" || method == "HEAD";
  const std::string first = p.segments.empty() ? "" : p.segments[0];

  if (first == "assets") return Asset(p);
  if (!get && method != "POST") {
    return p.respond(Html(405, "").With("Allow", "GET, HEAD, POST"));
  }

  // A POST must come from a page of the workspace itself.
  if (!get && p.req.Header("origin") != Origin(p.req)) {
    return Error(p, 403, "forbidden", Message(p.lang, "foreign_origin"));
  }

  if (auto it = p.cookies.find(kSessionCookie); it != p.cookies.end()) {
    std::optional<SessionStore::Ended> ended;
    p.session = sessions.Touch(it->second, &ended);
    if (p.session) {
      p.session_id = it->second;
      auto u = o.users->find(p.session->user);
      if (u != o.users->end()) p.user = &u->second;
    }
    if (ended) {
      auto u = o.users->find(ended->user);
      const std::string role =
          u == o.users->end() ? "" : std::string(config::RoleName(u->second.role));
      Record({ended->user, role}, events::SignedOut{ended->user, ended->reason});
    }
  }

  if (first == "sign-in" && p.segments.size() == 1) {
    if (get) {
      if (p.user != nullptr) return p.respond(Redirect("/"));
      return SignInForm(p, "", "", LocalPath(p.req.Query("next")));
    }
    return SignIn(p);
  }
  if (first == "language" && p.segments.size() == 1 && get) return Language(p);

  if (p.user == nullptr) {
    if (!get) return p.respond(Redirect("/sign-in?ended=1"));
    const std::string next = p.req.path == "/" ? "" : "?next=" + p.req.path;
    return p.respond(Redirect("/sign-in" + next));
  }

  // Every form of a signed-in user carries the session's CSRF token.
  if (!get && !SameSecret(Form(p.req).Text("csrf"), p.session->csrf)) {
    return Error(p, 403, "forbidden", Message(p.lang, "stale_form"));
  }

  if (first.empty() && get) return Home(p);
  if (first == "sign-out" && p.segments.size() == 1 && !get) return SignOut(p);
  if (first == "purpose" && p.segments.size() == 1 && !get) return Purpose(p);
  if (first == "participants" && p.segments.size() == 1) return Participants(p);
  if (first == "participants" && p.segments.size() == 2 && p.segments[1] == "new") {
    return get ? NewLeadForm(p, json::object(), json::object(), "") : NewLead(p);
  }
  if (first == "participants" && p.segments.size() == 2 && get) {
    return Participant(p, p.segments[1]);
  }
  if (first == "tasks" && p.segments.size() == 1 && get) return Tasks(p);
  if (first == "appointments" && p.segments.size() == 1 && get) return Appointments(p);
  if (first == "team" && p.segments.size() == 1 && get) return Team(p, "", 200);
  if (first == "admin") return Admin(p, get);
  if (first == "audit" && get) return Audit(p);
  if (first == "team" && p.segments.size() == 2 && !get && p.segments[1] == "reassign") {
    return Reassign(p);
  }
  if (first == "team" && p.segments.size() == 2 && !get && p.segments[1] == "handover") {
    return HandOver(p);
  }
  if (first == "tasks" && p.segments.size() == 2 && p.segments[1] == "live" && get) {
    return TasksLive(p);
  }
  if (first == "participants" && p.segments.size() == 3 && p.segments[2] == "act" && !get) {
    return Act(p, p.segments[1]);
  }
  Error(p, 404, "not_found", Message(p.lang, "not_found_text"));
}

std::string Web::Impl::Layout(const Page& p, const std::string& title, const std::string& body,
                              const std::string& current) const {
  json model = {{"lang", LangCode(p.lang)}, {"other_lang", p.lang == Lang::kEn ? "da" : "en"},
                {"back", p.req.path},       {"title", title},
                {"assets", AssetPrefix()},  {"body", body},
                {"has_nav", false}};
  if (p.user != nullptr) {
    model["user"] = {
        {"name", p.user->name},
        {"role", Message(p.lang, "role_" + std::string(config::RoleName(p.user->role)))},
        {"organisation", p.user->organisation}};
    model["csrf"] = p.session->csrf;
    json nav = json::array();
    auto item = [&](const char* href, const char* key) {
      nav.push_back(
          {{"href", href}, {"label", Message(p.lang, key)}, {"current", current == href}});
    };
    item("/participants",
         p.user->role == Role::kCounsellor ? "nav_my_participants" : "nav_participants");
    item("/tasks", "nav_tasks");
    if (p.user->role == Role::kCounsellor) item("/appointments", "nav_appointments");
    if (app::Allowed(app::Access::kWrite, *p.user)) item("/participants/new", "nav_new_lead");
    if (p.user->role == Role::kTeamLead || p.user->role == Role::kAdministrator) {
      item("/team", "nav_team");
    }
    if (p.user->role == Role::kAdministrator) item("/admin", "nav_admin");
    if (app::Allowed(app::Access::kAudit, *p.user)) item("/audit", "nav_audit");
    model["nav"] = std::move(nav);
    model["has_nav"] = true;
  }
  return RenderTemplate("layout", model, p.lang);
}

// ---- assets ---------------------------------------------------------------------------------

void Web::Impl::Asset(Page& p) {
  if (p.req.method != "GET" && p.req.method != "HEAD") {
    return p.respond(Html(405, "").With("Allow", "GET, HEAD"));
  }
  const std::string& prefix = AssetPrefix();
  const std::string& path = p.req.path;
  const web::Asset* asset =
      path.size() > prefix.size() + 1 && path.starts_with(prefix) && path[prefix.size()] == '/'
          ? FindAsset(std::string_view(path).substr(prefix.size() + 1))
          : nullptr;
  if (asset == nullptr) return Error(p, 404, "not_found", Message(p.lang, "not_found_text"));
  http::Response r;
  r.content_type = std::string(asset->content_type);
  r.body = std::string(asset->bytes);
  // The address changes with the content: cached for a year, never revalidated.
  r.With("Cache-Control", "public, max-age=31536000, immutable")
      .With("X-Content-Type-Options", "nosniff");
  p.respond(std::move(r));
}

// ---- signing in and out ---------------------------------------------------------------------

void Web::Impl::SignInForm(Page& p, const std::string& error, const std::string& user_name,
                           const std::string& next, int status) {
  // The form's token, in a cookie of its own (there is no session yet): a page of another
  // site cannot read it, so it cannot sign a browser in to an account of its choosing. One
  // the browser has is kept, so two tabs (or a favicon fetched on the way) cannot make the
  // other's form stale.
  std::string token;
  if (auto c = p.cookies.find(kSignInCookie);
      c != p.cookies.end() && c->second.size() == 64 &&
      c->second.find_first_not_of("0123456789abcdef") == std::string::npos) {
    token = c->second;
  } else {
    token = api::RandomHex(32);
  }
  std::string ended;
  if (p.req.Query("ended") != nullptr) ended = Message(p.lang, "session_ended");
  const std::string body = RenderTemplate("sign_in",
                                          {{"csrf", token},
                                           {"next", next},
                                           {"error", error},
                                           {"ended", ended},
                                           {"user_name", user_name}},
                                          p.lang);
  http::Response r = Html(status, Layout(p, Message(p.lang, "sign_in_title"), body, ""));
  r.With("Set-Cookie", Cookie(kSignInCookie, token, 3600));
  p.respond(std::move(r));
}

void Web::Impl::SignIn(Page& p) {
  const Form form(p.req.body);
  const std::string name = form.Text("user");
  const std::string password = form.Text("password");
  const std::string next = LocalPath(form.Get("next"));
  auto cookie = p.cookies.find(kSignInCookie);
  if (cookie == p.cookies.end() || !SameSecret(form.Text("csrf"), cookie->second)) {
    return SignInForm(p, Message(p.lang, "stale_form"), name, next, 403);
  }
  const std::string& address = p.req.remote;
  auto user = o.users->find(name);
  const bool known = user != o.users->end() && user->second.role != Role::kPartner;
  if (const TimestampMs wait = throttle.Wait(name, address); wait > 0) {
    Record({"system", "system"}, events::SignInFailed{known ? name : "", "throttled", address});
    const std::string minutes = std::to_string((wait + 59'999) / 60'000);
    return SignInForm(p, Message(p.lang, "sign_in_throttled", {{"minutes", minutes}}), name, next,
                      429);
  }
  bool ok = false;
  if (known) {
    Result<bool> verified = passwords.Verify(name, password);
    if (!verified.ok()) {
      spdlog::error("workspace: the passwords file: {}", verified.status().ToString());
      return Error(p, 503, "unavailable", Message(p.lang, "unavailable_text"));
    }
    ok = *verified;
  } else {
    (void)auth::VerifyPassword(dummy_hash, password);
  }
  if (!ok) {
    throttle.Failed(name, address);
    Record({"system", "system"},
           events::SignInFailed{known ? name : "", known ? "password" : "unknown_user", address});
    return SignInForm(p, Message(p.lang, "sign_in_wrong"), name, next, 401);
  }
  throttle.Succeeded(name);
  // A new session at every sign-in, whatever the browser had: no fixation.
  if (auto old = p.cookies.find(kSessionCookie); old != p.cookies.end()) sessions.End(old->second);
  const std::string id = sessions.Create(name);
  if (id.empty()) return Error(p, 503, "unavailable", Message(p.lang, "unavailable_text"));
  Record({name, std::string(config::RoleName(user->second.role))}, events::SignedIn{name, address});
  http::Response r = Redirect(next);
  r.With("Set-Cookie", Cookie(kSignInCookie, "", 0));
  r.With("Set-Cookie", Cookie(kSessionCookie, id, -1));
  p.respond(std::move(r));
}

void Web::Impl::SignOut(Page& p) {
  const std::string user = sessions.End(p.session_id);
  if (!user.empty()) {
    Record({user, std::string(config::RoleName(p.user->role))},
           events::SignedOut{user, "signed_out"});
  }
  http::Response r = Redirect("/sign-in");
  r.With("Set-Cookie", Cookie(kSessionCookie, "", 0));
  p.respond(std::move(r));
}

void Web::Impl::Language(Page& p) {
  const std::string* to = p.req.Query("to");
  const Lang lang = ParseLang(to == nullptr ? "" : *to);
  http::Response r = Redirect(LocalPath(p.req.Query("back")));
  // Remembered for a year: a preference, not a secret.
  r.With("Set-Cookie", Cookie(kLangCookie, std::string(LangCode(lang)), 365LL * 24 * 3600));
  p.respond(std::move(r));
}

void Web::Impl::Home(Page& p) {
  const Role r = p.user->role;
  p.respond(Redirect(r == Role::kTeamLead  ? "/team"
                     : r == Role::kAuditor ? "/audit"
                                           : "/participants"));
}

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

// ---- the team -------------------------------------------------------------------------------

std::string Web::Impl::TeamSchool(const Page& p, const Form& form) const {
  if (!p.user->school.empty()) return p.user->school;
  if (const std::string* q = p.req.Query("school")) return *q;
  return form.Text("school");
}

void Web::Impl::TeamDone(Page& p, const Form& form, const std::string& done) {
  const std::string school = p.user->school.empty() ? "&school=" + TeamSchool(p, form) : "";
  p.respond(Redirect("/team?done=" + done + school));
}

void Web::Impl::Team(Page& p, const std::string& error, int status) {
  const Form form(p.req.method == "POST" ? p.req.body : "");
  const std::string school = TeamSchool(p, form);
  if (school.empty() && o.schools != nullptr && !o.schools->empty() &&
      app::Allowed(app::Access::kRead, *p.user) && p.user->role != Role::kCounsellor) {
    json schools = json::array();
    for (const auto& [id, sc] : *o.schools) schools.push_back({{"id", id}, {"name", sc.name}});
    return Send(p, 200, Message(p.lang, "nav_team"),
                RenderTemplate("choose_school", {{"schools", schools}}, p.lang), "/team");
  }
  Result<app::TeamView> team = workspace.Team(*p.user, school);
  if (!team.ok()) return Error(p, 404, "not_found", Message(p.lang, "not_found_text"));
  if (!HasPurpose(p)) return;
  const TimestampMs now = o.clock->NowMs();
  json members = json::array();
  json choices = json::array();
  for (const app::TeamView::Member& m : team->counsellors) {
    members.push_back({{"id", m.id},
                       {"name", m.name},
                       {"pathways", std::to_string(m.pathways)},
                       {"open", std::to_string(m.open_tasks)},
                       {"overdue", std::to_string(m.overdue_tasks)},
                       {"escalated", std::to_string(m.escalated_tasks)}});
    choices.push_back({{"id", m.id}, {"name", m.name}});
  }
  std::vector<std::string> ids;
  for (const InboxEntry& t : team->attention) ids.push_back(t.pathway_id);
  const std::map<std::string, std::string> names = Names(p, ids);
  json attention = json::array();
  for (const InboxEntry& t : team->attention) {
    const json title = t.task.value("title", json::object());
    const TimestampMs due = t.task.value("due_at", TimestampMs{0});
    const std::string assignee = t.task.value("assignee", "");
    auto n = names.find(t.pathway_id);
    attention.push_back({{"pathway_id", t.pathway_id},
                         {"task_id", t.task_id},
                         {"name", n == names.end() ? Message(p.lang, "name_unknown") : n->second},
                         {"title", TitleIn(title, p.lang)},
                         {"due", due == 0 ? Message(p.lang, "none") : When(due, p.lang)},
                         {"overdue", due != 0 && due < now},
                         {"escalated", t.task.value("status", "") == "escalated"},
                         {"assignee", UserName(assignee)},
                         {"form_id", t.pathway_id + "-" + t.task_id}});
  }
  const auto sc =
      o.schools != nullptr ? o.schools->find(team->school) : decltype(o.schools->end()){};
  const std::string school_name =
      o.schools != nullptr && sc != o.schools->end() ? sc->second.name : team->school;
  const json model = {{"heading", Message(p.lang, "team_of", {{"school", school_name}})},
                      {"school", p.user->school.empty() ? team->school : ""},
                      {"csrf", p.session->csrf},
                      {"members", members},
                      {"choices", choices},
                      {"attention", attention},
                      {"has_attention", !attention.empty()},
                      {"error", error},
                      {"done", Done(p)},
                      {"cmd", app::NewId("web-")}};
  Send(p, status, model["heading"].get<std::string>(), RenderTemplate("team", model, p.lang),
       "/team");
}

void Web::Impl::Reassign(Page& p) {
  const Form form(p.req.body);
  const std::string pathway = form.Text("pathway_id");
  runtime::ReassignTask reassign{form.Text("task_id"), form.Text("to"), form.Text("reason")};
  if (reassign.reason.empty()) return Team(p, Message(p.lang, "reason_missing"), 400);
  const Status outcome = RunOn(p, form, pathway, std::move(reassign));
  if (outcome.ok()) return TeamDone(p, form, "reassign");
  if (outcome.code() == StatusCode::kNotFound) {
    return Error(p, 404, "not_found", Message(p.lang, "not_found_text"));
  }
  Team(p, outcome.message(), outcome.code() == StatusCode::kRejected ? 422 : 400);
}

void Web::Impl::HandOver(Page& p) {
  const Form form(p.req.body);
  app::Handover handover{form.Text("from"), form.Text("to"), form.Text("reason")};
  if (handover.reason.empty()) return Team(p, Message(p.lang, "reason_missing"), 400);
  std::promise<Result<app::HandoverResult>> done;
  workspace.HandOver(*p.user, handover,
                     [&done](Result<app::HandoverResult> r) { done.set_value(std::move(r)); });
  Result<app::HandoverResult> result = done.get_future().get();
  if (!result.ok()) {
    return Team(p, result.status().message(),
                result.status().code() == StatusCode::kRejected ? 422 : 400);
  }
  // Some pathways may have refused (a closed one): the handover says how many moved.
  TeamDone(p, form, result->failed.empty() ? "handover" : "handover_partly");
}

// ---- administration -------------------------------------------------------------------------

void Web::Impl::Admin(Page& p, bool get) {
  if (p.user->role != Role::kAdministrator) {
    return Error(p, 404, "not_found", Message(p.lang, "not_found_text"));
  }
  const std::vector<std::string>& seg = p.segments;
  if (seg.size() == 1 && get) return Definitions(p);
  if (seg.size() == 4 && seg[1] == "definitions" && get) return DefinitionPage(p, seg[2], seg[3]);
  if (seg.size() == 2 && seg[1] == "validate") {
    if (get) {
      return Send(p, 200, Message(p.lang, "validate_title"),
                  RenderTemplate("validate", {{"csrf", p.session->csrf}}, p.lang), "/admin");
    }
    return Validate(p);
  }
  Error(p, 404, "not_found", Message(p.lang, "not_found_text"));
}

void Web::Impl::Definitions(Page& p) {
  json list = json::array();
  for (const auto& d : o.catalog->All()) {
    list.push_back({{"id", d->id},
                    {"version", std::to_string(d->version)},
                    {"title", Pick(d->title, p.lang)},
                    {"hash", d->hash.substr(0, 12)},
                    {"states", std::to_string(d->states.size())},
                    {"transitions", std::to_string(d->transitions.size())}});
  }
  Send(p, 200, Message(p.lang, "nav_admin"),
       RenderTemplate("definitions", {{"definitions", list}}, p.lang), "/admin");
}

void Web::Impl::DefinitionPage(Page& p, const std::string& id, const std::string& version) {
  if (version.empty() || version.size() > 9 ||
      version.find_first_not_of("0123456789") != std::string::npos) {
    return Error(p, 404, "not_found", Message(p.lang, "not_found_text"));
  }
  auto def = o.catalog->Find(id, static_cast<std::uint32_t>(std::stoul(version)));
  if (!def) return Error(p, 404, "not_found", Message(p.lang, "not_found_text"));
  json transitions = json::array();
  for (const definition::Transition& t : def->transitions) {
    std::string from;
    for (const std::string& f : t.from) {
      if (!from.empty()) from += ", ";
      from += LabelOf(def->states, f, p.lang);
    }
    std::string guards;
    for (const std::string& g : t.guards) {
      if (!guards.empty()) guards += "; ";
      std::string words = g;
      for (const definition::Guard& guard : def->guards) {
        if (guard.id == g && !guard.description.empty()) words = guard.description;
      }
      guards += words;
    }
    transitions.push_back(
        {{"trigger", t.trigger},
         {"label", Pick(t.label, p.lang)},
         {"from", from},
         {"to", t.to.empty() ? Message(p.lang, "stays") : LabelOf(def->states, t.to, p.lang)},
         {"guards", guards}});
  }
  json states = json::array();
  for (const definition::State& st : def->states) {
    states.push_back({{"id", st.id},
                      {"label", Pick(st.label, p.lang)},
                      {"phase", PhaseLabel(st.phase, p.lang)},
                      {"terminal", st.terminal}});
  }
  const std::string title = Pick(def->title, p.lang) + " (" + std::to_string(def->version) + ")";
  const json model = {{"title", title},
                      {"id", def->id},
                      {"hash", def->hash},
                      {"svg", StateDiagram(*def, p.lang)},
                      {"transitions", transitions},
                      {"states", states}};
  Send(p, 200, title, RenderTemplate("definition", model, p.lang), "/admin");
}

void Web::Impl::Validate(Page& p) {
  if (!app::Allowed(app::Access::kAdmin, *p.user)) {
    return Error(p, 404, "not_found", Message(p.lang, "not_found_text"));
  }
  const Form form(p.req);
  // A file chosen wins over pasted text.
  std::string text = form.Text("file");
  std::string name = "upload.yaml";
  if (text.empty()) {
    text = form.Text("yaml");
    name = "pasted.yaml";
  }
  json model = {{"csrf", p.session->csrf}, {"yaml", form.Text("yaml")}};
  if (text.empty()) {
    model["error"] = Message(p.lang, "validate_empty");
    return Send(p, 400, Message(p.lang, "validate_title"),
                RenderTemplate("validate", model, p.lang), "/admin");
  }
  workflows::LoadResult r = workflows::LoadDefinition(text, name);
  if (r.definition) {
    model["valid"] = Message(p.lang, "validate_ok",
                             {{"id", r.definition->id},
                              {"version", std::to_string(r.definition->version)},
                              {"states", std::to_string(r.definition->states.size())},
                              {"transitions", std::to_string(r.definition->transitions.size())}});
    model["svg"] = StateDiagram(*r.definition, p.lang);
  } else {
    json problems = json::array();
    for (const workflows::Diagnostic& d : r.diagnostics)
      problems.push_back({{"text", d.ToString()}});
    if (problems.empty()) problems.push_back({{"text", Message(p.lang, "validate_invalid")}});
    model["problems"] = problems;
    model["has_problems"] = true;
  }
  Send(p, r.definition ? 200 : 422, Message(p.lang, "validate_title"),
       RenderTemplate("validate", model, p.lang), "/admin");
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

// ---- audit ----------------------------------------------------------------------------------

void Web::Impl::Audit(Page& p) {
  if (!app::Allowed(app::Access::kAudit, *p.user)) {
    return Error(p, 404, "not_found", Message(p.lang, "not_found_text"));
  }
  const std::vector<std::string>& seg = p.segments;
  if (seg.size() == 3 && seg[1] == "pathways") return AuditPathway(p, seg[2]);
  if (seg.size() == 4 && seg[1] == "pathways" && seg[3] == "reads") return AuditReads(p, seg[2]);
  if (seg.size() == 2 && seg[1] == "pathway") {
    // The lookup form: a pathway's id (pseudonymous) to its page.
    const std::string* id = p.req.Query("id");
    if (id == nullptr || id->empty() || id->find_first_of("/?#%") != std::string::npos) {
      return p.respond(Redirect("/audit"));
    }
    return p.respond(Redirect("/audit/pathways/" + *id));
  }
  if (seg.size() != 1 && !(seg.size() == 2 && seg[1] == "verify")) {
    return Error(p, 404, "not_found", Message(p.lang, "not_found_text"));
  }
  json model = {{"verified", false}};
  if (seg.size() == 2) {
    // The whole chain walked: on this thread, as an auditor waits for the answer anyway.
    auto report = o.store->Verify();
    if (!report.ok()) return Error(p, 503, "unavailable", report.status().message());
    model = {{"verified", true},
             {"ok", report->ok},
             {"events", std::to_string(report->events)},
             {"head_position", std::to_string(report->head.position)},
             {"head_hash", codec::HexEncode(report->head.hash)},
             {"problem", report->ok ? "" : report->problem},
             {"first_bad", report->ok ? "" : std::to_string(report->first_bad_position)}};
  }
  Send(p, 200, Message(p.lang, "nav_audit"), RenderTemplate("audit", model, p.lang), "/audit");
}

void Web::Impl::AuditPathway(Page& p, const std::string& id) {
  // The day asked for, to its end in Danish time; today when none is given.
  TimestampMs at = o.clock->NowMs();
  std::string day;
  if (const std::string* given = p.req.Query("at"); given != nullptr && !given->empty()) {
    TimestampMs start = 0;
    if (!runtime::ParseDate(*given, start)) {
      return Error(p, 400, "bad_date", Message(p.lang, "bad_date_text"));
    }
    at = runtime::DayStart(runtime::DayNumber(start) + 1) - 1;
    day = *given;
  }
  Result<app::AsOfView> view = workspace.AsOf(*p.user, id, at);
  if (!view.ok()) {
    if (view.status().code() != StatusCode::kNotFound) {
      return Error(p, 503, "unavailable", view.status().message());
    }
    // Visible but not yet there on that day, or no such pathway at all.
    if (!workspace.Pathway(*p.user, id).ok()) {
      return Error(p, 404, "not_found", Message(p.lang, "not_found_text"));
    }
    return Error(p, 404, "not_yet", Message(p.lang, "not_yet_text"));
  }
  auto def = o.catalog->Find(view->state.definition_id, view->state.definition_version);
  json history = json::array();
  std::string why;
  for (const RecordedEvent& e : view->history) {
    const json data = json::parse(e.data, nullptr, false);
    std::string what = Message(p.lang, "event_" + e.type);
    if (const std::string detail = Detail(e.type, data, def.get(), p.lang); !detail.empty()) {
      what += ": " + detail;
    }
    if (e.type == "TransitionTaken" && data.is_object()) {
      std::string guards;
      for (const auto& g : data.value("guards", json::array())) {
        if (!g.is_object()) continue;
        if (!guards.empty()) guards += ", ";
        guards += g.value("guard", "") + (g.value("holds", false) ? " ✓" : " ✗");
      }
      const std::string to = data.value("to", "");
      if (!to.empty()) {
        why = Message(p.lang, "audit_why",
                      {{"trigger", data.value("trigger", "")},
                       {"who", UserName(e.actor.user)},
                       {"when", When(e.occurred_at, p.lang)},
                       {"guards", guards.empty() ? Message(p.lang, "none") : guards}});
      }
    }
    history.push_back({{"position", std::to_string(e.position)},
                       {"what", what},
                       {"type", e.type},
                       {"when", When(e.occurred_at, p.lang)},
                       {"who", UserName(e.actor.user)}});
  }
  std::reverse(history.begin(), history.end());
  json rejections = json::array();
  for (const Rejection& r : view->rejections) {
    rejections.push_back({{"when", When(r.at, p.lang)},
                          {"who", UserName(r.actor.user)},
                          {"what", r.trigger.empty() ? r.command : r.trigger},
                          {"reason", r.reason}});
  }
  const json model = {
      {"id", id},
      {"day", day},
      {"at", When(at, p.lang)},
      {"state", def ? LabelOf(def->states, view->state.state, p.lang) : view->state.state},
      {"status", Message(p.lang, "status_" + std::string(runtime::StatusName(view->state.status)))},
      {"contact_person", UserName(view->state.contact_person)},
      {"version", std::to_string(view->state.version)},
      {"why", why},
      {"history", history},
      {"rejections", rejections},
      {"has_rejections", !rejections.empty()}};
  Send(p, 200, Message(p.lang, "audit_pathway", {{"id", id}}),
       RenderTemplate("audit_pathway", model, p.lang), "/audit");
}

void Web::Impl::AuditReads(Page& p, const std::string& id) {
  Result<std::vector<RecordedEvent>> reads = workspace.PersonalReads(*p.user, id, 1000);
  if (!reads.ok()) return Error(p, 404, "not_found", Message(p.lang, "not_found_text"));
  json list = json::array();
  for (auto it = reads->rbegin(); it != reads->rend(); ++it) {
    const json data = json::parse(it->data, nullptr, false);
    std::string scopes;
    for (const auto& sc : data.is_object() ? data.value("scopes", json::array()) : json::array()) {
      if (!scopes.empty()) scopes += ", ";
      scopes += sc.is_string() ? sc.get<std::string>() : "";
    }
    list.push_back({{"when", When(it->occurred_at, p.lang)},
                    {"who", UserName(it->actor.user)},
                    {"role", it->actor.role},
                    {"scopes", scopes},
                    {"purpose", data.is_object() ? data.value("purpose", "") : ""}});
  }
  Send(p, 200, Message(p.lang, "audit_reads"),
       RenderTemplate("audit_reads", {{"id", id}, {"reads", list}}, p.lang), "/audit");
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
  const std::map<std::string, std::string> names = Names(p, ids);
  const TimestampMs now = o.clock->NowMs();
  json rows = json::array();
  for (const InboxEntry& e : entries) {
    const json title = e.task.value("title", json::object());
    const TimestampMs due = e.task.value("due_at", TimestampMs{0});
    auto n = names.find(e.pathway_id);
    rows.push_back({{"pathway_id", e.pathway_id},
                    {"name", n == names.end() ? Message(p.lang, "name_unknown") : n->second},
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

// ---- personal data --------------------------------------------------------------------------

bool Web::Impl::HasPurpose(Page& p) {
  if (!p.session->purpose.empty()) return true;
  const std::string body =
      RenderTemplate("purpose", {{"csrf", p.session->csrf}, {"next", p.req.path}}, p.lang);
  Send(p, 200, Message(p.lang, "purpose_title"), body);
  return false;
}

void Web::Impl::Purpose(Page& p) {
  const Form form(p.req.body);
  std::string purpose = form.Text("purpose");
  const std::string next = LocalPath(form.Get("next"));
  purpose.erase(0, purpose.find_first_not_of(" \t"));
  purpose.erase(purpose.find_last_not_of(" \t") + 1);
  if (purpose.empty() || purpose.size() > 200) {
    const std::string body = RenderTemplate("purpose",
                                            {{"csrf", p.session->csrf},
                                             {"next", next},
                                             {"purpose", purpose},
                                             {"error", Message(p.lang, "purpose_missing")}},
                                            p.lang);
    return Send(p, 400, Message(p.lang, "purpose_title"), body);
  }
  sessions.SetPurpose(p.session_id, purpose);
  p.respond(Redirect(next));
}

std::map<std::string, std::string> Web::Impl::Names(const Page& p,
                                                    const std::vector<std::string>& ids) {
  struct Gather {
    std::mutex mu;
    std::map<std::string, std::string> names;
    std::size_t pending = 0;
    std::promise<void> done;
  };
  // Once per pathway, however often the page names it (a participant with three tasks).
  const std::set<std::string> unique(ids.begin(), ids.end());
  auto g = std::make_shared<Gather>();
  g->pending = unique.size();
  if (unique.empty()) return {};
  for (const std::string& id : unique) {
    workspace.ReadPersonal(*p.user, id, p.session->purpose,
                           [g, id](Result<app::Workspace::PersonalRead> read) {
                             std::lock_guard lock(g->mu);
                             if (read.ok()) {
                               auto f = read->view.fields.find(PersonalScope::kIdentity);
                               if (f != read->view.fields.end() && f->second.contains("name") &&
                                   f->second["name"].is_string()) {
                                 g->names[id] = f->second["name"].get<std::string>();
                               }
                             }
                             if (--g->pending == 0) g->done.set_value();
                           });
  }
  g->done.get_future().wait();
  std::lock_guard lock(g->mu);
  return std::move(g->names);
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
  const TimestampMs now = o.clock->NowMs();

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

  json tasks = json::array();
  for (const auto& [tid, t] : s->open_tasks) {
    tasks.push_back(
        {{"id", tid},
         {"acknowledged", t.status == "acknowledged"},
         {"title", p.lang == Lang::kEn && !t.title_en.empty() ? t.title_en : t.title_da},
         {"due", t.due_at == 0 ? Message(p.lang, "none") : When(t.due_at, p.lang)},
         {"overdue", t.due_at != 0 && t.due_at < now},
         {"assignee", UserName(t.assignee)}});
  }
  json risks = json::array();
  for (const auto& [rid, r] : s->open_risks) {
    risks.push_back({{"id", rid},
                     {"label", def ? LabelOf(def->risks, r.type, p.lang) : r.type},
                     {"severity", Message(p.lang, "severity_" + r.severity)},
                     {"badge", BadgeFor(r.severity)},
                     {"raised_at", When(r.raised_at, p.lang)}});
  }

  // The history, newest first, in words; the timers' own bookkeeping is left out.
  json timeline = json::array();
  for (std::uint64_t from = 1; from != 0;) {
    auto page = o.store->ReadStream(id, from, 1000);
    if (!page.ok()) return Error(p, 503, "unavailable", page.status().message());
    for (const RecordedEvent& e : page->events) {
      if (e.type == "TimerArmed" || e.type == "TimerDisarmed" ||
          e.type == "NotificationRequested" || e.type == "NotificationDelivered") {
        continue;
      }
      const json data = json::parse(e.data, nullptr, false);
      std::string what = Message(p.lang, "event_" + e.type);
      if (const std::string detail = Detail(e.type, data, def.get(), p.lang); !detail.empty()) {
        what += ": " + detail;
      }
      std::string guards;
      if (e.type == "TransitionTaken" && data.is_object()) {
        what = Message(p.lang, "event_transition",
                       {{"from", state_label(data.value("from", ""))},
                        {"to", state_label(data.value("to", "").empty() ? data.value("from", "")
                                                                        : data.value("to", ""))},
                        {"trigger", data.value("trigger", "")}});
        for (const auto& g : data.value("guards", json::array())) {
          if (!g.is_object() || !g.value("holds", false)) continue;
          if (!guards.empty()) guards += ", ";
          guards += g.value("guard", "");
        }
      }
      timeline.push_back({{"what", what},
                          {"when", When(e.occurred_at, p.lang)},
                          {"who", e.actor.user == "system" ? Message(p.lang, "actor_system")
                                                           : UserName(e.actor.user)},
                          {"reason", data.is_object() ? data.value("reason", "") : ""},
                          {"guards", guards}});
    }
    from = page->next_version;
  }
  std::reverse(timeline.begin(), timeline.end());

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
      {"timeline", timeline}};
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
  if (refusal.empty()) full["done"] = Done(p);
  Send(p, status, model["name"].get<std::string>(), RenderTemplate("participant", full, p.lang),
       "/participants");
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
  out["cmd_book"] = app::NewId("web-");
  if (def == nullptr) return out;
  // Each trigger the state offers once (several transitions may share one, told apart by
  // their guards), with the fields its payload takes.
  std::set<std::string> seen;
  for (const definition::Transition& t : def->transitions) {
    if (std::find(t.from.begin(), t.from.end(), s.state) == t.from.end()) continue;
    if (!seen.insert(t.trigger).second) continue;
    json fields = json::array();
    for (const definition::PayloadField& f : t.payload) {
      // Words from the data field the value is stored as, where it has them.
      const definition::DataField* field = nullptr;
      for (const definition::DataField& d : def->data) {
        if (d.id == f.store_as) field = &d;
      }
      const std::string label =
          field != nullptr && !field->label.empty() ? Pick(field->label, p.lang) : f.id;
      json options = json::array();
      for (const std::string& v : f.allowed) {
        auto words =
            field != nullptr ? field->values.find(v) : decltype(field->values)::const_iterator{};
        const bool named = field != nullptr && words != field->values.end();
        options.push_back({{"value", v}, {"label", named ? Pick(words->second, p.lang) : v}});
      }
      using Type = definition::DataField::Type;
      const char* input = f.type == Type::kDate                                 ? "date"
                          : f.type == Type::kInteger || f.type == Type::kNumber ? "number"
                                                                                : "text";
      fields.push_back({{"name", "p." + f.id},
                        {"input_id", "f-" + t.trigger + "-" + f.id},
                        {"label", label},
                        {"required", f.required},
                        {"options", options},
                        {"has_options", !options.empty()},
                        {"boolean", f.type == Type::kBoolean},
                        {"input", input}});
    }
    std::string label = Pick(t.label, p.lang);
    if (label.empty()) {
      label = t.to.empty() || t.to == s.state
                  ? t.trigger
                  : Message(p.lang, "move_to", {{"state", LabelOf(def->states, t.to, p.lang)}});
    }
    out["transitions"].push_back({{"trigger", t.trigger},
                                  {"label", label},
                                  {"fields", fields},
                                  {"has_fields", !fields.empty()},
                                  {"cmd", app::NewId("web-")}});
  }
  for (const definition::RiskType& r : def->risks) {
    out["risk_types"].push_back({{"id", r.id}, {"label", Pick(r.label, p.lang)}});
  }
  for (const definition::Barrier& b : def->barriers) {
    out["barriers"].push_back({{"id", b.id}, {"label", Pick(b.label, p.lang)}});
  }
  return out;
}

namespace {

// The payload of `trigger` from a form, by the definition's types (a form sends only text);
// the first field that is not of its type is named in `problem`.
json TriggerPayload(const Form& form, const definition::Definition& def, const std::string& trigger,
                    Lang lang, std::string& problem) {
  using Type = definition::DataField::Type;
  json payload = json::object();
  for (const definition::Transition& t : def.transitions) {
    if (t.trigger != trigger) continue;
    for (const definition::PayloadField& f : t.payload) {
      const std::string* v = form.Get("p." + f.id);
      if (f.type == Type::kBoolean) {
        if (v != nullptr) payload[f.id] = *v == "true";
        continue;
      }
      if (v == nullptr || v->empty()) continue;
      if (f.type == Type::kInteger || f.type == Type::kNumber) {
        json number = json::parse(*v, nullptr, false);
        if (!number.is_number() && problem.empty()) {
          problem = Message(lang, "not_a_number", {{"field", f.id}});
        }
        payload[f.id] = number.is_number() ? number : json(*v);
      } else {
        payload[f.id] = *v;
      }
    }
    break;
  }
  return payload;
}

}  // namespace

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
  } else {
    return Error(p, 404, "not_found", Message(p.lang, "not_found_text"));
  }
  const Status outcome = RunOn(p, form, id, std::move(command));
  if (outcome.ok()) return p.respond(Redirect("/participants/" + id + "?done=" + act));
  switch (outcome.code()) {
    case StatusCode::kNotFound:
      return Error(p, 404, "not_found", Message(p.lang, "not_found_text"));
    case StatusCode::kRejected: return Participant(p, id, outcome.message(), 422);
    case StatusCode::kInvalidArgument:
    case StatusCode::kPermissionDenied:
    case StatusCode::kConflict: return Participant(p, id, outcome.message(), 400);
    default: return Error(p, 503, "unavailable", Message(p.lang, "unavailable_text"));
  }
}

}  // namespace pathways::web

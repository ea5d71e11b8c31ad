// The workspace's front door: every request's way through (assets, origin, session, CSRF, the
// route), the frame of every page, signing in and out, the language switch, and reading
// personal data for a purpose. Each role's pages are in a file of their own (web_impl.hpp).

#include <spdlog/spdlog.h>

#include <set>

#include "adapters/api/tokens.hpp"
#include "adapters/web/assets.hpp"
#include "adapters/web/web_impl.hpp"

namespace pathways::web {

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

void Web::Impl::Record(const Actor& actor, events::SystemEvent event) const {
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

void Web::Impl::RecordEnded(const SessionStore::Ended& ended) const {
  auto u = o.users->find(ended.user);
  const std::string role = u == o.users->end() ? "" : std::string(config::RoleName(u->second.role));
  Record({ended.user, role}, events::SignedOut{ended.user, ended.reason});
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
    if (ended) RecordEnded(*ended);
  }

  if (first == "sign-in" && p.segments.size() == 1) {
    if (get) {
      if (p.user != nullptr) return p.respond(Redirect("/"));
      return SignInForm(p, "", "", LocalPath(p.req.Query("next")));
    }
    return SignIn(p);
  }
  if (first == "language" && p.segments.size() == 1 && get) return Language(p);
  // A partner's signed link: no account, so no session and no CSRF token (the link is the
  // secret; the POST still has to come from this origin).
  if (first == "confirm" && p.segments.size() == 2) return Confirm(p, get);

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
  if (first == "companies") {
    const std::size_t n = p.segments.size();
    if (n == 1 && get) return CompanyList(p);
    if (n == 2 && p.segments[1] == "new") {
      return get ? NewCompanyForm(p, json::object(), json::object(), "") : NewCompany(p);
    }
    if (n == 2 && p.segments[1] == "pipeline" && get) return Pipeline(p);
    if (n == 2 && get) return CompanyPage(p, p.segments[1]);
    if (n == 3 && p.segments[2] == "act" && !get) return CompanyAct(p, p.segments[1]);
  }
  if (first == "notes" && p.segments.size() == 1) return get ? Notes(p) : ShareNote(p);
  if (first == "notes" && p.segments.size() == 3 && p.segments[2] == "withdraw" && !get) {
    return WithdrawNote(p, p.segments[1]);
  }
  if (first == "tasks" && p.segments.size() == 1 && get) return Tasks(p);
  if (first == "appointments" && p.segments.size() == 1 && get) return Appointments(p);
  if (first == "team" && p.segments.size() == 1 && get) return Team(p, "", 200);
  if (first == "admin") return Admin(p, get);
  if (first == "audit" && p.segments.size() >= 2 && p.segments[1] == "proofs") {
    return AuditProofAct(p);
  }
  if (first == "audit" && get) return Audit(p);
  if (first == "reports" && get) return Reports(p);
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
    if (app::Allowed(app::Access::kRead, *p.user)) {
      item("/participants",
           p.user->role == Role::kCounsellor ? "nav_my_participants" : "nav_participants");
    }
    if (p.user->role == Role::kConsultant) item("/companies", "nav_companies");
    item("/tasks", "nav_tasks");
    if (p.user->role == Role::kCounsellor) item("/appointments", "nav_appointments");
    if (app::Allowed(app::Access::kWrite, *p.user)) item("/participants/new", "nav_new_lead");
    if (p.user->role == Role::kTeamLead || p.user->role == Role::kAdministrator) {
      item("/team", "nav_team");
    }
    if (p.user->role != Role::kConsultant && p.user->role != Role::kPartner) {
      item("/companies", "nav_companies");
    }
    item("/notes", "nav_notes");
    if (p.user->role == Role::kAdministrator) item("/admin", "nav_admin");
    if (app::Allowed(app::Access::kAudit, *p.user)) item("/audit", "nav_audit");
    if (reports.configured() &&
        (p.user->role == Role::kAdministrator || p.user->role == Role::kAuditor)) {
      item("/reports", "nav_reports");
    }
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
  std::vector<SessionStore::Ended> ended;
  const std::string id = sessions.Create(name, &ended);
  for (const SessionStore::Ended& e : ended) RecordEnded(e);
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
  // A consultant's work is companies, not participants.
  p.respond(Redirect(r == Role::kTeamLead     ? "/team"
                     : r == Role::kAuditor    ? "/audit"
                     : r == Role::kConsultant ? "/companies"
                                              : "/participants"));
}

// ---- personal data --------------------------------------------------------------------------

bool Web::Impl::HasPurpose(Page& p) {
  if (!p.session->purpose.empty()) return true;
  const std::string body =
      RenderTemplate("purpose", {{"csrf", p.session->csrf}, {"next", p.req.target}}, p.lang);
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
  // Once per pathway, however often the page names it (a participant with three tasks).
  const std::set<std::string> unique(ids.begin(), ids.end());
  const std::vector<std::string> all(unique.begin(), unique.end());
  std::map<std::string, std::string> names;
  // Each batch of reads is recorded in one durable write before any name is shown.
  for (std::size_t from = 0; from < all.size(); from += EventStore::kMaxBatchAppends) {
    const std::vector<std::string> chunk(
        all.begin() + static_cast<std::ptrdiff_t>(from),
        all.begin() +
            static_cast<std::ptrdiff_t>(std::min(all.size(), from + EventStore::kMaxBatchAppends)));
    // Shared with the writer's thread, which may still be inside set_value when get returns.
    auto answered =
        std::make_shared<std::promise<std::vector<Result<app::Workspace::PersonalRead>>>>();
    auto future = answered->get_future();
    workspace.ReadPersonalMany(*p.user, chunk, p.session->purpose,
                               [answered](std::vector<Result<app::Workspace::PersonalRead>> reads) {
                                 answered->set_value(std::move(reads));
                               },
                               {PersonalScope::kIdentity});
    const std::vector<Result<app::Workspace::PersonalRead>> reads = future.get();
    for (std::size_t i = 0; i < chunk.size(); ++i) {
      if (!reads[i].ok()) continue;
      const PersonalView& view = reads[i]->view;
      auto f = view.fields.find(PersonalScope::kIdentity);
      auto restricted = view.restricted_until.find(PersonalScope::kIdentity);
      if (f != view.fields.end() && f->second.contains("name") && f->second["name"].is_string()) {
        names[chunk[i]] = f->second["name"].get<std::string>();
      } else if (restricted != view.restricted_until.end()) {
        names[chunk[i]] = Message(p.lang, "name_restricted", {{"until", restricted->second}});
      }
    }
  }
  return names;
}

}  // namespace pathways::web

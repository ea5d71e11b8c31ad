// The administrator's pages: the loaded definitions, each drawn as a state diagram with its
// transitions and states as tables; a YAML checked as the loader checks it; progress toward the
// target and the funnel as charts; and the notifications to partners: endpoints and their
// health, dead letters sent again. Imports are import_pages.cpp.

#include <tuple>

#include "adapters/notify/dispatcher.hpp"
#include "adapters/notify/routing.hpp"
#include "adapters/web/charts.hpp"
#include "adapters/web/diagram.hpp"
#include "adapters/web/web_impl.hpp"
#include "workflows/loader.hpp"

namespace pathways::web {

json Web::Impl::AdminNav(const Page& p, const std::string& current) const {
  // A school's administrator sees the definitions and the progress; the rest is the
  // partnership's administrators'.
  const bool partnership = app::Allowed(app::Access::kAdmin, *p.user);
  json nav = json::array();
  for (const auto& [href, key, everyone] : std::vector<std::tuple<std::string, std::string, bool>>{
           {"/admin", "definitions", true},
           {"/admin/validate", "validate_title", false},
           {"/admin/import", "import_title", false},
           {"/admin/import-companies", "import_companies_title", false},
           {"/admin/progress", "progress_title", true},
           {"/admin/notifications", "notifications_title", false}}) {
    if (!everyone && !partnership) continue;
    nav.push_back({{"href", href}, {"label", Message(p.lang, key)}, {"current", href == current}});
  }
  return nav;
}

// ---- administration -------------------------------------------------------------------------

void Web::Impl::Admin(Page& p, bool get) {
  if (p.user->role != Role::kAdministrator) {
    return Error(p, 404, "not_found", Message(p.lang, "not_found_text"));
  }
  const std::vector<std::string>& seg = p.segments;
  if (seg.size() == 1 && get) return Definitions(p);
  const bool partnership = app::Allowed(app::Access::kAdmin, *p.user);
  if (seg.size() == 2 && (seg[1] == "import" || seg[1] == "import-companies") && partnership) {
    return get ? ImportForm(p, json::object(), 200) : Import(p);
  }
  if (seg.size() == 2 && seg[1] == "progress" && get) return Progress(p);
  if (seg.size() == 2 && seg[1] == "notifications" && get && partnership) {
    return Notifications(p, "");
  }
  if (seg.size() == 3 && seg[1] == "notifications" && !get && partnership) {
    return NotificationAct(p, seg[2]);
  }
  if (seg.size() == 4 && seg[1] == "definitions" && get) return DefinitionPage(p, seg[2], seg[3]);
  if (seg.size() == 2 && seg[1] == "validate") {
    if (get) {
      return Send(
          p, 200, Message(p.lang, "validate_title"),
          RenderTemplate("validate",
                         {{"csrf", p.session->csrf}, {"admin_nav", AdminNav(p, "/admin/validate")}},
                         p.lang),
          "/admin");
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
       RenderTemplate("definitions", {{"definitions", list}, {"admin_nav", AdminNav(p, "/admin")}},
                      p.lang),
       "/admin");
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
      guards += GuardInWords(*def, g, p.lang);
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
  json model = {{"csrf", p.session->csrf},
                {"yaml", form.Text("yaml")},
                {"admin_nav", AdminNav(p, "/admin/validate")}};
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

// ---- progress -------------------------------------------------------------------------------

void Web::Impl::Progress(Page& p) {
  const std::string* asked = p.req.Query("school");
  Result<app::FiguresView> view = workspace.Figures(*p.user, asked != nullptr ? *asked : "");
  if (!view.ok()) return Error(p, 404, "not_found", Message(p.lang, "not_found_text"));
  auto def = o.catalog->Newest();
  json model = {{"admin_nav", AdminNav(p, "/admin/progress")}};
  if (view->target && def) {
    const auto& t = *view->target;
    const std::string milestone = LabelOf(def->milestones, t.milestone, p.lang);
    model["target"] = {{"milestone", milestone},
                       {"count", std::to_string(t.count)},
                       {"reached", std::to_string(t.reached)},
                       {"left", std::to_string(std::max<std::int64_t>(0, t.count - t.reached))},
                       {"percent", std::to_string(t.count == 0 ? 0 : t.reached * 100 / t.count)},
                       {"svg", ProgressChart(t.reached, t.count, milestone)}};
  }
  // Pathways now in each phase, in the order the definition first names them; ended ones
  // (terminal states) last.
  std::vector<Bar> phases;
  std::int64_t ended = 0;
  if (def) {
    for (const definition::State& st : def->states) {
      auto n = view->figures.states.find(st.id);
      const std::int64_t count = n == view->figures.states.end() ? 0 : n->second;
      if (st.terminal) {
        ended += count;
        continue;
      }
      const std::string label = PhaseLabel(st.phase, p.lang);
      auto bar = std::find_if(phases.begin(), phases.end(),
                              [&](const Bar& b) { return b.label == label; });
      if (bar == phases.end()) {
        phases.push_back({label, count});
      } else {
        bar->value += count;
      }
    }
    phases.push_back({Message(p.lang, "progress_ended"), ended});
  }
  // The funnel: how many have reached each milestone, in the definition's order.
  std::vector<Bar> milestones;
  if (def) {
    for (const definition::Milestone& m : def->milestones) {
      if (!m.category.empty()) continue;  // sensitive ones (an SPS grant) are not counted here
      auto n = view->figures.milestones.find(m.id);
      milestones.push_back(
          {Pick(m.label, p.lang), n == view->figures.milestones.end() ? 0 : n->second});
    }
  }
  auto rows = [](const std::vector<Bar>& bars) {
    json out = json::array();
    for (const Bar& b : bars)
      out.push_back({{"label", b.label}, {"value", std::to_string(b.value)}});
    return out;
  };
  model["phases"] = rows(phases);
  model["phases_svg"] = BarChart(phases);
  model["milestones"] = rows(milestones);
  model["milestones_svg"] = BarChart(milestones);
  json schools = json::array();
  if (o.schools != nullptr) {
    for (const auto& [id, s] : *o.schools) {
      schools.push_back({{"id", id}, {"name", s.name}, {"selected", id == view->school}});
    }
  }
  model["schools"] = schools;
  model["has_schools"] = !schools.empty();
  if (!view->school.empty()) model["school_name"] = o.schools->at(view->school).name;
  Send(p, 200, Message(p.lang, "progress_title"), RenderTemplate("progress", model, p.lang),
       "/admin");
}

// ---- notifications to partners ---------------------------------------------------------------

void Web::Impl::Notifications(Page& p, const std::string& error, int status) {
  if (o.notifier == nullptr) {
    return Error(p, 404, "not_found", Message(p.lang, "notifications_off"));
  }
  json endpoints = json::array();
  const auto newest = o.catalog->Newest();  // the parties' words
  for (const notify::EndpointView& e : o.notifier->Endpoints()) {
    const notify::EndpointHealth& h = e.health;
    std::string health = Message(p.lang, "endpoint_healthy");
    if (h.disabled_at != 0) {
      health = Message(p.lang, "endpoint_disabled", {{"when", When(h.disabled_at, p.lang)}});
    } else if (h.failing_since != 0) {
      health = Message(p.lang, "endpoint_failing", {{"when", When(h.failing_since, p.lang)}});
    }
    endpoints.push_back(
        {{"name", e.name},
         {"party", newest != nullptr ? LabelOf(newest->parties, e.party, p.lang) : e.party},
         {"channel", Message(p.lang, "channel_" + e.channel)},
         {"target", e.target},
         {"health", health},
         {"badge", h.disabled_at != 0     ? "error"
                   : h.failing_since != 0 ? "warning"
                                          : "success"},
         {"disabled", h.disabled_at != 0},
         {"reason", h.disabled_reason},
         {"last_delivered", h.last_delivered_at == 0 ? Message(p.lang, "never")
                                                     : When(h.last_delivered_at, p.lang)}});
  }
  const std::string* after = p.req.Query("after");
  Result<notify::DeadLetterPage> page =
      o.notifier->DeadLetters(after == nullptr ? "" : *after, 100);
  if (!page.ok()) return Error(p, 503, "unavailable", Message(p.lang, "unavailable_text"));
  json letters = json::array();
  for (const notify::Delivery& d : page->letters) {
    const json& n = d.notification;
    auto def = notify::DefinitionOf(*o.catalog, n);
    const std::string party = n.value("party", "");
    letters.push_back(
        {{"id", std::to_string(d.id)},
         {"party", def ? LabelOf(def->parties, party, p.lang) : party},
         {"pathway_id", n.value("pathway_id", "")},
         {"channel", Message(p.lang, "channel_" + std::string(notify::ChannelName(d.channel)))},
         {"when", When(d.dead_at, p.lang)},
         {"attempts", std::to_string(d.attempts)},
         {"error", d.last_error}});
  }
  json model = {{"admin_nav", AdminNav(p, "/admin/notifications")},
                {"csrf", p.session->csrf},
                {"endpoints", endpoints},
                {"has_endpoints", !endpoints.empty()},
                {"letters", letters},
                {"has_letters", !letters.empty()},
                {"total", std::to_string(o.notifier->DeadLetterCount())},
                {"next", page->next},
                {"error", error},
                {"done", Done(p)}};
  Send(p, status, Message(p.lang, "notifications_title"),
       RenderTemplate("notifications", model, p.lang), "/admin");
}

void Web::Impl::NotificationAct(Page& p, const std::string& act) {
  if (o.notifier == nullptr) {
    return Error(p, 404, "not_found", Message(p.lang, "notifications_off"));
  }
  const Form form(p.req.body);
  if (act == "replay") {
    const std::string id = form.Text("id");
    if (id.empty() || id.size() > 19 || id.find_first_not_of("0123456789") != std::string::npos) {
      return Notifications(p, Message(p.lang, "replay_unknown"), 404);
    }
    Result<notify::Delivery> d = o.notifier->Replay(std::stoull(id));
    if (!d.ok()) {
      const bool gone = d.status().code() == StatusCode::kNotFound ||
                        d.status().code() == StatusCode::kFailedPrecondition;
      return Notifications(p, gone ? Message(p.lang, "replay_unknown") : d.status().message(),
                           gone ? 409 : 503);
    }
    return p.respond(Redirect("/admin/notifications?done=replay"));
  }
  if (act == "enable") {
    const Status st = o.notifier->Enable(form.Text("name"));
    if (!st.ok()) {
      return Notifications(p, st.message(), st.code() == StatusCode::kNotFound ? 404 : 503);
    }
    return p.respond(Redirect("/admin/notifications?done=enable"));
  }
  Error(p, 404, "not_found", Message(p.lang, "not_found_text"));
}

}  // namespace pathways::web

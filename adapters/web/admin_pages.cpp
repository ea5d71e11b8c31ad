// The administrator's pages: the loaded definitions, each drawn as a state diagram with its
// transitions and states as tables, and a YAML checked as the loader checks it.

#include "adapters/web/diagram.hpp"
#include "adapters/web/web_impl.hpp"
#include "workflows/loader.hpp"

namespace pathways::web {

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

}  // namespace pathways::web

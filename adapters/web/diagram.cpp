#include "adapters/web/diagram.hpp"

#include <graphviz/cgraph.h>
#include <graphviz/gvc.h>
#include <spdlog/spdlog.h>

#include <map>
#include <mutex>
#include <set>
#include <tuple>

namespace pathways::web {
namespace {

// Graphviz takes names and values as char*, and copies them.
char* C(const std::string& s) { return const_cast<char*>(s.c_str()); }

void Set(void* object, const std::string& name, const std::string& value) {
  agsafeset(object, C(name), C(value), C(std::string()));
}

std::string Draw(GVC_t* gvc, const definition::Definition& def, Lang lang) {
  auto label = [lang](const definition::Label& l, const std::string& id) {
    const std::string& text = lang == Lang::kEn && !l.en.empty() ? l.en : l.da;
    return text.empty() ? id : text;
  };
  Agraph_t* g = agopen(C(def.id), Agdirected, nullptr);
  Set(g, "rankdir", "TB");
  Set(g, "fontname", "sans-serif");
  agattr(g, AGNODE, C("fontname"), C("sans-serif"));
  agattr(g, AGEDGE, C("fontname"), C("sans-serif"));
  agattr(g, AGEDGE, C("fontsize"), C("10"));
  std::map<std::string, Agnode_t*> nodes;
  for (const definition::State& s : def.states) {
    Agnode_t* n = agnode(g, C(s.id), 1);
    Set(n, "label", label(s.label, s.id));
    Set(n, "shape", "box");
    Set(n, "style", s.terminal ? "rounded,bold" : "rounded");
    nodes[s.id] = n;
  }
  if (auto initial = nodes.find(def.initial); initial != nodes.end()) {
    Agnode_t* start = agnode(g, C("__start"), 1);
    Set(start, "shape", "point");
    Set(start, "label", "");
    agedge(g, start, initial->second, C("__start"), 1);
  }
  // One arrow per trigger between two states; transitions that stay are in the table.
  std::set<std::tuple<std::string, std::string, std::string>> drawn;
  for (const definition::Transition& t : def.transitions) {
    auto to = nodes.find(t.to);
    if (to == nodes.end()) continue;
    for (const std::string& from : t.from) {
      auto f = nodes.find(from);
      if (f == nodes.end() || from == t.to) continue;
      if (!drawn.insert({from, t.to, t.trigger}).second) continue;
      const std::string name = from + "/" + t.trigger;
      Agedge_t* e = agedge(g, f->second, to->second, C(name), 1);
      Set(e, "label", t.trigger);
    }
  }
  std::string svg;
  if (gvLayout(gvc, g, "dot") == 0) {
    char* data = nullptr;
    unsigned int length = 0;
    if (gvRenderData(gvc, g, "svg", &data, &length) == 0 && data != nullptr) {
      svg.assign(data, length);
      // The element alone: no XML declaration or DOCTYPE inside an HTML page.
      if (const std::size_t at = svg.find("<svg"); at != std::string::npos) svg.erase(0, at);
    }
    gvFreeRenderData(data);
    gvFreeLayout(gvc, g);
  }
  agclose(g);
  if (svg.empty())
    spdlog::error("workspace: Graphviz could not draw {} version {}", def.id, def.version);
  return svg;
}

}  // namespace

std::string StateDiagram(const definition::Definition& def, Lang lang) {
  static std::mutex mu;
  static GVC_t* gvc = nullptr;  // one context for the process's life
  static std::map<std::tuple<std::string, std::uint32_t, std::string, Lang>, std::string> drawn;
  std::lock_guard lock(mu);
  const auto key = std::tuple{def.id, def.version, def.hash, lang};
  if (auto it = drawn.find(key); it != drawn.end()) return it->second;
  if (gvc == nullptr) gvc = gvContext();
  if (gvc == nullptr) return {};
  std::string svg = Draw(gvc, def, lang);
  if (!svg.empty()) drawn.emplace(key, svg);
  return svg;
}

}  // namespace pathways::web

#include "adapters/web/pages.hpp"

#include <kainjow/mustache.hpp>
#include <map>
#include <memory>
#include <vector>

#include "adapters/embedded_text.hpp"
#include "adapters/mustache_data.hpp"

namespace pathways::web {
namespace {

using Mustache = kainjow::mustache::mustache;
using Data = kainjow::mustache::data;

constexpr adapters::EmbeddedText kTemplates[] = {
#include "web_templates.inc"
};

}  // namespace

std::vector<std::string> TemplateNames() {
  std::vector<std::string> out;
  for (const adapters::EmbeddedText& t : kTemplates) {
    std::string_view file = t.name;
    if (file.ends_with(".mustache")) out.emplace_back(file.substr(0, file.size() - 9));
  }
  return out;
}

namespace {

const char* TemplateText(std::string_view name) {
  for (const adapters::EmbeddedText& t : kTemplates) {
    std::string_view file = t.name;
    if (file.size() == name.size() + 9 && file.starts_with(name) && file.ends_with(".mustache")) {
      return t.text;
    }
  }
  return nullptr;
}

// Parsing is the costly part of a render: each thread parses a template once.
Mustache* Parsed(std::string_view name) {
  thread_local std::map<std::string, std::unique_ptr<Mustache>, std::less<>> cache;
  if (auto it = cache.find(name); it != cache.end()) return it->second.get();
  const char* text = TemplateText(name);
  if (text == nullptr) return nullptr;
  auto m = std::make_unique<Mustache>(std::string(text));
  if (!m->is_valid()) return nullptr;
  return cache.emplace(std::string(name), std::move(m)).first->second.get();
}

const Data& MessageData(Lang lang) {
  static const auto build = [](Lang l) {
    Data d{Data::type::object};
    for (const auto& [k, v] : Messages(l)) d.set(k, Data{v});
    return d;
  };
  static const Data da = build(Lang::kDa);
  static const Data en = build(Lang::kEn);
  return lang == Lang::kEn ? en : da;
}

// The templates named `_NAME.mustache`, as partials every page may include ({{> _NAME}}).
const std::vector<std::pair<std::string, Data>>& Partials() {
  static const std::vector<std::pair<std::string, Data>> partials = [] {
    std::vector<std::pair<std::string, Data>> out;
    for (const std::string& name : TemplateNames()) {
      if (!name.starts_with('_')) continue;
      const char* text = TemplateText(name);
      out.emplace_back(name,
                       Data{kainjow::mustache::partial([text] { return std::string(text); })});
    }
    return out;
  }();
  return partials;
}

}  // namespace

std::string RenderTemplate(std::string_view name, const nlohmann::json& model, Lang lang) {
  Mustache* m = Parsed(name);
  if (m == nullptr) return {};
  Data data = adapters::ToMustacheData(model);
  data.set("t", MessageData(lang));
  // Partials are looked up like values: from the model's root, wherever they are used.
  for (const auto& [name, partial] : Partials()) data.set(name, partial);
  return m->render(data);
}

std::string TemplateError(std::string_view name) {
  const char* text = TemplateText(name);
  if (text == nullptr) return "no template " + std::string(name);
  Mustache m{std::string(text)};
  return m.is_valid() ? std::string() : m.error_message();
}

}  // namespace pathways::web

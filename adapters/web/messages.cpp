#include "adapters/web/messages.hpp"

#include <yaml-cpp/yaml.h>

#include <cstdio>
#include <cstdlib>
#include <utility>

#include "adapters/embedded_text.hpp"

namespace pathways::web {
namespace {

constexpr adapters::EmbeddedText kFiles[] = {
#include "web_messages.inc"
};

// The messages of `lang`: its file (`da.yaml`) and those of each concept beside it
// (`companies.da.yaml`). A key twice is a build defect, as a broken file is: the tests load both
// languages.
MessageTable Load(std::string_view lang) {
  const std::string file = std::string(lang) + ".yaml";
  const std::string suffix = "." + file;
  MessageTable out;
  for (const adapters::EmbeddedText& e : kFiles) {
    const std::string_view name = e.name;
    if (name != file && !name.ends_with(suffix)) continue;
    try {
      const YAML::Node root = YAML::Load(e.text);
      for (const auto& kv : root) {
        if (!out.emplace(kv.first.as<std::string>(), kv.second.as<std::string>()).second) {
          std::fprintf(stderr, "adapters/web/messages/%s: `%s` is in another file too\n", e.name,
                       kv.first.as<std::string>().c_str());
          std::abort();
        }
      }
    } catch (const YAML::Exception& ex) {
      std::fprintf(stderr, "adapters/web/messages/%s: %s\n", e.name, ex.what());
      std::abort();
    }
  }
  return out;
}

}  // namespace

std::string_view LangCode(Lang lang) { return lang == Lang::kEn ? "en" : "da"; }
Lang ParseLang(std::string_view code) { return code == "en" ? Lang::kEn : Lang::kDa; }

const MessageTable& Messages(Lang lang) {
  static const MessageTable da = Load("da");
  static const MessageTable en = Load("en");
  return lang == Lang::kEn ? en : da;
}

std::string Message(Lang lang, std::string_view key,
                    std::initializer_list<std::pair<std::string_view, std::string>> args) {
  const MessageTable& table = Messages(lang);
  auto it = table.find(key);
  std::string text = it == table.end() ? std::string(key) : it->second;
  for (const auto& [name, value] : args) {
    const std::string placeholder = "{" + std::string(name) + "}";
    for (std::size_t at = text.find(placeholder); at != std::string::npos;
         at = text.find(placeholder, at + value.size())) {
      text.replace(at, placeholder.size(), value);
    }
  }
  return text;
}

}  // namespace pathways::web

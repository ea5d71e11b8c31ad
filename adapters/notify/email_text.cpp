// Email words from Mustache templates (Debian's libkainjow-mustache-dev: logic-less, HTML
// escaping built in, header-only; kept to this file for its compile cost).

#include "adapters/notify/email_text.hpp"

#include <array>
#include <filesystem>
#include <kainjow/mustache.hpp>
#include <utility>

#include "adapters/embedded_text.hpp"
#include "adapters/mustache_data.hpp"
#include "adapters/notify/notice.hpp"
#include "workflows/yaml_reader.hpp"

namespace pathways::notify {
namespace {

using Mustache = kainjow::mustache::mustache;
using Data = kainjow::mustache::data;

// The built-in words: the shipped templates (config/templates), embedded by the build.
constexpr adapters::EmbeddedText kShipped[] = {
#include "email_templates.inc"
};

constexpr std::array<const char*, 6> kKinds = {"milestone", "risk",        "reminder",
                                               "deadline",  "appointment", "participant"};

// A {da, en} text in `language`, else the Danish one.
std::string In(const nlohmann::json& words, const std::string& language) {
  if (!words.is_object()) return words.is_string() ? words.get<std::string>() : std::string();
  const std::string text = words.value(language, "");
  return text.empty() ? words.value("da", "") : text;
}

// What the templates see: the notice (notice.hpp) in the template's language.
nlohmann::json Context(const Payload& p, const std::string& language) {
  const nlohmann::json data = p.body.value("data", nlohmann::json::object());
  const nlohmann::json notice = data.value("notice", nlohmann::json::object());
  nlohmann::json c = {
      {"party",
       notice.contains("to")
           ? notice.value("to", "")
           : In(data.value("party_label", nlohmann::json(data.value("party", ""))), language)},
      {"title", In(notice.value("title", nlohmann::json("Pathways")), language)},
      {"what", In(notice.value("what", nlohmann::json()), language)},
      {"reference", data.value("pathway_id", "")},
      {"kind", notice.value("kind", "milestone")},
      {"resolved", notice.value("resolved", false)}};
  if (notice.contains("ask")) {
    c["ask"] = {{"ask", In(notice["ask"], language)}};
    if (notice.contains("by")) c["ask"]["by"] = In(notice["by"], language);
    // Null, not "": an empty text is true to Mustache, and "senest ." would follow.
    c["by"] = c["ask"].contains("by") ? c["ask"]["by"] : nlohmann::json();
  }
  nlohmann::json facts = nlohmann::json::array();
  for (const auto& f : notice.value("facts", nlohmann::json::array())) {
    facts.push_back({{"label", In(f.value("label", nlohmann::json()), language)},
                     {"value", In(f.value("value", nlohmann::json()), language)}});
  }
  c["has_items"] = !facts.empty();
  c["items"] = std::move(facts);
  if (notice.contains("counsellor")) c["counsellor"] = notice["counsellor"];
  if (const auto a = notice.find("appointment"); a != notice.end()) {
    c["appointment"] = {{"when", In(a->value("when", nlohmann::json()), language)},
                        {"place", a->value("place", "")},
                        {"online", a->value("online", false)},
                        {"topic", a->value("topic", "")}};
  }
  return c;
}

std::string RenderOne(const std::string& tmpl, const Data& data, bool html) {
  Mustache m(tmpl);
  if (!html) m.set_custom_escape([](const std::string& s) { return s; });
  return m.render(data);
}

// Mustache's errors end "at N", N the byte offset where the problem starts: as a line and
// column of the template (1, 1 when the message has none).
std::pair<int, int> ErrorPosition(const std::string& text, const std::string& message) {
  const std::size_t at = message.rfind(" at ");
  if (at == std::string::npos) return {1, 1};
  std::size_t offset = 0;
  for (std::size_t i = at + 4; i < message.size(); ++i) {
    if (message[i] < '0' || message[i] > '9') return {1, 1};
    offset = offset * 10 + static_cast<std::size_t>(message[i] - '0');
    if (offset > text.size()) return {1, 1};
  }
  int line = 1;
  int column = 1;
  for (std::size_t i = 0; i < offset; ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  return {line, column};
}

}  // namespace

EmailTemplates::EmailTemplates() {
  const std::vector<workflows::Diagnostic> problems =
      Fill([](const std::string& name, std::string& into) {
        for (const adapters::EmbeddedText& e : kShipped) {
          if (name == e.name) {
            into = e.text;
            return true;
          }
        }
        return false;
      });
  // The shipped files are checked by the tests that load them; a broken one never ships.
  (void)problems;
}

std::vector<workflows::Diagnostic> EmailTemplates::Load(const std::string& dir) {
  std::vector<workflows::Diagnostic> problems;
  std::vector<workflows::Diagnostic> parsed = Fill([&](const std::string& name, std::string& into) {
    const std::string path = (std::filesystem::path(dir) / name).string();
    if (!std::filesystem::exists(path)) return false;
    if (!workflows::ReadWholeFile(path, into)) {
      problems.push_back({path, 1, 1, "cannot read the template"});
      return false;
    }
    return true;
  });
  for (auto& d : parsed) {
    d.file = (std::filesystem::path(dir) / d.file).string();
    problems.push_back(std::move(d));
  }
  return problems;
}

// Each template `read` finds (by file name) and that parses, over the ones there are; the
// problems name the file.
std::vector<workflows::Diagnostic> EmailTemplates::Fill(const Reader& read) {
  std::vector<workflows::Diagnostic> problems;
  auto take = [&](const std::string& name, std::string& into) {
    std::string text;
    if (!read(name, text)) return false;
    Mustache m(text);
    if (!m.is_valid()) {
      const auto [line, column] = ErrorPosition(text, m.error_message());
      problems.push_back(
          {name, line, column, "not a valid Mustache template: " + m.error_message()});
      return false;
    }
    into = std::move(text);
    return true;
  };
  for (const std::string lang : {"da", "en"}) {
    Set every = sets_[lang]["milestone"];
    const bool generic = take("notification." + lang + ".subject", every.subject) |
                         take("notification." + lang + ".txt", every.text) |
                         take("notification." + lang + ".html", every.html);
    for (const std::string kind : kKinds) {
      Set& set = sets_[lang][kind];
      if (generic) set = every;
      take(kind + "." + lang + ".subject", set.subject);
      take(kind + "." + lang + ".txt", set.text);
      take(kind + "." + lang + ".html", set.html);
      take(kind + "." + lang + ".sms", set.sms);
    }
    Parts& parts = parts_[lang];
    take("facts." + lang + ".txt", parts.facts_text);
    take("facts." + lang + ".html", parts.facts_html);
    take("footer." + lang + ".txt", parts.footer_text);
    take("footer." + lang + ".html", parts.footer_html);
  }
  return problems;
}

EmailText EmailTemplates::Render(const Payload& payload, const std::string& language,
                                 const nlohmann::json& confirm) const {
  auto lang = sets_.find(language);
  if (lang == sets_.end()) lang = sets_.find("da");
  nlohmann::json context = Context(payload, lang->first);
  if (confirm.is_object()) {
    const TimestampMs expires = confirm.value("expires_at", TimestampMs{0});
    context["confirm"] = {{"url", confirm.value("url", "")},
                          {"until", MomentInWords(expires, lang->first)}};
  }
  auto kind = lang->second.find(context.value("kind", ""));
  if (kind == lang->second.end()) kind = lang->second.find("milestone");
  const Set& set = kind->second;
  const Parts& parts = parts_.at(lang->first);

  Data text = adapters::ToMustacheData(context);
  text.set("facts", Data(parts.facts_text));
  text.set("footer", Data(parts.footer_text));
  Data html = adapters::ToMustacheData(context);
  html.set("facts", Data(parts.facts_html));
  html.set("footer", Data(parts.footer_html));

  EmailText out;
  out.subject = RenderOne(set.subject, text, false);
  // A subject is one line, whatever the template or the data says (a file's last newline too).
  for (char& c : out.subject) {
    if (c == '\r' || c == '\n') c = ' ';
  }
  const std::size_t end = out.subject.find_last_not_of(' ');
  out.subject.erase(end == std::string::npos ? 0 : end + 1);
  out.text = RenderOne(set.text, text, false);
  out.html = RenderOne(set.html, html, true);
  // A text message: the kind's own words, else the subject; one line either way.
  out.sms = set.sms.empty() ? out.subject : RenderOne(set.sms, text, false);
  for (char& c : out.sms) {
    if (c == '\r' || c == '\n') c = ' ';
  }
  while (!out.sms.empty() && out.sms.back() == ' ') out.sms.pop_back();
  return out;
}

}  // namespace pathways::notify

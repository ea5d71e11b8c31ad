// Email words from Mustache templates (Debian's libkainjow-mustache-dev: logic-less, HTML
// escaping built in, header-only; kept to this file for its compile cost).

#include "adapters/notify/email_text.hpp"

#include <array>
#include <filesystem>
#include <kainjow/mustache.hpp>
#include <utility>

#include "workflows/yaml_reader.hpp"

namespace pathways::notify {
namespace {

using Mustache = kainjow::mustache::mustache;
using Data = kainjow::mustache::data;

// The built-in words: one template for every kind, and the parts every template shares.
// config/templates has a template per kind; these stand in for any file left out.
constexpr const char* kSubjectDa = "{{title}}: {{what}}";
constexpr const char* kTextDa = R"(Til {{party}}

{{what}}.
{{#ask}}
{{ask}}{{#by}} senest {{by}}{{/by}}.
{{/ask}}

{{> facts}}
{{> footer}}
)";
constexpr const char* kHtmlDa = R"(<!doctype html>
<html lang="da"><head><meta charset="utf-8"><title>{{title}}</title></head><body>
<p>Til {{party}}</p>
<p><strong>{{what}}.</strong></p>
{{#ask}}<p>{{ask}}{{#by}} senest <strong>{{by}}</strong>{{/by}}.</p>{{/ask}}
{{> facts}}
{{> footer}}
</body></html>
)";
constexpr const char* kFactsTextDa = R"({{#items}}
{{label}}: {{value}}
{{/items}}
)";
constexpr const char* kFactsHtmlDa =
    R"({{#has_items}}<table>{{#items}}<tr><th scope="row">{{label}}</th><td>{{value}}</td></tr>{{/items}}</table>{{/has_items}})";
constexpr const char* kFooterTextDa = R"({{#counsellor}}
Kontaktperson: {{name}}{{#phone}}, telefon {{phone}}{{/phone}}{{#email}}, e-mail {{email}}{{/email}}
{{/counsellor}}
Reference: forløb {{reference}}

Beskeden er sendt automatisk. Svar ikke på den, men kontakt kontaktpersonen.
)";
constexpr const char* kFooterHtmlDa =
    R"({{#counsellor}}<p>Kontaktperson: {{name}}{{#phone}}, telefon {{phone}}{{/phone}}{{#email}}, e-mail <a href="mailto:{{email}}">{{email}}</a>{{/email}}</p>{{/counsellor}}
<p><small>Reference: forløb {{reference}}. Beskeden er sendt automatisk. Svar ikke på den, men kontakt kontaktpersonen.</small></p>)";

constexpr const char* kSubjectEn = "{{title}}: {{what}}";
constexpr const char* kTextEn = R"(To {{party}}

{{what}}.
{{#ask}}
{{ask}}{{#by}} by {{by}}{{/by}}.
{{/ask}}

{{> facts}}
{{> footer}}
)";
constexpr const char* kHtmlEn = R"(<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{title}}</title></head><body>
<p>To {{party}}</p>
<p><strong>{{what}}.</strong></p>
{{#ask}}<p>{{ask}}{{#by}} by <strong>{{by}}</strong>{{/by}}.</p>{{/ask}}
{{> facts}}
{{> footer}}
</body></html>
)";
constexpr const char* kFooterTextEn = R"({{#counsellor}}
Contact person: {{name}}{{#phone}}, phone {{phone}}{{/phone}}{{#email}}, email {{email}}{{/email}}
{{/counsellor}}
Reference: pathway {{reference}}

This message was sent automatically. Do not reply to it; contact the contact person.
)";
constexpr const char* kFooterHtmlEn =
    R"({{#counsellor}}<p>Contact person: {{name}}{{#phone}}, phone {{phone}}{{/phone}}{{#email}}, email <a href="mailto:{{email}}">{{email}}</a>{{/email}}</p>{{/counsellor}}
<p><small>Reference: pathway {{reference}}. This message was sent automatically. Do not reply to it; contact the contact person.</small></p>)";

constexpr std::array<const char*, 4> kKinds = {"milestone", "risk", "reminder", "deadline"};

Data ToData(const nlohmann::json& j) {
  switch (j.type()) {
    case nlohmann::json::value_t::object: {
      Data d{Data::type::object};
      for (const auto& [k, v] : j.items()) d.set(k, ToData(v));
      return d;
    }
    case nlohmann::json::value_t::array: {
      Data d{Data::type::list};
      for (const auto& v : j) d.push_back(ToData(v));
      return d;
    }
    case nlohmann::json::value_t::string: return Data(j.get<std::string>());
    case nlohmann::json::value_t::boolean:
      return j.get<bool>() ? Data::type::bool_true : Data::type::bool_false;
    case nlohmann::json::value_t::null: return Data(Data::type::bool_false);
    default: return Data(j.dump());
  }
}

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
      {"party", In(data.value("party_label", nlohmann::json(data.value("party", ""))), language)},
      {"title", In(notice.value("title", nlohmann::json("Pathways")), language)},
      {"what", In(notice.value("what", nlohmann::json()), language)},
      {"reference", data.value("pathway_id", "")},
      {"kind", notice.value("kind", "milestone")}};
  if (notice.contains("ask")) {
    c["ask"] = {{"ask", In(notice["ask"], language)}};
    if (notice.contains("by")) c["ask"]["by"] = In(notice["by"], language);
    c["by"] = c["ask"].value("by", "");
  }
  nlohmann::json facts = nlohmann::json::array();
  for (const auto& f : notice.value("facts", nlohmann::json::array())) {
    facts.push_back({{"label", In(f.value("label", nlohmann::json()), language)},
                     {"value", In(f.value("value", nlohmann::json()), language)}});
  }
  c["has_items"] = !facts.empty();
  c["items"] = std::move(facts);
  if (notice.contains("counsellor")) c["counsellor"] = notice["counsellor"];
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
  for (const char* kind : kKinds) {
    sets_["da"][kind] = {kSubjectDa, kTextDa, kHtmlDa};
    sets_["en"][kind] = {kSubjectEn, kTextEn, kHtmlEn};
  }
  parts_["da"] = {kFactsTextDa, kFactsHtmlDa, kFooterTextDa, kFooterHtmlDa};
  parts_["en"] = {kFactsTextDa, kFactsHtmlDa, kFooterTextEn, kFooterHtmlEn};
}

std::vector<workflows::Diagnostic> EmailTemplates::Load(const std::string& dir) {
  std::vector<workflows::Diagnostic> problems;
  // A template file when it exists and parses; a problem names it otherwise.
  auto read = [&](const std::string& name, std::string& into) {
    const std::string path = (std::filesystem::path(dir) / name).string();
    if (!std::filesystem::exists(path)) return false;
    std::string text;
    if (!workflows::ReadWholeFile(path, text)) {
      problems.push_back({path, 1, 1, "cannot read the template"});
      return false;
    }
    Mustache m(text);
    if (!m.is_valid()) {
      const auto [line, column] = ErrorPosition(text, m.error_message());
      problems.push_back(
          {path, line, column, "not a valid Mustache template: " + m.error_message()});
      return false;
    }
    into = std::move(text);
    return true;
  };
  for (const std::string lang : {"da", "en"}) {
    Set every = sets_[lang]["milestone"];
    const bool generic = read("notification." + lang + ".subject", every.subject) |
                         read("notification." + lang + ".txt", every.text) |
                         read("notification." + lang + ".html", every.html);
    for (const std::string kind : kKinds) {
      Set& set = sets_[lang][kind];
      if (generic) set = every;
      read(kind + "." + lang + ".subject", set.subject);
      read(kind + "." + lang + ".txt", set.text);
      read(kind + "." + lang + ".html", set.html);
    }
    Parts& parts = parts_[lang];
    read("facts." + lang + ".txt", parts.facts_text);
    read("facts." + lang + ".html", parts.facts_html);
    read("footer." + lang + ".txt", parts.footer_text);
    read("footer." + lang + ".html", parts.footer_html);
  }
  return problems;
}

EmailText EmailTemplates::Render(const Payload& payload, const std::string& language) const {
  auto lang = sets_.find(language);
  if (lang == sets_.end()) lang = sets_.find("da");
  nlohmann::json context = Context(payload, lang->first);
  auto kind = lang->second.find(context.value("kind", ""));
  if (kind == lang->second.end()) kind = lang->second.find("milestone");
  const Set& set = kind->second;
  const Parts& parts = parts_.at(lang->first);

  Data text = ToData(context);
  text.set("facts", Data(parts.facts_text));
  text.set("footer", Data(parts.footer_text));
  Data html = ToData(context);
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
  return out;
}

}  // namespace pathways::notify

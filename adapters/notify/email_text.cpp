// Email words from Mustache templates (Debian's libkainjow-mustache-dev: logic-less, HTML
// escaping built in, header-only; kept to this file for its compile cost).

#include "adapters/notify/email_text.hpp"

#include <filesystem>
#include <kainjow/mustache.hpp>
#include <utility>

#include "workflows/yaml_reader.hpp"

namespace pathways::notify {
namespace {

using Mustache = kainjow::mustache::mustache;
using Data = kainjow::mustache::data;

constexpr const char* kSubjectDa = "Pathways: forløb {{pathway_id}} – {{because}}";
constexpr const char* kTextDa =
    "Til {{party_label}}\n\n"
    "Der er nyt i forløb {{pathway_id}} (deltager {{participant_id}}).\n"
    "Anledning: {{because}}\n"
    "{{#state}}Status: {{label}} ({{id}})\n{{/state}}"
    "{{#identity}}{{#name}}Navn: {{name}}\n{{/name}}{{/identity}}"
    "{{#fields_list}}- {{name}}: {{value}}\n{{/fields_list}}"
    "\nBeskeden er sendt automatisk af Pathways (notifikation {{notification_id}}).\n";
constexpr const char* kHtmlDa =
    "<!doctype html><html lang=\"da\"><body>"
    "<p>Til {{party_label}}</p>"
    "<p>Der er nyt i forløb <b>{{pathway_id}}</b> (deltager {{participant_id}}).<br>"
    "Anledning: {{because}}</p>"
    "{{#state}}<p>Status: {{label}} ({{id}})</p>{{/state}}"
    "{{#identity}}{{#name}}<p>Navn: {{name}}</p>{{/name}}{{/identity}}"
    "<ul>{{#fields_list}}<li>{{name}}: {{value}}</li>{{/fields_list}}</ul>"
    "<p><small>Beskeden er sendt automatisk af Pathways (notifikation "
    "{{notification_id}}).</small></p></body></html>";
constexpr const char* kSubjectEn = "Pathways: pathway {{pathway_id}} – {{because}}";
constexpr const char* kTextEn =
    "To {{party_label}}\n\n"
    "There is news on pathway {{pathway_id}} (participant {{participant_id}}).\n"
    "Because: {{because}}\n"
    "{{#state}}State: {{label}} ({{id}})\n{{/state}}"
    "{{#identity}}{{#name}}Name: {{name}}\n{{/name}}{{/identity}}"
    "{{#fields_list}}- {{name}}: {{value}}\n{{/fields_list}}"
    "\nSent automatically by Pathways (notification {{notification_id}}).\n";
constexpr const char* kHtmlEn =
    "<!doctype html><html lang=\"en\"><body>"
    "<p>To {{party_label}}</p>"
    "<p>There is news on pathway <b>{{pathway_id}}</b> (participant {{participant_id}}).<br>"
    "Because: {{because}}</p>"
    "{{#state}}<p>State: {{label}} ({{id}})</p>{{/state}}"
    "{{#identity}}{{#name}}<p>Name: {{name}}</p>{{/name}}{{/identity}}"
    "<ul>{{#fields_list}}<li>{{name}}: {{value}}</li>{{/fields_list}}</ul>"
    "<p><small>Sent automatically by Pathways (notification "
    "{{notification_id}}).</small></p></body></html>";

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

// The payload's data as the templates see it: the state's label in the chosen language, and
// the data fields as a list of {name, value}.
Data Context(const Payload& p, const std::string& language) {
  nlohmann::json d = p.body.value("data", nlohmann::json::object());
  // Labels in the template's language: the party's, else its id.
  d["party_label"] =
      d.value("party_label", nlohmann::json::object()).value(language, d.value("party", ""));
  if (auto state = d.find("state"); state != d.end() && state->is_object()) {
    auto label = state->value("label", nlohmann::json::object());
    (*state)["label"] = label.value(language, state->value("id", ""));
  }
  nlohmann::json list = nlohmann::json::array();
  const nlohmann::json fields = d.value("fields", nlohmann::json::object());
  for (const auto& [k, v] : fields.items()) {
    list.push_back({{"name", k}, {"value", v.is_string() ? v.get<std::string>() : v.dump()}});
  }
  d["fields_list"] = std::move(list);
  return ToData(d);
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
  sets_["da"] = {kSubjectDa, kTextDa, kHtmlDa};
  sets_["en"] = {kSubjectEn, kTextEn, kHtmlEn};
}

std::vector<workflows::Diagnostic> EmailTemplates::Load(const std::string& dir) {
  std::vector<workflows::Diagnostic> problems;
  for (const std::string lang : {"da", "en"}) {
    Set& set = sets_[lang];
    for (auto [part, into] : {std::pair{"subject", &set.subject}, std::pair{"txt", &set.text},
                              std::pair{"html", &set.html}}) {
      const std::string path =
          (std::filesystem::path(dir) / ("notification." + lang + "." + part)).string();
      std::string text;
      if (!std::filesystem::exists(path)) continue;
      if (!workflows::ReadWholeFile(path, text)) {
        problems.push_back({path, 1, 1, "cannot read the template"});
        continue;
      }
      Mustache m(text);
      if (!m.is_valid()) {
        const auto [line, column] = ErrorPosition(text, m.error_message());
        problems.push_back(
            {path, line, column, "not a valid Mustache template: " + m.error_message()});
        continue;
      }
      *into = std::move(text);
    }
  }
  return problems;
}

EmailText EmailTemplates::Render(const Payload& payload, const std::string& language) const {
  auto it = sets_.find(language);
  if (it == sets_.end()) it = sets_.find("da");
  const Data data = Context(payload, it->first);
  EmailText out;
  out.subject = RenderOne(it->second.subject, data, false);
  // A subject is one line, whatever the template or the data says.
  for (char& c : out.subject) {
    if (c == '\r' || c == '\n') c = ' ';
  }
  out.text = RenderOne(it->second.text, data, false);
  out.html = RenderOne(it->second.html, data, true);
  return out;
}

}  // namespace pathways::notify

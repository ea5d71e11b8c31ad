#include <openssl/crypto.h>

#include <regex>
#include <set>

#include "adapters/web/web_impl.hpp"
#include "engine/runtime/calendar.hpp"

namespace pathways::web {
namespace {

// Scripts and styles only from files of our own origin: no inline code, no framing.
constexpr const char* kContentSecurityPolicy =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'none'";

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

}  // namespace

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

Form::Form(const std::string& body) {
  if (auto fields = http::ParseForm(body)) fields_ = std::move(*fields);
}

Form::Form(const http::Request& req) {
  const std::string& type = req.Header("content-type");
  if (type.starts_with("multipart/form-data")) {
    if (auto parts = ParseMultipart(req.body, type)) fields_ = std::move(*parts);
  } else if (auto fields = http::ParseForm(req.body)) {
    fields_ = std::move(*fields);
  }
}

const std::string* Form::Get(std::string_view name) const {
  for (const auto& [k, v] : fields_) {
    if (k == name) return &v;
  }
  return nullptr;
}

std::vector<std::string> Form::All(std::string_view name) const {
  std::vector<std::string> out;
  for (const auto& [k, v] : fields_) {
    if (k == name) out.push_back(v);
  }
  return out;
}

std::string Form::Text(std::string_view name) const {
  const std::string* v = Get(name);
  return v == nullptr ? std::string() : *v;
}

std::string Two(std::int64_t n) { return (n < 10 ? "0" : "") + std::to_string(n); }

// "10.00" / "10:00", Danish time.
std::string TimeOfDay(TimestampMs at, Lang lang) {
  const std::int64_t minutes = (runtime::LocalMs(at) / 60'000) % (24 * 60);
  return Two(minutes / 60) + (lang == Lang::kEn ? ":" : ".") + Two(minutes % 60);
}

// "3.2.2027 kl. 10.00" / "3 Feb 2027 10:00", Danish time.
std::string When(TimestampMs at, Lang lang, bool with_time) {
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
  if (type == "CompanyContactRecorded") {
    const std::string form = Message(lang, "contact_form_" + data.value("form", ""));
    const std::string topic = data.value("topic", "");
    return topic.empty() ? form : form + " – " + topic;
  }
  if (type == "CompanyNeedRecorded") return data.value("competences", "");
  if (type == "ContactPersonRecorded") return data.value("role", "");
  return {};
}

std::string BadgeFor(const std::string& severity) {
  if (severity == "high") return "error";
  if (severity == "medium") return "warning";
  return "info";
}

// A transition without a label of its own: the message `trigger_ID` (e.g. one that stays in
// its state), else where it leads, else the trigger's id.
std::string TriggerLabel(const definition::Definition& def, const definition::Transition& t,
                         const std::string& state, Lang lang) {
  std::string label = Pick(t.label, lang);
  if (!label.empty()) return label;
  const MessageTable& m = Messages(lang);
  if (auto it = m.find("trigger_" + t.trigger); it != m.end()) return it->second;
  return t.to.empty() || t.to == state
             ? t.trigger
             : Message(lang, "move_to", {{"state", LabelOf(def.states, t.to, lang)}});
}

std::string ReasonInWords(const std::string& reason, const definition::Definition* def, Lang lang) {
  if (reason.starts_with("trigger ")) return TriggerInWords(def, reason.substr(8), "", lang);
  if (reason.starts_with("timer ") && def != nullptr) {
    for (const definition::Timer& t : def->timers) {
      if (t.id == reason.substr(6))
        return t.label.empty() ? Message(lang, "actor_system") : Pick(t.label, lang);
    }
  }
  return reason;
}

std::string TriggerInWords(const definition::Definition* def, const std::string& trigger,
                           const std::string& state, Lang lang) {
  if (def == nullptr) return trigger;
  const definition::Transition* any = nullptr;
  for (const definition::Transition& t : def->transitions) {
    if (t.trigger != trigger) continue;
    if (std::find(t.from.begin(), t.from.end(), state) != t.from.end()) {
      return TriggerLabel(*def, t, state, lang);
    }
    if (any == nullptr) any = &t;
  }
  return any != nullptr ? TriggerLabel(*def, *any, state, lang) : trigger;
}

// A guard in words: the definition's label; for a definition written before labels
// (`languages`), the message `guard_ID`, else its description, else its id.
std::string GuardInWords(const definition::Definition& def, const std::string& guard, Lang lang) {
  const definition::Guard* found = nullptr;
  for (const definition::Guard& g : def.guards) {
    if (g.id == guard) found = &g;
  }
  if (found != nullptr && !found->label.empty()) return Pick(found->label, lang);
  const MessageTable& m = Messages(lang);
  if (auto it = m.find("guard_" + guard); it != m.end()) return it->second;
  return found != nullptr && !found->description.empty() ? found->description : guard;
}

std::string RefusalInWords(const std::string& reason, const definition::Definition* def,
                           Lang lang) {
  if (def == nullptr) return reason;
  // The engine's words (runtime/decide.cpp): "`T` refused in state S: guard `G` does not
  // hold…" and "`T` is not possible in state S…".
  static const std::regex guard(
      "^`([a-z0-9_]+)` refused in state .*: guard `([a-z0-9_]+)` does not hold");
  static const std::regex state("^`([a-z0-9_]+)` is not possible in state ");
  std::smatch m;
  const bool by_guard = std::regex_search(reason, m, guard);
  if (!by_guard && !std::regex_search(reason, m, state)) return reason;
  std::string action = m[1];
  for (const definition::Transition& t : def->transitions) {
    if (t.trigger == action) {
      action = TriggerLabel(*def, t, "", lang);
      break;
    }
  }
  if (!by_guard) return Message(lang, "refused_state", {{"action", action}});
  return Message(lang, "refused_guard",
                 {{"action", action}, {"requirement", GuardInWords(*def, m[2], lang)}});
}

json TriggerForm(const definition::Definition& def, const definition::Transition& t,
                 const std::string& state, Lang lang) {
  using Type = definition::DataField::Type;
  json fields = json::array();
  for (const definition::PayloadField& f : t.payload) {
    // Words from the data field the value is stored as, where it has them.
    const definition::DataField* field = nullptr;
    for (const definition::DataField& d : def.data) {
      if (d.id == f.store_as) field = &d;
    }
    // A definition written before `languages` may have no words of its own for a sealed
    // answer: the message files' (`field_ID`, `value_V`) stand in, else the id.
    const MessageTable& m = Messages(lang);
    const auto fallback = [&](const std::string& key, const std::string& id) {
      const auto it = m.find(key);
      return it == m.end() ? id : it->second;
    };
    const std::string label = !f.label.empty() ? Pick(f.label, lang)
                              : field != nullptr && !field->label.empty()
                                  ? Pick(field->label, lang)
                                  : fallback("field_" + f.id, f.id);
    // The values the field takes: its own list, else the data field's it is stored as (the
    // engine checks a value against both).
    const std::vector<std::string>& allowed =
        !f.allowed.empty() || field == nullptr ? f.allowed : field->allowed;
    json options = json::array();
    for (const std::string& v : allowed) {
      const definition::Label* words = nullptr;
      if (auto own = f.values.find(v); own != f.values.end()) words = &own->second;
      if (auto stored = field != nullptr ? field->values.find(v) : f.values.end();
          words == nullptr && field != nullptr && stored != field->values.end()) {
        words = &stored->second;
      }
      options.push_back(
          {{"value", v},
           {"label", words != nullptr ? Pick(*words, lang) : fallback("value_" + v, v)}});
    }
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
  return {{"trigger", t.trigger},
          {"label", TriggerLabel(def, t, state, lang)},
          {"fields", fields},
          {"has_fields", !fields.empty()},
          {"cmd", app::NewId("web-")}};
}

json OfferedTriggers(const definition::Definition& def, const std::string& state, Lang lang) {
  json out = json::array();
  std::set<std::string> seen;
  for (const definition::Transition& t : def.transitions) {
    if (std::find(t.from.begin(), t.from.end(), state) == t.from.end()) continue;
    if (!seen.insert(t.trigger).second) continue;
    out.push_back(TriggerForm(def, t, state, lang));
  }
  return out;
}

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

}  // namespace pathways::web

#include "adapters/notify/notice.hpp"

#include <array>
#include <optional>
#include <string_view>

#include "adapters/notify/json_fields.hpp"
#include "engine/runtime/calendar.hpp"

namespace pathways::notify {
namespace {

using definition::Label;

constexpr std::array<std::string_view, 12> kMonthsDa = {
    "januar", "februar", "marts",     "april",   "maj",      "juni",
    "juli",   "august",  "september", "oktober", "november", "december"};
constexpr std::array<std::string_view, 12> kMonthsEn = {
    "January", "February", "March",     "April",   "May",      "June",
    "July",    "August",   "September", "October", "November", "December"};

// Identity and contact fields a notice names in words; others go only in the payload's data.
struct PersonalLabel {
  std::string_view key, da, en;
};
constexpr std::array<PersonalLabel, 6> kPersonalLabels = {{
    {"name", "Navn", "Name"},
    {"date_of_birth", "Fødselsdato", "Date of birth"},
    {"email", "E-mail", "Email"},
    {"phone", "Telefon", "Phone"},
    {"mobile", "Mobil", "Mobile"},
    {"address", "Adresse", "Address"},
}};

nlohmann::json Words(const Label& l) { return {{"da", l.da}, {"en", l.en}}; }
nlohmann::json Words(const std::string& da, const std::string& en) {
  return {{"da", da}, {"en", en}};
}

std::string DayInWords(std::int64_t day, const std::string& language) {
  int y = 0;
  int m = 0;
  int d = 0;
  runtime::CivilFromDays(day, y, m, d);
  if (language == "en") {
    return std::to_string(d) + " " + std::string(kMonthsEn[m - 1]) + " " + std::to_string(y);
  }
  return std::to_string(d) + ". " + std::string(kMonthsDa[m - 1]) + " " + std::to_string(y);
}

constexpr std::array<std::string_view, 7> kWeekdaysDa = {"mandag", "tirsdag", "onsdag", "torsdag",
                                                         "fredag", "lørdag",  "søndag"};
constexpr std::array<std::string_view, 7> kWeekdaysEn = {
    "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"};

// "onsdag 3. februar 2027 kl. 10.00" / "Wednesday 3 February 2027 at 10:00", Danish time.
nlohmann::json MomentWords(TimestampMs at) {
  const std::int64_t day = runtime::DayNumber(at);
  const std::size_t weekday = static_cast<std::size_t>(((day % 7) + 7 + 3) % 7);  // 1970-01-01: Thu
  const std::int64_t minutes = (runtime::LocalMs(at) / 60'000) % (24 * 60);
  auto two = [](std::int64_t n) { return (n < 10 ? "0" : "") + std::to_string(n); };
  const std::string hh = two(minutes / 60);
  const std::string mm = two(minutes % 60);
  return Words(
      std::string(kWeekdaysDa[weekday]) + " " + DayInWords(day, "da") + " kl. " + hh + "." + mm,
      std::string(kWeekdaysEn[weekday]) + " " + DayInWords(day, "en") + " at " + hh + ":" + mm);
}

nlohmann::json DayWords(std::int64_t day) {
  return Words(DayInWords(day, "da"), DayInWords(day, "en"));
}

// The notify effect for `party` among `effects`, or null.
const definition::Effect* NotifyFor(const std::vector<definition::Effect>& effects,
                                    const std::string& party) {
  for (const auto& e : effects) {
    if (e.kind == definition::Effect::Kind::kNotify && e.name == party) return &e;
  }
  return nullptr;
}

// The transition a `trigger` notice came from: the one into the state the pathway is in now,
// else one that stays in it.
const definition::Transition* TransitionOf(const definition::Definition& def,
                                           const std::string& trigger, const std::string& state) {
  const definition::Transition* staying = nullptr;
  for (const auto& t : def.transitions) {
    if (t.trigger != trigger) continue;
    if (t.to == state) return &t;
    if (t.to.empty() && staying == nullptr) staying = &t;
  }
  return staying;
}

struct Source {
  std::string kind = "milestone";
  nlohmann::json what;
  bool resolved = false;  // a risk resolved, not raised
  const definition::Effect* effect = nullptr;
};

Source SourceOf(const nlohmann::json& row, const definition::Definition& def) {
  const std::string because = StringField(row, "because");
  const std::string party = StringField(row, "party");
  const std::string state = StringField(row, "state");
  Source s;
  auto after = [&](std::string_view prefix) {
    return because.compare(0, prefix.size(), prefix) == 0 ? because.substr(prefix.size())
                                                          : std::string();
  };
  if (std::string trigger = after("trigger "); !trigger.empty()) {
    if (const auto* t = TransitionOf(def, trigger, state)) {
      if (!t->label.empty()) s.what = Words(t->label);
      s.effect = NotifyFor(t->effects, party);
    }
  } else if (std::string timer = after("timer "); !timer.empty()) {
    s.kind = "reminder";
    for (const auto& t : def.timers) {
      if (t.id != timer) continue;
      if (!t.label.empty()) s.what = Words(t.label);
      s.effect = NotifyFor(t.effects, party);
    }
  } else if (std::string risk = after("risk "); !risk.empty()) {
    s.kind = "risk";
    const std::string_view raised = " raised";
    if (risk.size() > raised.size() &&
        risk.compare(risk.size() - raised.size(), raised.size(), raised) == 0) {
      risk.resize(risk.size() - raised.size());
      for (const auto& r : def.risks) {
        if (r.id != risk) continue;
        s.what = Words(r.label);
        s.effect = NotifyFor(r.on_raise, party);
      }
    } else {
      s.resolved = true;
      s.what = Words("En risiko i forløbet er løst", "A risk in the pathway has been resolved");
    }
  }
  if (s.what.is_null()) {
    if (const definition::State* st = def.FindState(state)) {
      s.what = Words("Forløbet har skiftet status til " + st->label.da,
                     "The pathway's status is now " + st->label.en);
    }
  }
  return s;
}

// The day a notice's `by` falls on, or nullopt when the date field is not set.
std::optional<std::int64_t> ByDay(const definition::Effect& e, const nlohmann::json& row) {
  const nlohmann::json data = row.value("data", nlohmann::json::object());
  TimestampMs at = 0;
  if (!runtime::ParseDate(StringField(data, e.by_field.c_str()), at)) return std::nullopt;
  if (e.by_offset) at = runtime::Add(at, *e.by_offset);
  return runtime::DayNumber(at);
}

nlohmann::json Facts(const nlohmann::json& row, const nlohmann::json& data,
                     const definition::Definition& def) {
  nlohmann::json facts = nlohmann::json::array();
  auto fact = [&](nlohmann::json label, nlohmann::json value) {
    facts.push_back({{"label", std::move(label)}, {"value", std::move(value)}});
  };
  for (const definition::DataCategory& c : def.categories) {
    if (definition::PersonalFieldsOf(c).empty()) continue;
    const nlohmann::json who = data.value(c.id, nlohmann::json::object());
    for (const auto& l : kPersonalLabels) {
      const std::string value = StringField(who, std::string(l.key).c_str());
      if (!value.empty()) {
        fact(Words(std::string(l.da), std::string(l.en)),
             l.key == "date_of_birth"
                 ? nlohmann::json(Words(DateInWords(value, "da"), DateInWords(value, "en")))
                 : Words(value, value));
      }
    }
  }
  if (const auto state = data.find("state"); state != data.end()) {
    if (const definition::State* st = def.FindState(StringField(*state, "id"))) {
      fact(Words("Status", "Status"), Words(st->label));
    }
  }
  const nlohmann::json fields = data.value("fields", nlohmann::json::object());
  for (const auto& f : def.data) {
    const auto value = fields.find(f.id);
    if (value == fields.end() || f.label.empty()) continue;
    fact(Words(f.label), Words(ValueInWords(f, *value)));
  }
  const nlohmann::json sent = data.value("milestones", nlohmann::json::object());
  const nlohmann::json reached = row.value("milestones", nlohmann::json::object());
  for (const auto& m : def.milestones) {
    const auto at = reached.find(m.id);
    if (!sent.contains(m.id) || at == reached.end() || !at->is_number_integer()) continue;
    fact(Words(m.label), DayWords(runtime::DayNumber(at->get<TimestampMs>())));
  }
  return facts;
}

}  // namespace

std::string DateInWords(const std::string& iso_date, const std::string& language) {
  TimestampMs at = 0;
  if (!runtime::ParseDate(iso_date, at)) return iso_date;
  return DayInWords(runtime::DayNumber(at), language);
}

std::string MomentInWords(TimestampMs at, const std::string& language) {
  return MomentWords(at).value(language == "en" ? "en" : "da", "");
}

Label ValueInWords(const definition::DataField& field, const nlohmann::json& value) {
  if (value.is_boolean()) return value.get<bool>() ? Label{"Ja", "Yes"} : Label{"Nej", "No"};
  if (value.is_string()) {
    const std::string text = value.get<std::string>();
    if (field.type == definition::DataField::Type::kDate) {
      return {DateInWords(text, "da"), DateInWords(text, "en")};
    }
    if (auto it = field.values.find(text); it != field.values.end()) return it->second;
    return {text, text};
  }
  return {value.dump(), value.dump()};
}

nlohmann::json BuildNotice(const nlohmann::json& row, const nlohmann::json& data,
                           const definition::Definition* definition, const ContactPerson* contact,
                           const std::string& addressee) {
  nlohmann::json notice = {{"kind", "milestone"}};
  if (definition != nullptr) {
    Source s = SourceOf(row, *definition);
    notice["kind"] = s.kind;
    if (!s.what.is_null()) notice["what"] = std::move(s.what);
    if (s.resolved) notice["resolved"] = true;
    if (s.effect != nullptr) {
      if (!s.effect->ask.empty()) notice["ask"] = Words(s.effect->ask);
      if (!s.effect->by_field.empty()) {
        notice["kind"] = "deadline";
        if (auto day = ByDay(*s.effect, row)) notice["by"] = DayWords(*day);
      }
    }
    notice["title"] = Words(definition->title);
    notice["facts"] = Facts(row, data, *definition);
  }
  // The participant's own employer is addressed by name, to its contact person.
  if (StringField(row, "party") == "employer") {
    const nlohmann::json e = row.value("employer", nlohmann::json::object());
    if (!StringField(e, "name").empty()) {
      notice["to"] =
          StringField(e, "name") +
          (StringField(e, "contact").empty() ? "" : ", att. " + StringField(e, "contact"));
    }
  }
  if (!addressee.empty() && !notice.contains("to")) notice["to"] = addressee;
  // The participant is told in words of their own (what to remember and by when), never in
  // the staff's.
  if (StringField(row, "party") == "participant") notice["kind"] = "participant";
  // A reminder of an appointment, for the participant: when and where, nothing else.
  if (const auto a = row.find("appointment"); a != row.end() && a->is_object()) {
    notice["kind"] = "appointment";
    notice["what"] = Words("Påmindelse om dit møde", "A reminder of your meeting");
    notice["appointment"] = {{"when", MomentWords(a->value("starts_at", TimestampMs{0}))},
                             {"place", a->value("place", "")},
                             {"online", a->value("online", false)},
                             {"topic", a->value("topic", "")}};
  }
  if (contact != nullptr && !contact->name.empty()) {
    nlohmann::json c = {{"name", contact->name}};
    if (!contact->email.empty()) c["email"] = contact->email;
    if (!contact->phone.empty()) c["phone"] = contact->phone;
    notice["counsellor"] = std::move(c);
  }
  return notice;
}

}  // namespace pathways::notify

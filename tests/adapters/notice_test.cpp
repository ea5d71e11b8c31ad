// Notices in plain words: every notification the shipped AMIGO pathway can send, rendered by
// the shipped templates in Danish and English, says what happened in words — no ids, no
// snake_case, no English in the Danish — with dates in words, Ja/Nej, the contact person and,
// for a deadline, what is asked and by when.

#include "adapters/notify/notice.hpp"

#include <doctest/doctest.h>

#include <cctype>
#include <regex>
#include <set>
#include <sstream>
#include <tuple>

#include "adapters/notify/email_text.hpp"
#include "adapters/notify/payload.hpp"
#include "adapters/notify/routing.hpp"
#include "tests/support/amigo_store.hpp"

namespace pathways::notify {
namespace {

using definition::Definition;
using definition::Effect;

// A pathway far along: every data field set, every milestone reached.
nlohmann::json FullRow(const Definition& def, const std::string& party,
                       const std::vector<std::string>& categories, const std::string& because,
                       const std::string& state) {
  nlohmann::json data = nlohmann::json::object();
  for (const auto& f : def.data) {
    switch (f.type) {
      case definition::DataField::Type::kBoolean: data[f.id] = true; break;
      case definition::DataField::Type::kInteger:
      case definition::DataField::Type::kNumber: data[f.id] = 30; break;
      case definition::DataField::Type::kDate: data[f.id] = "2027-02-03"; break;
      case definition::DataField::Type::kString:
        data[f.id] = f.allowed.empty() ? "Åbent hus i marts" : f.allowed.front();
        break;
    }
  }
  nlohmann::json milestones = nlohmann::json::object();
  for (const auto& m : def.milestones) milestones[m.id] = 1772442000000;  // 2 March 2026
  return {{"notification_id", "pw-1:n9"},
          {"pathway_id", "pw-1"},
          {"participant_id", "p-1"},
          {"party", party},
          {"categories", categories},
          {"because", because},
          {"position", 9},
          {"state", state},
          {"status", "active"},
          {"contact_person", "anne"},
          {"data", data},
          {"milestones", milestones}};
}

struct Rendered {
  std::string where;  // which effect, for the failure message
  std::string kind;
  EmailText da, en;
};

// Every notify effect of the definition: transitions, timers and risks, to every party.
std::vector<Rendered> RenderEvery(const Definition& def, const EmailTemplates& templates) {
  PersonalView personal;
  personal.fields[PersonalScope::kIdentity] = {{"name", "Maja Jensen"}, {"email", "maja@post.dk"}};
  const ContactPerson anne{"Anne Holm", "anne@skole.dk", "12 34 56 78"};
  std::vector<Rendered> out;
  auto render = [&](const std::vector<Effect>& effects, const std::string& because,
                    const std::string& state) {
    for (const Effect& e : effects) {
      if (e.kind != Effect::Kind::kNotify) continue;
      const Payload p =
          BuildPayload(FullRow(def, e.name, e.categories, because, state), &def, personal, &anne);
      out.push_back({because + " to " + e.name, p.body["data"]["notice"].value("kind", ""),
                     templates.Render(p, "da"), templates.Render(p, "en")});
    }
  };
  for (const auto& t : def.transitions) {
    render(t.effects, "trigger " + t.trigger, t.to.empty() ? t.from.front() : t.to);
  }
  for (const auto& t : def.timers) {
    render(t.effects, "timer " + t.id, t.active_in.empty() ? def.initial : t.active_in.front());
  }
  for (const auto& r : def.risks) render(r.on_raise, "risk " + r.id + " raised", def.initial);
  return out;
}

std::set<std::string> IdsOf(const Definition& def) {
  std::set<std::string> ids;
  for (const auto& x : def.states) ids.insert(x.id);
  for (const auto& x : def.transitions) ids.insert(x.trigger);
  for (const auto& x : def.data) ids.insert(x.id);
  for (const auto& x : def.milestones) ids.insert(x.id);
  for (const auto& x : def.risks) ids.insert(x.id);
  for (const auto& x : def.parties) ids.insert(x.id);
  for (const auto& x : def.categories) ids.insert(x.id);
  for (const auto& x : def.timers) ids.insert(x.id);
  // Codes written in lower case (`work`, `health`); upper-case ones (EUV1, AMU) are the
  // names Danish readers know.
  for (const auto& x : def.data) {
    for (const auto& v : x.allowed) {
      if (std::islower(static_cast<unsigned char>(v.front()))) ids.insert(v);
    }
  }
  return ids;
}

// The words a reader sees: the text, the subject and the HTML without its tags.
std::vector<std::string> WordsOf(const EmailText& t) {
  const std::string html = std::regex_replace(t.html, std::regex("<[^>]*>"), " ");
  std::vector<std::string> words;
  const std::string all = t.subject + "\n" + t.text + "\n" + html;
  const std::regex word("[A-Za-z0-9_æøåÆØÅ-]+");
  for (auto it = std::sregex_iterator(all.begin(), all.end(), word); it != std::sregex_iterator();
       ++it) {
    words.push_back(it->str());
  }
  return words;
}

// A doubled form, or "": a word said twice in a row ("til til"), or the first word after a
// colon said before it in the same sentence ("Dette er en påmindelse: Påmindelse om …", "… en
// risiko i forløbet: Risiko for …").
std::string Doubled(const std::string& text) {
  auto lower = [](std::string w) {
    for (char& c : w) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    // The Danish capitals in UTF-8 (Æ Ø Å) as their small letters.
    for (auto [big, small] : {std::pair{"Æ", "æ"}, {"Ø", "ø"}, {"Å", "å"}}) {
      for (std::size_t at; (at = w.find(big)) != std::string::npos;) w.replace(at, 2, small);
    }
    return w;
  };
  const std::regex word("[A-Za-z0-9æøåÆØÅ]+|[.!?\n]|:");
  std::vector<std::string> sentence;  // the words so far since the sentence began
  std::string last;
  bool after_colon = false;
  for (auto it = std::sregex_iterator(text.begin(), text.end(), word); it != std::sregex_iterator();
       ++it) {
    const std::string w = it->str();
    if (w == "." || w == "!" || w == "?" || w == "\n") {
      sentence.clear();
      last.clear();
      after_colon = false;
      continue;
    }
    if (w == ":") {
      after_colon = true;
      last.clear();
      continue;
    }
    const std::string l = lower(w);
    if (l == last && !std::isdigit(static_cast<unsigned char>(l.front()))) return w + " " + w;
    if (after_colon && l.size() >= 4 &&
        std::find(sentence.begin(), sentence.end(), l) != sentence.end()) {
      return "…" + l + " …: " + w;
    }
    after_colon = false;
    sentence.push_back(l);
    last = l;
  }
  return "";
}

EmailTemplates Shipped() {
  EmailTemplates t;
  const auto problems = t.Load(std::string(PATHWAYS_SOURCE_DIR) + "/config/templates");
  REQUIRE(problems.empty());
  return t;
}

}  // namespace

TEST_CASE("dates in words, yes and no as Ja and Nej, values by their labels") {
  CHECK(DateInWords("2027-02-03", "da") == "3. februar 2027");
  CHECK(DateInWords("2027-02-03", "en") == "3 February 2027");
  CHECK(DateInWords("2026-12-31", "da") == "31. december 2026");
  CHECK(DateInWords("not a date", "da") == "not a date");

  const auto shipped = testing::AmigoCatalog()->Newest();
  const Definition& amigo = *shipped;
  const definition::DataField* reason = amigo.FindField("dropout_reason");
  REQUIRE(reason != nullptr);
  CHECK(ValueInWords(*reason, "work").da == "Har fået arbejde");
  CHECK(ValueInWords(*amigo.FindField("unemployed"), true).da == "Ja");
  CHECK(ValueInWords(*amigo.FindField("unemployed"), false).en == "No");
  CHECK(ValueInWords(*amigo.FindField("gf2_end"), "2027-06-30").da == "30. juni 2027");
}

TEST_CASE("every notice of the AMIGO pathway in plain Danish: no ids, no snake_case, no English") {
  const auto shipped = testing::AmigoCatalog()->Newest();
  const Definition& amigo = *shipped;
  const EmailTemplates templates = Shipped();
  const std::set<std::string> ids = IdsOf(amigo);
  // English words that have no Danish namesake.
  const std::set<std::string> english = {
      "the",      "and",       "has",    "have",     "been",        "with",     "pathway",
      "Pathway",  "trigger",   "raised", "resolved", "course",      "contract", "reminder",
      "deadline", "milestone", "please", "Dear",     "participant", "status",   "risk"};
  const std::vector<Rendered> all = RenderEvery(amigo, templates);
  REQUIRE(all.size() > 30);
  std::set<std::string> kinds;
  for (const Rendered& r : all) {
    INFO(r.where);
    INFO(r.da.text);
    kinds.insert(r.kind);
    for (const std::string& w : WordsOf(r.da)) {
      CHECK_MESSAGE(w.find('_') == std::string::npos, "snake_case: ", w);
      CHECK_MESSAGE(ids.count(w) == 0, "an id: ", w);
      CHECK_MESSAGE(english.count(w) == 0, "English: ", w);
    }
    // In English many ids are plain words ("contract", "union"): no snake_case is the check.
    for (const std::string& w : WordsOf(r.en)) {
      CHECK_MESSAGE(w.find('_') == std::string::npos, "snake_case: ", w);
    }
    CHECK(r.da.text.find("{{") == std::string::npos);
    CHECK(r.da.text.find("senest .") == std::string::npos);  // an ask without a date
    CHECK(r.en.text.find(" by .") == std::string::npos);
    for (const EmailText* t : {&r.da, &r.en}) {
      for (const std::string* part : {&t->subject, &t->text}) {
        CHECK_MESSAGE(Doubled(*part).empty(), "doubled: ", Doubled(*part));
      }
    }
    if (r.kind == "participant") {
      // To the participant: what to remember and by when, in words of their own.
      CHECK(std::regex_search(r.da.text,
                              std::regex("Det skal ske senest [0-9]+\\. [a-z]+ 20[0-9]{2}\\.")));
      CHECK(r.da.text.find("Har du spørgsmål? Så ring til Anne Holm på 12 34 56 78.") !=
            std::string::npos);
      CHECK(r.da.text.find("forløb pw-1") == std::string::npos);
      CHECK(r.da.sms.size() <= 200);
    } else {
      CHECK(r.da.text.find("Kontaktperson: Anne Holm, telefon 12 34 56 78") != std::string::npos);
      CHECK(r.en.text.find("Contact person: Anne Holm") != std::string::npos);
    }
    CHECK(r.da.html.find("<html lang=\"da\">") != std::string::npos);
    CHECK(r.en.html.find("<html lang=\"en\">") != std::string::npos);
    if (r.kind == "deadline") {
      // What is asked and by when, the date in words.
      CHECK(std::regex_search(r.da.text, std::regex("senest [0-9]+\\. [a-z]+ 20[0-9]{2}\\.")));
      CHECK(std::regex_search(r.en.text, std::regex("by [0-9]+ [A-Z][a-z]+ 20[0-9]{2}\\.")));
      CHECK(r.da.subject.find("frist") != std::string::npos);
    }
    if (r.kind == "risk") CHECK(r.da.text.find("risiko") != std::string::npos);
  }
  CHECK(kinds == std::set<std::string>{"deadline", "milestone", "participant", "reminder", "risk"});
}

TEST_CASE("doubled forms are found, plain sentences pass") {
  CHECK(Doubled("Dette er en påmindelse: Påmindelse om tilskud.") == "…påmindelse …: Påmindelse");
  CHECK(Doubled("Vi gør jer opmærksomme på en risiko i forløbet: Risiko for frafald.") ==
        "…risiko …: Risiko");
  CHECK(Doubled("Ring til til Anne.") == "til til");
  CHECK(
      Doubled("Til Aarhus Kommune, Jobcenter\n\nDeltageren er startet på et AMU-kursus.").empty());
  CHECK(Doubled("Vi gør jer opmærksomme på en risiko i forløbet: Ingen kontakt.").empty());
  CHECK(Doubled("Kurset slutter: 3. marts 2027. Fra 3. marts").empty());
}

TEST_CASE("a notice addresses the organisation by name, the municipality's unit by its name") {
  const auto shipped = testing::AmigoCatalog()->Newest();
  config::NotifyConfig c;
  c.municipalities["751"] = {"751", "Aarhus Kommune", {}};
  c.parties["referring_authority"].name = "{municipality}, Jobcenter";
  c.parties["partner_school"].name = "EUC Midt, Optagelsen";
  nlohmann::json row =
      FullRow(*shipped, "referring_authority", {"status"}, "trigger hold_intake", "intake");
  row["municipality"] = "751";
  CHECK(AddresseeOf(c, row) == "Aarhus Kommune, Jobcenter");
  const Payload p = BuildPayload(row, shipped.get(), PersonalView{}, nullptr, AddresseeOf(c, row));
  CHECK(p.body["data"]["notice"]["to"] == "Aarhus Kommune, Jobcenter");
  CHECK(Shipped().Render(p, "da").text.starts_with("Til Aarhus Kommune, Jobcenter\n"));
  row["municipality"] = "999";  // not in the file: the party's label, not a half name
  CHECK(AddresseeOf(c, row).empty());
  row["party"] = "partner_school";
  CHECK(AddresseeOf(c, row) == "EUC Midt, Optagelsen");
  row["party"] = "union";  // no name: the label
  CHECK(AddresseeOf(c, row).empty());
  CHECK(Shipped()
            .Render(BuildPayload(row, shipped.get(), PersonalView{}), "da")
            .text.starts_with("Til Fagforening\n"));
}

TEST_CASE("a deadline names the person, what is asked and the date it falls on") {
  const auto shipped = testing::AmigoCatalog()->Newest();
  const Definition& amigo = *shipped;
  PersonalView personal;
  personal.fields[PersonalScope::kIdentity] = {{"name", "Maja Jensen"}};
  nlohmann::json row = FullRow(amigo, "employer", {"identity", "contract", "deadlines"},
                               "timer subsidy_reminder", "apprenticeship_probation");
  row["data"]["contract_start"] = "2027-01-31";
  const Payload p = BuildPayload(row, &amigo, personal);
  const nlohmann::json& notice = p.body["data"]["notice"];
  CHECK(notice["kind"] == "deadline");
  CHECK(notice["what"]["da"] == "Tilskud til voksenelevløn skal søges");
  CHECK(notice["ask"]["da"] == "Søg tilskud til voksenelevløn");
  CHECK(notice["by"]["da"] == "28. februar 2027");  // a month after 31 January: its last day
  CHECK(notice.contains("counsellor") == false);    // no contact person known: none named

  const EmailText da = Shipped().Render(p, "da");
  // The built-in words are the shipped files, embedded by the build.
  CHECK(EmailTemplates().Render(p, "da").text == da.text);
  CHECK(EmailTemplates().Render(p, "en").html == Shipped().Render(p, "en").html);
  CHECK(da.subject ==
        "AMIGO-forløb: frist 28. februar 2027 – Tilskud til voksenelevløn skal søges");
  CHECK(da.text.find("Navn: Maja Jensen\n") != std::string::npos);
  CHECK(da.text.find("Uddannelsesaftalen starter: 31. januar 2027\n") != std::string::npos);
  CHECK(
      da.text.find("Det beder vi jer om: Søg tilskud til voksenelevløn senest 28. februar 2027.") !=
      std::string::npos);
}

TEST_CASE("the participant's reminder of a meeting: short, plain, in Danish time, one SMS") {
  const auto shipped = testing::AmigoCatalog()->Newest();
  const Definition& amigo = *shipped;
  const ContactPerson anne{"Anne Holm", "anne@skole.dk", "12 34 56 78"};
  const EmailTemplates templates = Shipped();
  // 09:00 UTC in winter and 08:00 UTC in summer are both ten o'clock in Copenhagen.
  for (const auto& [at, day_da, day_en] :
       {std::tuple{1801645200000LL, "onsdag 3. februar 2027 kl. 10.00",
                   "Wednesday 3 February 2027 at 10:00"},
        std::tuple{1811923200000LL, "onsdag 2. juni 2027 kl. 10.00",
                   "Wednesday 2 June 2027 at 10:00"}}) {
    nlohmann::json row = FullRow(amigo, "participant", {"dates"}, "appointment m1", "intake");
    row["appointment"] = {
        {"starts_at", at}, {"ends_at", at + 3'600'000}, {"place", "Lokale 2"}, {"topic", ""}};
    const Payload p = BuildPayload(row, &amigo, PersonalView{}, &anne);
    CHECK(p.body["data"]["notice"]["kind"] == "appointment");
    const EmailText da = templates.Render(p, "da");
    const EmailText en = templates.Render(p, "en");
    INFO(da.text);
    CHECK(da.subject == std::string("Husk dit møde ") + day_da);
    CHECK(da.text.find(std::string("Hvornår: ") + day_da + "\nHvor: Lokale 2\n") !=
          std::string::npos);
    CHECK(da.text.find("Kan du ikke komme? Så sig det til Anne Holm på 12 34 56 78.") !=
          std::string::npos);
    CHECK(en.text.find(std::string("When: ") + day_en) != std::string::npos);
    CHECK(da.sms == std::string("Husk dit møde ") + day_da +
                        ", Lokale 2. Kan du ikke komme? Ring til Anne Holm på 12 34 56 78.");
    // One text message (160 characters; Danish letters are one each in GSM 03.38).
    std::size_t chars = 0;
    for (unsigned char ch : da.sms) chars += (ch & 0xC0) != 0x80 ? 1 : 0;
    CHECK(chars <= 160);
    // Short lines, and none of the staff's words: no reference, no states, no ids.
    std::istringstream lines(da.text);
    for (std::string line; std::getline(lines, line);) CHECK(line.size() <= 80);
    CHECK(da.text.find("forløb pw-1") == std::string::npos);
    for (const std::string& w : WordsOf(da)) CHECK(w.find('_') == std::string::npos);
  }
}

TEST_CASE("a sensitive value never reaches the words either") {
  const auto shipped = testing::AmigoCatalog()->Newest();
  const Definition& amigo = *shipped;
  nlohmann::json row =
      FullRow(amigo, "referring_authority", {"status"}, "trigger drop_out", "dropped_out");
  row["data"]["dropout_reason"] = "health";
  const Payload p = BuildPayload(row, &amigo, PersonalView{});
  const EmailText da = Shipped().Render(p, "da");
  CHECK(da.text.find("Årsag til frafald") == std::string::npos);
  CHECK(da.text.find("Helbred") == std::string::npos);
  CHECK(da.text.find("Status: Frafald\n") != std::string::npos);
  row["data"]["dropout_reason"] = "work";
  CHECK(Shipped()
            .Render(BuildPayload(row, &amigo, PersonalView{}), "da")
            .text.find("Årsag til frafald: Har fået arbejde\n") != std::string::npos);
}

}  // namespace pathways::notify

// Pathway definitions: the AMIGO file loads, and every kind of problem is reported with its
// line and column, all of them at once, with a suggestion where a name is close.

#include "workflows/loader.hpp"

#include <doctest/doctest.h>

#include <cctype>
#include <set>

#include "tests/workflows/load_messages.hpp"
#include "workflows/jq_guards.hpp"

namespace pathways::workflows {
namespace {

using testing::Has;
using testing::Messages;
using testing::Replace;

// A small valid definition; tests append to or replace parts of it.
const std::string kBase = R"(id: demo
version: 1
categories:
  status: {label: {da: Status, en: Status}}
  barriers: {label: {da: Barrierer, en: Barriers}, sensitive: true}
data:
  age_at_entry: {type: integer, category: status}
  start: {type: date, category: status}
milestones:
  rkv_completed: {da: RKV, en: RKV}
risks:
  no_contact: {label: {da: Ingen kontakt, en: No contact}}
parties:
  jobcenter: {label: Jobcenter, categories: [status]}
guards:
  adult: {description: aged 25 or more, expr: '.data.age_at_entry >= 25'}
states:
  - {id: lead, label: {da: Henvendelse, en: Lead}}
  - {id: enrolled, label: {da: Tilmeldt, en: Enrolled}}
  - {id: closed, label: {da: Afsluttet, en: Closed}, terminal: true}
transitions:
  - {trigger: enrol, from: lead, to: enrolled, guard: adult}
  - trigger: close
    from: [lead, enrolled]
    to: closed
    effects:
      - notify: {party: jobcenter, categories: [status]}
)";

// The words of a text of four letters or more, in lower case (ASCII letters folded).
std::set<std::string> Words(const std::string& text) {
  std::set<std::string> out;
  std::string word;
  for (const char ch : text + " ") {
    const bool letter = std::isalpha(static_cast<unsigned char>(ch)) != 0 || (ch & 0x80) != 0;
    if (letter) {
      word += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    } else {
      if (word.size() >= 4) out.insert(word);
      word.clear();
    }
  }
  return out;
}

TEST_CASE("the shipped AMIGO pathway loads") {
  LoadResult r =
      LoadDefinitionFile(std::string(PATHWAYS_SOURCE_DIR) + "/config/workflows/amigo.yaml");
  for (const auto& d : r.diagnostics) FAIL_CHECK(d.ToString());
  REQUIRE(r.definition != nullptr);
  const definition::Definition& d = *r.definition;
  CHECK(d.id == "amigo");
  CHECK(d.initial == "lead");
  CHECK(d.FindState("seeking_apprenticeship")->label.da == "Lærepladssøgende");
  CHECK(d.target->count == 200);
  CHECK(d.hash.size() == 64);
  // No external party may ever receive a sensitive category.
  for (const auto& p : d.parties) {
    if (!p.external) continue;
    for (const auto& c : p.categories) CHECK_FALSE(d.FindCategory(c)->sensitive);
  }
  // A team lead sees task titles: a barrier's support names no barrier, in words or by code.
  for (const auto& b : d.barriers) {
    REQUIRE_FALSE(b.support.empty());
    for (const auto& e : b.support) {
      if (e.kind != definition::Effect::Kind::kTask) continue;
      for (const std::string& title : {e.title.da, e.title.en}) {
        CHECK_MESSAGE(title.find(b.id) == std::string::npos, b.id << ": " << title);
        for (const std::string& word : Words(b.label.da + " " + b.label.en)) {
          CHECK_MESSAGE(Words(title).count(word) == 0, b.id << ": " << title << " says " << word);
        }
      }
    }
  }
  // The gates are guards that evaluate.
  nlohmann::json young = {{"data", {{"track", "EUV3"}, {"age_at_entry", 22}}},
                          {"milestones", nlohmann::json::object()}};
  CHECK(d.evaluator->Evaluate("euv_only_from_25", young).value() == false);
  young["data"]["age_at_entry"] = 31;
  CHECK(d.evaluator->Evaluate("euv_only_from_25", young).value() == true);
  CHECK(d.evaluator->Evaluate("rkv_completed", young).value() == false);
  young["milestones"]["rkv_completed"] = true;
  CHECK(d.evaluator->Evaluate("rkv_completed", young).value() == true);
}

TEST_CASE("a valid definition loads, and its hash ignores layout but not content") {
  LoadResult a = LoadDefinition(kBase, "a.yaml");
  REQUIRE(a.diagnostics.empty());
  REQUIRE(a.definition);
  LoadResult b =
      LoadDefinition("# a comment\n" + Replace(kBase, "version: 1", "version:   1"), "b.yaml");
  REQUIRE(b.definition);
  CHECK(a.definition->hash == b.definition->hash);
  LoadResult c = LoadDefinition(Replace(kBase, "Afsluttet", "Lukket"), "c.yaml");
  REQUIRE(c.definition);
  CHECK(a.definition->hash != c.definition->hash);
}

TEST_CASE("a repeating timer needs `after`, and a timer of the pause does not run through it") {
  auto m = Messages(kBase + R"(timers:
  - {id: nag, active_in: lead, at: start, repeat: true, effects: [{raise_risk: no_contact}]}
  - {id: odd, while_paused: true, through_pause: true, after: 3 days,
     effects: [{raise_risk: no_contact}]}
)");
  CHECK(Has(m, "demo.yaml:29:51: error: timer `nag`: `repeat` goes with `after`"));
  CHECK(Has(m, "demo.yaml:30:50: error: timer `odd` runs only while paused"));
  LoadResult ok = LoadDefinition(kBase + R"(timers:
  - {id: nag, active_in: lead, after: 2 days, repeat: true, effects: [{raise_risk: no_contact}]}
  - {id: legal, active_in: enrolled, at: start, through_pause: true,
     effects: [{raise_risk: no_contact}]}
)",
                                 "demo.yaml");
  for (const auto& d : ok.diagnostics) FAIL_CHECK(d.ToString());
  REQUIRE(ok.definition);
  CHECK(ok.definition->timers[0].repeat);
  CHECK(ok.definition->timers[1].through_pause);
}

TEST_CASE("a transition's constants are checked against their fields, a milestone's category") {
  auto m = Messages(
      Replace(Replace(kBase, "  - {trigger: enrol, from: lead, to: enrolled, guard: adult}",
                      "  - {trigger: enrol, from: lead, to: enrolled, guard: adult,\n"
                      "     set: {age_at_entry: old, start: 2026-13, nothing: 1}}"),
              "  rkv_completed: {da: RKV, en: RKV}",
              "  rkv_completed: {label: {da: RKV, en: RKV}, category: statsu}"));
  CHECK(Has(m, "the value set for age_at_entry must be a whole number"));
  CHECK(Has(m, "the value set for start must be a date (YYYY-MM-DD)"));
  CHECK(Has(m, "unknown data field `nothing`"));
  CHECK(Has(m, "unknown data category `statsu` (did you mean `status`?)"));
  LoadResult ok = LoadDefinition(
      Replace(Replace(kBase, "  - {trigger: enrol, from: lead, to: enrolled, guard: adult}",
                      "  - {trigger: enrol, from: lead, to: enrolled, guard: adult,\n"
                      "     set: {age_at_entry: 30, start: 2026-08-17}}"),
              "  rkv_completed: {da: RKV, en: RKV}",
              "  rkv_completed: {label: {da: RKV, en: RKV}, category: status}"),
      "demo.yaml");
  for (const auto& d : ok.diagnostics) FAIL_CHECK(d.ToString());
  REQUIRE(ok.definition);
  CHECK(ok.definition->transitions[0].set ==
        nlohmann::json({{"age_at_entry", 30}, {"start", "2026-08-17"}}));
  CHECK(ok.definition->milestones[0].category == "status");
}

TEST_CASE("sensitive values are texts the field allows") {
  auto m = Messages(
      Replace(kBase, "  age_at_entry: {type: integer, category: status}",
              "  age_at_entry: {type: integer, category: status, sensitive_values: [\"17\"]}\n"
              "  reason: {type: string, category: status, allowed: [work, health],\n"
              "           sensitive_values: [helth]}"));
  CHECK(Has(m, "data field age_at_entry: only a text has sensitive values"));
  CHECK(
      Has(m, "sensitive value `helth` is not one of its allowed values (did you mean `health`?)"));
}

TEST_CASE("words, derived ages, deadlines and barriers are checked where they stand") {
  auto m = Messages(
      Replace(Replace(Replace(kBase, "  age_at_entry: {type: integer, category: status}",
                              "  age_at_entry: {type: string, category: status, derived: age}\n"
                              "  years: {type: integer, derived: birthday}\n"
                              "  reason: {type: string, allowed: [work, health],\n"
                              "           values: {helth: {da: Helbred, en: Health}}}"),
                      "      - notify: {party: jobcenter, categories: [status]}",
                      "      - notify: {party: jobcenter, categories: [status],\n"
                      "                 ask: {da: Svar, en: Answer}, by: {at: reason}}"),
              "parties:",
              "barriers:\n"
              "  dyslexia:\n"
              "    support:\n"
              "      - notify: {party: jobcenter, categories: [status]}\n"
              "parties:"));
  CHECK(Has(m, "demo.yaml:7:59: error: data field age_at_entry: an age is an `integer`"));
  CHECK(Has(m, "data field years: `derived` is `age` (from the date of birth)"));
  CHECK(Has(m,
            "data field reason: `helth` is not one of its allowed values (did you mean "
            "`health`?)"));
  CHECK(Has(m, "`by` names reason, which is not a date"));
  CHECK(Has(m, "barrier dyslexia needs a `label` with `da` and `en`"));
  CHECK(Has(m, "barrier dyslexia: support stays in the school, so no `notify`"));
  CHECK(Has(m, "barriers are recorded as the risk `barrier_reported`: define it under `risks`"));
}

TEST_CASE("YAML syntax errors name the line and column") {
  auto m = Messages("id: demo\nversion: 1\nstates: [a, b\n");
  REQUIRE(m.size() == 1);
  CHECK(m[0].rfind("demo.yaml:", 0) == 0);
  CHECK(m[0].find("YAML syntax") != std::string::npos);
}

TEST_CASE("unknown keys, with a suggestion") {
  auto m = Messages(Replace(kBase, "  - {trigger: enrol,", "  - {triger: enrol,"));
  CHECK(Has(
      m, "demo.yaml:22:6: error: unknown key `triger` in a transition (did you mean `trigger`?)"));
  auto top = Messages(kBase + "timerz: []\n");
  CHECK(Has(top, "unknown key `timerz` in the definition (did you mean `timers`?)"));
}

TEST_CASE("wrong types") {
  auto m = Messages(
      Replace(Replace(kBase, "version: 1", "version: one"), "{type: date,", "{type: dat,"));
  CHECK(Has(m, "demo.yaml:2:10: error: version must be a whole number"));
  CHECK(Has(m, "`dat` is not a type (did you mean `date`?)"));
  auto terminal = Messages(Replace(kBase, "terminal: true", "terminal: maybe"));
  CHECK(Has(terminal, "terminal must be true or false"));
}

TEST_CASE("duplicate ids and keys") {
  auto m = Messages(Replace(kBase, "  - {id: enrolled,",
                            "  - {id: lead, label: {da: X, en: X}}\n  - {id: enrolled,"));
  CHECK(Has(m, "duplicate state id `lead`"));
  auto keys = Messages(Replace(kBase, "  no_contact:", "  no_contact: {}\n  no_contact:"));
  CHECK(Has(keys, "duplicate key `no_contact` in risks"));
}

TEST_CASE("transitions to or from unknown states") {
  auto m = Messages(Replace(kBase, "from: lead, to: enrolled", "from: leed, to: enroled"));
  CHECK(Has(m, "unknown state `leed` (did you mean `lead`?)"));
  CHECK(Has(m, "unknown state `enroled` (did you mean `enrolled`?)"));
}

TEST_CASE("unreachable states and dead ends") {
  auto m = Messages(Replace(kBase, "  - {id: closed,",
                            "  - {id: orphan, label: {da: O, en: O}}\n  - {id: closed,"));
  CHECK(Has(m, "demo.yaml:20:10: error: state orphan cannot be reached from lead"));
  CHECK(
      Has(m, "state orphan has no way out; add a transition from it or mark it `terminal: true`"));
  auto terminal_out =
      Messages(Replace(kBase, "from: [lead, enrolled]", "from: [lead, enrolled, closed]"));
  CHECK(Has(terminal_out, "state closed is terminal but has transitions out of it"));
}

TEST_CASE("timers that trigger nothing, or a trigger nobody takes") {
  auto m = Messages(kBase + R"(timers:
  - {id: idle, active_in: lead, after: 5 working days}
  - {id: typo, active_in: lead, after: 3 days, trigger: enroll}
  - {id: bad_unit, active_in: lead, after: 3 fortnights, effects: [{raise_risk: no_contact}]}
  - {id: not_a_date, active_in: lead, at: age_at_entry, effects: [{raise_risk: no_contact}]}
)");
  CHECK(Has(m, "timer `idle` triggers nothing"));
  CHECK(Has(m,
            "timer `typo` fires `enroll`, but no transition from its states takes that trigger "
            "(did you mean `enrol`?)"));
  CHECK(Has(m, "the unit must be days, working days, weeks or months"));
  CHECK(Has(m, "`at` names age_at_entry, which is not a date"));
}

TEST_CASE("guards that do not compile or read unknown fields") {
  auto m = Messages(Replace(kBase, "expr: '.data.age_at_entry >= 25'",
                            "expr: '.data.age_at_entyr >= 25 and .milestones.rkv_complete'"));
  CHECK(Has(m,
            "guard adult reads .data.age_at_entyr, but there is no such data field (did you mean "
            "`age_at_entry`?)"));
  CHECK(Has(m,
            "guard adult reads .milestones.rkv_complete, but there is no such milestone (did you "
            "mean `rkv_completed`?)"));
  auto broken =
      Messages(Replace(kBase, "expr: '.data.age_at_entry >= 25'", "expr: '.data.age_at_entry >='"));
  CHECK(Has(broken, "guard adult does not compile: syntax error"));
  auto root =
      Messages(Replace(kBase, "expr: '.data.age_at_entry >= 25'", "expr: '.dta.age >= 25'"));
  CHECK(Has(root, "(did you mean `data`?)"));
  auto unknown = Messages(Replace(kBase, "guard: adult}", "guard: adlt}"));
  CHECK(Has(unknown, "unknown guard `adlt` (did you mean `adult`?)"));
}

TEST_CASE("routes to unknown parties, unknown categories, and sensitive data to outsiders") {
  auto party = Messages(Replace(kBase, "party: jobcenter,", "party: jobcentre,"));
  CHECK(Has(party, "unknown party `jobcentre` (did you mean `jobcenter`?)"));
  auto sensitive = Messages(Replace(kBase, "party: jobcenter, categories: [status]}",
                                    "party: jobcenter, categories: [status, barriers]}"));
  CHECK(Has(sensitive,
            "category `barriers` is sensitive and never goes to the external party `jobcenter`"));
  auto not_allowed = Messages(Replace(kBase, "jobcenter: {label: Jobcenter, categories: [status]}",
                                      "jobcenter: {label: Jobcenter, categories: []}"));
  CHECK(Has(not_allowed, "party `jobcenter` may not receive category `status`"));
  auto listed = Messages(
      Replace(kBase, "categories: [status]}\nguards", "categories: [status, barriers]}\nguards"));
  CHECK(Has(listed,
            "demo.yaml:14:54: error: category `barriers` is sensitive and never goes to the "
            "external party `jobcenter`"));
}

TEST_CASE("every problem is reported, in file order") {
  std::string broken = Replace(kBase, "version: 1", "version: x");
  broken = Replace(broken, "from: lead, to: enrolled", "from: leed, to: enrolled");
  broken = Replace(broken, "party: jobcenter,", "party: nobody,");
  auto m = Messages(broken);
  REQUIRE(m.size() >= 3);
  CHECK(m[0].find(":2:") != std::string::npos);
  CHECK(Has(m, "unknown state `leed`"));
  CHECK(Has(m, "unknown party `nobody`"));
}

TEST_CASE("guard field references are found outside strings") {
  auto refs = GuardFieldReferences(
      R"(.data.track == "EUV.x" and (.milestones.rkv | not) and [.data.a][0] and $x.y and .payload.b)");
  CHECK(refs == std::vector<std::string>{"data.track", "milestones.rkv", "data.a", "payload.b"});
}

TEST_CASE("guards answer only true or false") {
  JqGuards guards;
  REQUIRE(guards.Add("g", ".data.n").ok());
  REQUIRE(guards.Add("e", "error(\"boom\")").ok());
  CHECK(guards.Evaluate("g", {{"data", {{"n", true}}}}).status().code() == StatusCode::kNotFound);
  REQUIRE(guards.Compile().empty());
  CHECK(guards.Evaluate("g", {{"data", {{"n", true}}}}).value() == true);
  CHECK(guards.Evaluate("g", {{"data", {{"n", nullptr}}}}).value() == false);
  auto number = guards.Evaluate("g", {{"data", {{"n", 3}}}});
  CHECK(number.status().message().find("produced 3, not true or false") != std::string::npos);
  CHECK(guards.Evaluate("e", nlohmann::json::object()).status().message().find("boom") !=
        std::string::npos);
  CHECK(guards.Evaluate("missing", {}).status().code() == StatusCode::kNotFound);
}

TEST_CASE("a definition's guards compile as one program and each answers for itself") {
  JqGuards guards;
  for (int i = 0; i < 9; ++i) {
    REQUIRE(guards.Add("is" + std::to_string(i), ".n == " + std::to_string(i)).ok());
  }
  REQUIRE(guards.Add("quoted_brackets", ".s == \"#([{\"").ok());
  REQUIRE(guards.Compile().empty());
  for (int n = 0; n < 9; ++n) {
    for (int i = 0; i < 9; ++i) {
      CHECK(guards.Evaluate("is" + std::to_string(i), {{"n", n}}).value() == (i == n));
    }
  }
  CHECK(guards.Evaluate("quoted_brackets", {{"s", "#([{"}}).value() == true);

  // One that does not compile is named with jq's message; the others are not, and none is kept.
  JqGuards broken;
  REQUIRE(broken.Add("first", ".a").ok());
  REQUIRE(broken.Add("bad", ".a >=").ok());
  REQUIRE(broken.Add("unknown_function", "frobnicate").ok() == false);  // budget: not a builtin
  REQUIRE(broken.Add("last", ".b").ok());
  const std::map<std::string, std::string> failed = broken.Compile();
  REQUIRE(failed.size() == 1);
  CHECK(failed.at("bad").find("syntax error") != std::string::npos);
  CHECK(broken.Evaluate("first", {{"a", true}}).status().code() == StatusCode::kNotFound);

  // What would not stay inside its own parentheses is refused alone, with jq's words.
  JqGuards escape;
  const Status unpaired = escape.Add("escape", "true) or (false");
  CHECK(unpaired.code() == StatusCode::kInvalidArgument);
  CHECK(unpaired.message().find("syntax error") != std::string::npos);
  CHECK(escape.Add("quote", ".a == \"open").code() == StatusCode::kInvalidArgument);
  CHECK(escape.Add("ours", "$__pathways_guard == 0").message().find("not allowed") !=
        std::string::npos);
  CHECK(escape.Compile().empty());
}

TEST_CASE("durations past ten years and guards past their budget are refused where they stand") {
  std::string long_task = kBase;
  long_task.replace(long_task.find("      - notify: {party: jobcenter, categories: [status]}"), 0,
                    "      - task: {id: wait, title: {da: Vent, en: Wait}, due: 3654 days}\n");
  auto m = Messages(long_task);
  REQUIRE(m.size() == 1);
  CHECK(m[0].find("demo.yaml:") == 0);
  CHECK(m[0].find("`3654 days` is more than ten years") != std::string::npos);
  CHECK(Messages(std::string(kBase)).empty());

  for (const char* hostile :
       {"def f: f; f", "[range(1e9)] | length > 0", "now > 0", ".data.x | test(\"a+\")",
        "[recurse(.)] | length > 0", "$ENV.HOME == \"x\"", "(\"\\(range(9))\") == \"x\"",
        "[limit(9; repeat(1))] | length > 0", "input == 1"}) {
    std::string yaml = kBase;
    const std::string old_guard = "expr: '.data.age_at_entry >= 25'";
    nlohmann::json quoted = hostile;  // a YAML double-quoted scalar is a JSON string
    yaml.replace(yaml.find(old_guard), old_guard.size(), "expr: " + quoted.dump());
    auto problems = Messages(yaml);
    INFO(hostile);
    REQUIRE(problems.size() == 1);
    CHECK(problems[0].find("demo.yaml:16:") == 0);
    CHECK(problems[0].find("not allowed in a guard") != std::string::npos);
  }
  // What guards are for stays allowed.
  for (const char* fine : {".data.age_at_entry >= 25 and (.milestones.rkv_completed // false)",
                           "[.risks[] | select(.type == \"no_contact\")] | length == 0",
                           "(.data.track // \"\") | startswith(\"EUV\") | not",
                           "reduce (.data | to_entries[]) as $e (0; . + 1) >= 0"}) {
    CHECK_MESSAGE(GuardBudgetProblem(fine).empty(), fine);
  }
}

TEST_CASE("a definition that could send special-category data or the CPR number is refused there") {
  // The CPR number in a category's personal fields.
  auto cpr =
      Messages(Replace(kBase, "  status: {label: {da: Status, en: Status}}",
                       "  status: {label: {da: Status, en: Status}, personal: [name, cpr]}"));
  CHECK(Has(cpr, "demo.yaml:4:62: error: category status: the CPR number never goes in a notice"));
  // A plain data field in a special category.
  auto special_field = Messages(
      Replace(Replace(kBase, "  barriers: {label: {da: Barrierer, en: Barriers}, sensitive: true}",
                      "  barriers: {label: {da: Barrierer, en: Barriers}, sensitive: true}\n"
                      "  health: {label: {da: Helbred, en: Health}, special: true}"),
              "  start: {type: date, category: status}",
              "  start: {type: date, category: status}\n"
              "  disability: {type: string, category: health}"));
  CHECK(Has(special_field, "demo.yaml:10:"));
  CHECK(Has(special_field, "data field disability would hold special-category data (health)"));
  auto not_sensitive =
      Messages(Replace(kBase, "  barriers: {label: {da: Barrierer, en: Barriers}, sensitive: true}",
                       "  barriers: {label: {da: Barrierer, en: Barriers}, sensitive: false,\n"
                       "             special: true}"));
  CHECK(
      Has(not_sensitive, "category barriers is special-category data, which is always sensitive"));
  // A consent that is not a sealed yes/no.
  auto consent = Messages(
      Replace(kBase, "  jobcenter: {label: Jobcenter, categories: [status]}",
              "  jobcenter: {label: Jobcenter, categories: [status]}\n"
              "  union: {label: Fagforening, categories: [status], consent: union_consent}"));
  CHECK(Has(consent, "demo.yaml:15:"));
  CHECK(Has(consent,
            "party union: consent `union_consent` must be a yes/no payload field sealed "
            "`personal: special`"));
  // A value that tells of union membership, set or stored plain.
  const std::string referred =
      "  start: {type: date, category: status}\n"
      "  referral_source: {type: string, category: status, allowed: [jobcenter, union],\n"
      "                    special_values: [union]}";
  auto set = Messages(Replace(Replace(kBase, "  start: {type: date, category: status}", referred),
                              "  - {trigger: enrol, from: lead, to: enrolled, guard: adult}",
                              "  - {trigger: enrol, from: lead, to: enrolled, guard: adult,\n"
                              "     set: {referral_source: union}}"));
  CHECK(Has(set, "is special-category data, never set plain"));
  auto stored =
      Messages(Replace(Replace(kBase, "  start: {type: date, category: status}", referred),
                       "  - {trigger: enrol, from: lead, to: enrolled, guard: adult}",
                       "  - {trigger: enrol, from: lead, to: enrolled, guard: adult,\n"
                       "     payload: {source: {type: string, store_as: referral_source}}}"));
  CHECK(Has(stored, "whose special values are sealed"));
  auto typo = Messages(Replace(kBase, "  start: {type: date, category: status}",
                               "  start: {type: date, category: status}\n"
                               "  referral_source: {type: string, category: status,\n"
                               "                    allowed: [jobcenter, union], "
                               "special_values: [unoin]}"));
  CHECK(
      Has(typo, "special value `unoin` is not one of its allowed values (did you mean `union`?)"));
  // The same, right, loads.
  LoadResult ok = LoadDefinition(
      Replace(Replace(Replace(kBase, "  start: {type: date, category: status}", referred),
                      "  jobcenter: {label: Jobcenter, categories: [status]}",
                      "  jobcenter: {label: Jobcenter, categories: [status]}\n"
                      "  union: {label: Fagforening, categories: [status], consent: agreed}"),
              "  - {trigger: enrol, from: lead, to: enrolled, guard: adult}",
              "  - {trigger: enrol, from: lead, to: enrolled, guard: adult,\n"
              "     payload: {agreed: {type: boolean, personal: special}}}"),
      "demo.yaml");
  for (const auto& d : ok.diagnostics) FAIL_CHECK(d.ToString());
  REQUIRE(ok.definition);
  CHECK(ok.definition->FindParty("union")->consent == "agreed");
  CHECK(ok.definition->FindField("referral_source")->special_values ==
        std::vector<std::string>{"union"});
}

}  // namespace
}  // namespace pathways::workflows

namespace pathways::workflows {
namespace {

TEST_CASE("a personal payload field names a scope of the vault and is never stored plain") {
  const std::string plain = "  - {trigger: enrol, from: lead, to: enrolled, guard: adult}";
  auto m = Messages(Replace(kBase, plain,
                            "  - {trigger: enrol, from: lead, to: enrolled, guard: adult,\n"
                            "     payload: {disability: {type: string, personal: health},\n"
                            "               age: {type: integer, personal: identity,\n"
                            "                     store_as: age_at_entry}}}"));
  CHECK(Has(m, "payload field disability: `personal` is `identity`, `guidance` or `special`"));
  CHECK(Has(m,
            "payload field age is personal: it is sealed in the vault, never stored as the "
            "plain data field age_at_entry"));
  LoadResult ok = LoadDefinition(
      Replace(kBase, plain,
              "  - {trigger: enrol, from: lead, to: enrolled, guard: adult,\n"
              "     payload: {disability: {type: string, allowed: [yes, no, refused],\n"
              "                            personal: identity}}}"),
      "demo.yaml");
  for (const auto& d : ok.diagnostics) FAIL_CHECK(d.ToString());
  REQUIRE(ok.definition);
  CHECK(ok.definition->transitions[0].payload[0].personal == "identity");
  CHECK(ok.definition->ToJson()["transitions"][0]["payload"][0]["personal"] == "identity");
  // Without sealed fields the canonical form (and so the hash) is what it was.
  LoadResult base = LoadDefinition(kBase, "demo.yaml");
  REQUIRE(base.definition);
  CHECK(base.definition->ToJson().dump().find("personal") == std::string::npos);
}

TEST_CASE("with `languages`, everything a page shows needs words in each, at its line") {
  // Without it (the definitions written before), nothing more is asked and the hash stays.
  const LoadResult before = LoadDefinition(kBase, "demo.yaml");
  REQUIRE(before.definition != nullptr);
  CHECK(before.definition->ToJson().dump().find("languages") == std::string::npos);
  const std::string with = Replace(kBase, "version: 1\n", "version: 1\nlanguages: [da, en, de]\n");
  auto m = Messages(
      Replace(Replace(with, "  - {trigger: enrol, from: lead, to: enrolled, guard: adult}",
                      "  - trigger: enrol\n    from: lead\n    to: enrolled\n    guard: adult\n"
                      "    payload:\n"
                      "      answer: {type: string, allowed: [yes, no], personal: special,\n"
                      "               label: {da: Svar}, values: {\"yes\": Ja, maybe: Måske}}\n"
                      "      age: {type: integer, store_as: age_at_entry}"),
              "  rkv_completed: {da: RKV, en: RKV}", "  rkv_completed: {da: RKV}"));
  CHECK(Has(m, "demo.yaml:3:21: error: a language of the pages is `da` or `en`, not `de`"));
  CHECK(Has(m, "demo.yaml:8:17: error: data field age_at_entry needs a label in da and en"));
  CHECK(Has(m, "data field start needs a label in da and en"));
  CHECK(Has(m, "milestone rkv_completed needs a label in en"));
  CHECK(Has(m, "guard adult needs a label in da and en"));
  CHECK(Has(m, "transition `enrol` needs a label in da and en"));
  CHECK(Has(m, "transition `close` needs a label in da and en"));
  CHECK(Has(m, "payload field answer: `maybe` is not one of its allowed values"));
  CHECK(Has(m, "transition `enrol` payload field answer needs a label in en"));
  CHECK(Has(m, "transition `enrol` payload field answer value `no` needs a label in da and en"));
  // Stored as a data field, a payload field is asked for by that field's words.
  CHECK(Has(m, "transition `enrol` payload field age needs a label in da and en"));
  CHECK_FALSE(Has(m, "value `yes`"));
  CHECK_FALSE(Has(m, "party jobcenter"));  // a text is the label in both languages
}

}  // namespace
}  // namespace pathways::workflows

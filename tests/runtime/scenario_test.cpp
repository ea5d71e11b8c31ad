// Scenario files (tests/scenarios/*.yaml, format in tests/scenarios/README.md) run against a
// real store with the AMIGO definition and a manual clock: commands, expected events or
// refusals, clock advances that fire due timers, restarts, and expected state. After the
// last step every pathway must replay to its stored state and the chain must verify.

#include <doctest/doctest.h>
#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <sstream>

#include "engine/codec/event_json.hpp"
#include "engine/runtime/calendar.hpp"
#include "engine/runtime/timer_scheduler.hpp"
#include "tests/runtime/notice_leak_check.hpp"
#include "tests/support/temp_store.hpp"
#include "workflows/loader.hpp"

namespace pathways {
namespace {

namespace fs = std::filesystem;

nlohmann::json ToJson(const YAML::Node& n) {
  if (!n || n.IsNull()) return nullptr;
  if (n.IsSequence()) {
    nlohmann::json a = nlohmann::json::array();
    for (const auto& item : n) a.push_back(ToJson(item));
    return a;
  }
  if (n.IsMap()) {
    nlohmann::json o = nlohmann::json::object();
    for (const auto& kv : n) o[kv.first.Scalar()] = ToJson(kv.second);
    return o;
  }
  const std::string s = n.Scalar();
  if (n.Tag() == "!") return s;  // quoted: always a string
  if (s == "true" || s == "false") return s == "true";
  try {
    std::size_t used = 0;
    const long long v = std::stoll(s, &used);
    if (used == s.size()) return v;
  } catch (...) {
  }
  return s;
}

definition::Duration ParseDuration(const std::string& text) {
  std::istringstream in(text);
  definition::Duration d;
  std::string unit;
  in >> d.amount >> unit;
  if (unit == "working") {
    d.unit = definition::Duration::Unit::kWorkingDays;
  } else if (unit.rfind("week", 0) == 0) {
    d.unit = definition::Duration::Unit::kWeeks;
  } else if (unit.rfind("month", 0) == 0) {
    d.unit = definition::Duration::Unit::kMonths;
  } else {
    REQUIRE_MESSAGE(unit.rfind("day", 0) == 0, "unknown unit in `" << text << "`");
  }
  return d;
}

// A step's text value, or "" when it has none.
std::string Text(const YAML::Node& step, const char* key) {
  return step[key] ? step[key].Scalar() : std::string();
}

std::vector<std::string> Texts(const YAML::Node& step, const char* key) {
  std::vector<std::string> out;
  for (const auto& item : step[key]) out.push_back(item.Scalar());
  return out;
}

// A company record's step (`do: register_company` …), or nullopt for a participant's.
std::optional<runtime::Command> CompanyCommand(const std::string& what, const YAML::Node& step,
                                               const std::string& pathway,
                                               const std::string& user) {
  auto fields = [&] {
    runtime::CompanyFields f;
    f.cvr = step["cvr"] ? Text(step, "cvr") : pathway.substr(pathway.find('-') + 1);
    f.name = step["name"] ? Text(step, "name") : "Scenarievirksomheden ApS";
    f.size_band = step["size_band"] ? Text(step, "size_band") : "small";
    f.industry = step["industry"] ? Text(step, "industry") : "25";
    f.municipality = Text(step, "municipality");
    f.green = Texts(step, "green");
    return f;
  };
  if (what == "register_company") {
    return runtime::RegisterCompany{fields(), step["consultant"] ? Text(step, "consultant") : user,
                                    Text(step, "school")};
  }
  if (what == "record_company") return runtime::RecordCompany{fields(), Text(step, "reason")};
  if (what == "company_contact") {
    return runtime::RecordCompanyContact{step["form"] ? Text(step, "form") : "visit",
                                         0,
                                         step["minutes"] ? step["minutes"].as<std::uint32_t>() : 60,
                                         Texts(step, "staff"),
                                         Texts(step, "persons"),
                                         Text(step, "topic"),
                                         Text(step, "notes")};
  }
  if (what == "contact_person") {
    return runtime::RecordContactPerson{Text(step, "person"), Text(step, "name"),
                                        Text(step, "role"), Text(step, "email"),
                                        Text(step, "phone")};
  }
  if (what == "company_need") {
    return runtime::RecordCompanyNeed{
        Text(step, "need"),         Text(step, "competences"),
        Texts(step, "amu_courses"), step["staff"] ? step["staff"].as<std::uint32_t>() : 0,
        Text(step, "release_from"), Text(step, "release_to"),
        Texts(step, "green")};
  }
  return std::nullopt;
}

class ScenarioRunner {
 public:
  ScenarioRunner(const std::string& dir, TimestampMs start) : dir_(dir), clock_(start) {
    catalog_ = std::make_shared<definition::DefinitionCatalog>();
    for (const char* file : {"amigo.yaml", "company.yaml"}) {
      auto loaded = workflows::LoadDefinitionFile(std::string(PATHWAYS_SOURCE_DIR) +
                                                  "/config/workflows/" + file);
      REQUIRE(loaded.definition);
      catalog_->Add(loaded.definition);
    }
    Open();
  }

  void Open() {
    storage::StoreOptions o;
    o.dir = dir_;
    o.create_if_missing = true;
    o.clock = &clock_;
    o.definitions = catalog_;
    auto store = storage::RocksEventStore::Open(o);
    REQUIRE_MESSAGE(store.ok(), store.status().ToString());
    store_ = std::move(*store);
  }

  void Step(const YAML::Node& step, const std::string& where) {
    INFO(where);
    if (step["advance"]) return Advance(step["advance"].Scalar(), step);
    if (step["restart"]) {
      store_.reset();
      return Open();
    }
    if (step["expect_state"]) return ExpectState(step["expect_state"]);

    runtime::Command command;
    const std::string pathway = step["pathway"] ? step["pathway"].Scalar() : default_pathway_;
    const std::string user = step["as"] ? step["as"].Scalar() : "vejleder-1";
    if (step["do"]) {
      const std::string what = step["do"].Scalar();
      if (what == "register_lead") {
        runtime::RegisterLead lead;
        lead.referral_source =
            step["referral_source"] ? step["referral_source"].Scalar() : "jobcenter";
        lead.data = step["data"] ? ToJson(step["data"]) : nlohmann::json::object();
        lead.personal[PersonalScope::kIdentity] = step["identity"]
                                                      ? ToJson(step["identity"])
                                                      : nlohmann::json{{"name", "Scenario Person"}};
        lead.school = Text(step, "school");
        lead.company = Text(step, "company");
        command = lead;
      } else if (what == "assign_contact_person") {
        command = runtime::AssignContactPerson{step["user"] ? step["user"].Scalar() : user,
                                               Text(step, "school"), Text(step, "handover"),
                                               Text(step, "reason")};
      } else if (what == "contact") {
        command = runtime::RecordContact{"phone", 30, "", Text(step, "appointment")};
      } else if (what == "book_appointment") {
        // `in`: how long from now it starts; an hour long.
        const TimestampMs starts = runtime::Add(clock_.NowMs(), ParseDuration(Text(step, "in")));
        command = runtime::BookAppointment{
            Text(step, "appointment"), starts, starts + 3'600'000, "Lokale 2", false,
            Text(step, "topic")};
      } else if (what == "move_appointment") {
        const TimestampMs starts = runtime::Add(clock_.NowMs(), ParseDuration(Text(step, "in")));
        command = runtime::MoveAppointment{
            Text(step, "appointment"), starts, starts + 3'600'000, "", false, "flyttet"};
      } else if (what == "cancel_appointment") {
        command = runtime::CancelAppointment{Text(step, "appointment"), Text(step, "reason")};
      } else if (what == "give_information_notice") {
        command = runtime::GiveInformationNotice{Text(step, "version")};
      } else if (what == "record_consent") {
        runtime::RecordConsent consent{step["given"].as<bool>(), {}};
        for (const auto& ch : step["channels"]) consent.channels.push_back(ch.Scalar());
        command = consent;
      } else if (what == "record_employer") {
        command = runtime::RecordEmployer{Text(step, "name"),
                                          Text(step, "cvr"),
                                          Text(step, "contact"),
                                          Text(step, "email"),
                                          "",
                                          step["sme"].as<bool>(false),
                                          Text(step, "reason")};
      } else if (what == "record_municipality") {
        command = runtime::RecordMunicipality{Text(step, "code")};
      } else if (what == "missed_appointment") {
        command = runtime::RecordMissedAppointment{};
      } else if (what == "raise_risk") {
        command = runtime::RaiseRisk{step["risk"].Scalar(), ""};
      } else if (what == "resolve_risk") {
        auto state = State(pathway);
        std::string id;
        for (const auto& [rid, r] : state.open_risks) {
          if (r.type == step["risk"].Scalar()) id = rid;
        }
        REQUIRE_MESSAGE(!id.empty(), "no open risk " << step["risk"].Scalar());
        command = runtime::ResolveRisk{id, "resolved in scenario"};
      } else if (what == "complete_task") {
        auto state = State(pathway);
        std::string id;
        for (const auto& [tid, t] : state.open_tasks) {
          if (t.kind == step["kind"].Scalar()) id = tid;
        }
        REQUIRE_MESSAGE(!id.empty(), "no open task " << step["kind"].Scalar());
        command = runtime::CompleteTask{id};
      } else if (what == "record_barrier") {
        command = runtime::RecordBarrier{step["code"].Scalar(),
                                         step["note"] ? step["note"].Scalar() : ""};
      } else if (what == "record_data") {
        runtime::RecordData data;
        data.fields = step["fields"] ? ToJson(step["fields"]) : nlohmann::json::object();
        data.reason = step["reason"] ? step["reason"].Scalar() : "";
        if (step["personal"]) {
          const nlohmann::json personal = ToJson(step["personal"]);
          for (auto it = personal.begin(); it != personal.end(); ++it) {
            const std::string scope = it.key();
            const std::optional<PersonalScope> s = ParsePersonalScope(scope);
            REQUIRE_MESSAGE(s.has_value(), "no personal scope " << scope);
            data.personal[*s] = it.value();
          }
        }
        command = data;
      } else if (auto company = CompanyCommand(what, step, pathway, user)) {
        command = std::move(*company);
      } else if (what == "pause") {
        command = runtime::PausePathway{"scenario"};
      } else if (what == "resume") {
        command = runtime::ResumePathway{};
      } else {
        FAIL("unknown step `do: " << what << "`");
      }
    } else if (step["fire"]) {
      command =
          runtime::FireTrigger{step["fire"].Scalar(), step["payload"] ? ToJson(step["payload"])
                                                                      : nlohmann::json::object()};
    } else {
      FAIL("a step needs do, fire, advance, restart or expect_state");
    }
    CommandRequest r;
    r.pathway_id = pathway;
    r.participant_id = "p-" + pathway;
    r.command_id = "scenario-" + std::to_string(++commands_);
    r.actor = {user, "counsellor"};
    r.command = std::move(command);
    auto result = store_->Execute(std::move(r));
    if (step["expect_refusal"]) {
      REQUIRE_MESSAGE(!result.ok(), "expected a refusal");
      CHECK_MESSAGE(
          result.status().message().find(step["expect_refusal"].Scalar()) != std::string::npos,
          result.status().message());
      return;
    }
    REQUIRE_MESSAGE(result.ok(), result.status().ToString());
    Track(pathway);
    std::vector<RecordedEvent> events = EventsOf(*result);
    CheckEvents(step, events);
  }

  void Finish() {
    for (const std::string& id : pathways_) {
      runtime::PathwayState replayed;
      auto page = store_->ReadStream(id, 1, 100000);
      REQUIRE(page.ok());
      for (const RecordedEvent& e : page->events) REQUIRE(runtime::Apply(replayed, e).ok());
      CHECK_MESSAGE(replayed.ToJson().dump() == State(id).ToJson().dump(), "replay of " << id);
    }
    auto report = store_->Verify();
    REQUIRE(report.ok());
    CHECK_MESSAGE(report->ok, report->problem);
    CheckExternalNotices();
  }

  // Every notice to an external party, built and rendered as it would be sent, names nothing
  // the party may not see (notice_leak_check.hpp).
  void CheckExternalNotices() {
    external_notices_ = testing::CheckExternalNotices(*store_, *catalog_);
  }
  std::size_t external_notices() const { return external_notices_; }

  void SetDefaultPathway(const std::string& id) { default_pathway_ = id; }
  // Each pathway a step wrote to is replayed at the end.
  void Track(const std::string& id) {
    if (std::find(pathways_.begin(), pathways_.end(), id) == pathways_.end()) {
      pathways_.push_back(id);
    }
  }

 private:
  std::vector<RecordedEvent> EventsOf(const AppendResult& r) {
    if (r.last_position < r.first_position) return {};
    auto page = store_->ReadAll(r.first_position, r.last_position - r.first_position + 1);
    REQUIRE(page.ok());
    return page->events;
  }

  runtime::PathwayState State(const std::string& id) {
    auto s = store_->LoadPathway(id);
    REQUIRE(s.ok());
    REQUIRE_MESSAGE(s->has_value(), "no pathway " << id);
    return **s;
  }

  // expect_events: types that must appear in this order (others may stand between).
  // notifies / not_notified: parties among the step's notification requests.
  void CheckEvents(const YAML::Node& step, const std::vector<RecordedEvent>& events) {
    std::vector<std::string> parties;
    for (const auto& e : events) {
      if (e.type == "NotificationRequested")
        parties.push_back(nlohmann::json::parse(e.data)["party"]);
    }
    if (step["no_events"]) {
      for (const auto& unwanted : step["no_events"]) {
        const bool found = std::any_of(events.begin(), events.end(), [&](const RecordedEvent& e) {
          return e.type == unwanted.Scalar();
        });
        CHECK_MESSAGE(!found, "unexpected event " << unwanted.Scalar());
      }
    }
    if (step["expect_events"]) {
      std::size_t at = 0;
      for (const auto& wanted : step["expect_events"]) {
        while (at < events.size() && events[at].type != wanted.Scalar()) ++at;
        CHECK_MESSAGE(at < events.size(), "missing event " << wanted.Scalar());
        if (at < events.size()) ++at;
      }
    }
    for (const char* key : {"notifies", "not_notified"}) {
      if (!step[key]) continue;
      for (const auto& p : step[key]) {
        const bool found = std::find(parties.begin(), parties.end(), p.Scalar()) != parties.end();
        CHECK_MESSAGE(found == (std::string(key) == "notifies"), key << " " << p.Scalar());
      }
    }
  }

  void Advance(const std::string& how, const YAML::Node& step) {
    TimestampMs target = 0;
    if (!codec::ParseIso8601(how, target))
      target = runtime::Add(clock_.NowMs(), ParseDuration(how));
    REQUIRE(target >= clock_.NowMs());
    // Fire due timers in time order, a day at a time, as a running scheduler would.
    std::size_t fired = 0;
    while (clock_.NowMs() < target) {
      clock_.Set(std::min(target, clock_.NowMs() + 86'400'000));
      auto sweep = runtime::FireDueTimers(*store_, *store_, clock_.NowMs(), 100000);
      REQUIRE_MESSAGE(sweep.ok(), sweep.status().ToString());
      fired += sweep->fired;
    }
    if (step["expect_timers_fired"]) CHECK(fired == step["expect_timers_fired"].as<std::size_t>());
  }

  void ExpectState(const YAML::Node& expect) {
    const std::string id = expect["pathway"] ? expect["pathway"].Scalar() : default_pathway_;
    runtime::PathwayState s = State(id);
    if (expect["state"]) CHECK_MESSAGE(s.state == expect["state"].Scalar(), "state of " << id);
    if (expect["status"]) CHECK(runtime::StatusName(s.status) == expect["status"].Scalar());
    if (expect["school"]) CHECK_MESSAGE(s.school == expect["school"].Scalar(), "school of " << id);
    if (expect["contact_person"]) CHECK(s.contact_person == expect["contact_person"].Scalar());
    if (expect["employer"]) CHECK(s.employer.name == expect["employer"].Scalar());
    if (expect["referred_by_company"]) {
      CHECK(s.referred_by_company == expect["referred_by_company"].Scalar());
    }
    // A company's record: how many contacts, contact persons and needs it holds.
    if (expect["contacts"]) CHECK_MESSAGE(s.contacts == expect["contacts"].as<std::uint32_t>(), id);
    if (expect["persons"]) CHECK(s.company.persons.size() == expect["persons"].as<std::size_t>());
    if (expect["needs"]) CHECK(s.company.needs.size() == expect["needs"].as<std::size_t>());
    if (expect["municipality"]) CHECK(s.municipality == expect["municipality"].Scalar());
    if (expect["consent"]) CHECK(s.consent.given == expect["consent"].as<bool>());
    // appointments: the ids open now.
    if (expect["appointments"]) {
      std::vector<std::string> open;
      for (const auto& [aid, a] : s.appointments) open.push_back(aid);
      std::vector<std::string> wanted;
      for (const auto& a : expect["appointments"]) wanted.push_back(a.Scalar());
      CHECK_MESSAGE(open == wanted, "appointments of " << id);
    }
    if (expect["milestones"]) {
      for (const auto& m : expect["milestones"])
        CHECK_MESSAGE(s.milestones.count(m.Scalar()), "milestone " << m.Scalar());
    }
    // open_risks: each listed type is open; no_risks: none of these is.
    std::vector<std::string> types;
    for (const auto& [rid, r] : s.open_risks) types.push_back(r.type);
    for (const char* key : {"open_risks", "no_risks"}) {
      if (!expect[key]) continue;
      for (const auto& r : expect[key]) {
        const bool open = std::find(types.begin(), types.end(), r.Scalar()) != types.end();
        CHECK_MESSAGE(open == (std::string(key) == "open_risks"), key << " " << r.Scalar());
      }
    }
    if (expect["data"]) {
      for (const auto& kv : expect["data"]) {
        CHECK_MESSAGE(s.data[kv.first.Scalar()] == ToJson(kv.second), "data." << kv.first.Scalar());
      }
    }
    // Counts over the pathway's whole history: tasks_created by kind, risks_raised by type,
    // notified by party (the notifications requested).
    for (const auto& [key, type, field] :
         {std::tuple{"tasks_created", "TaskCreated", "kind"},
          std::tuple{"risks_raised", "RiskRaised", "type"},
          std::tuple{"notified", "NotificationRequested", "party"}}) {
      if (!expect[key]) continue;
      auto page = store_->ReadStream(id, 1, 100000);
      REQUIRE(page.ok());
      std::map<std::string, std::size_t> counted;
      for (const RecordedEvent& e : page->events) {
        if (e.type == type) ++counted[nlohmann::json::parse(e.data)[field]];
      }
      for (const auto& kv : expect[key]) {
        CHECK_MESSAGE(counted[kv.first.Scalar()] == kv.second.as<std::size_t>(),
                      std::string(key) << " " << kv.first.Scalar() << " in " << id);
      }
    }
    if (expect["open_tasks"]) {
      std::vector<std::string> kinds;
      for (const auto& [tid, t] : s.open_tasks) kinds.push_back(t.kind);
      for (const auto& k : expect["open_tasks"]) {
        CHECK_MESSAGE(std::find(kinds.begin(), kinds.end(), k.Scalar()) != kinds.end(),
                      "task " << k.Scalar());
      }
    }
  }

  std::string dir_;
  ManualClock clock_;
  std::shared_ptr<definition::DefinitionCatalog> catalog_;
  std::unique_ptr<storage::RocksEventStore> store_;
  std::string default_pathway_ = "pw-1";
  std::vector<std::string> pathways_;
  int commands_ = 0;
  std::size_t external_notices_ = 0;
};

TEST_CASE("scenarios") {
  const fs::path dir = fs::path(PATHWAYS_SOURCE_DIR) / "tests" / "scenarios";
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.path().extension() == ".yaml") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  REQUIRE(files.size() >= 7);
  for (const fs::path& file : files) {
    SUBCASE(file.filename().string().c_str()) {
      const YAML::Node scenario = YAML::LoadFile(file.string());
      TimestampMs start = 0;
      REQUIRE(codec::ParseIso8601(scenario["start"].Scalar(), start));
      testing::TempDir tmp;
      ScenarioRunner runner(tmp / "store", start);
      const std::string pathway = scenario["pathway"] ? scenario["pathway"].Scalar() : "pw-1";
      runner.SetDefaultPathway(pathway);
      runner.Track(pathway);
      int n = 0;
      for (const auto& step : scenario["steps"]) {
        runner.Step(step, file.filename().string() + " step " + std::to_string(++n) + " (line " +
                              std::to_string(step.Mark().line + 1) + ")");
      }
      runner.Finish();
      // So that the notice check is seen to check something.
      if (scenario["external_notices_at_least"]) {
        CHECK(runner.external_notices() >= scenario["external_notices_at_least"].as<std::size_t>());
      }
    }
  }
}

}  // namespace
}  // namespace pathways

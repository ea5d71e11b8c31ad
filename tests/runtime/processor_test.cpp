// The command processor answers a dry run exactly as the writer's real run: every transition
// of the shipped AMIGO definition, from each state it leaves, and a set of refusals, decided
// once by runtime::Process against the committed state and once through the store.

#include "engine/runtime/processor.hpp"

#include <doctest/doctest.h>

#include <fstream>
#include <sstream>

#include "tests/support/amigo_store.hpp"
#include "tests/support/temp_store.hpp"

namespace pathways {
namespace {

// The shipped definition's content as version 1 and as version 2: a migration from one to
// the other puts a pathway into any state, so every transition can be tried.
std::shared_ptr<definition::DefinitionCatalog> TwoVersions() {
  auto catalog = std::make_shared<definition::DefinitionCatalog>();
  for (int version : {1, 2}) {
    auto loaded = workflows::LoadDefinition(testing::AmigoAsVersion(version),
                                            "amigo-v" + std::to_string(version) + ".yaml");
    REQUIRE(loaded.definition != nullptr);
    catalog->Add(loaded.definition);
  }
  return catalog;
}

// A payload every field of which is filled with a value of its type.
nlohmann::json FullPayload(const definition::Transition& t) {
  nlohmann::json payload = nlohmann::json::object();
  for (const definition::PayloadField& f : t.payload) {
    if (!f.allowed.empty()) {
      payload[f.id] = f.allowed.front();
      continue;
    }
    switch (f.type) {
      case definition::DataField::Type::kString: payload[f.id] = "x"; break;
      case definition::DataField::Type::kInteger: payload[f.id] = 30; break;
      case definition::DataField::Type::kNumber: payload[f.id] = 1.5; break;
      case definition::DataField::Type::kBoolean: payload[f.id] = true; break;
      case definition::DataField::Type::kDate: payload[f.id] = "2026-04-01"; break;
    }
  }
  return payload;
}

class Rig {
 public:
  Rig() : store_(testing::OpenWithDefinitions(dir_.path(), clock_, catalog_)) {}

  storage::RocksEventStore& store() { return *store_; }
  const definition::DefinitionCatalog& catalog() const { return *catalog_; }

  Result<AppendResult> Run(const std::string& pathway, runtime::Command command) {
    CommandRequest r;
    r.pathway_id = pathway;
    r.participant_id = "p-" + pathway;
    r.command_id = "cmd-" + std::to_string(++commands_);
    r.actor = kActor;
    r.command = std::move(command);
    return store_->Execute(std::move(r));
  }

  runtime::PathwayState State(const std::string& pathway) {
    auto s = store_->LoadPathway(pathway);
    REQUIRE_MESSAGE(s.ok(), s.status().ToString());
    return s->value_or(runtime::PathwayState{});
  }

  // A registered pathway moved to version 1 in `state`.
  void Place(const std::string& pathway, const std::string& state) {
    runtime::RegisterLead lead;
    lead.referral_source = "jobcenter";
    lead.contact_person = "vejleder-1";
    auto registered = Run(pathway, lead);
    REQUIRE_MESSAGE(registered.ok(), registered.status().ToString());
    // New pathways start on the newest version (2): the move is back to 1.
    runtime::MigratePathway to_state{1, {}};
    for (const definition::State& s : catalog_->Find("amigo", 2)->states) {
      to_state.mapping[s.id] = state;
    }
    auto moved = Run(pathway, to_state);
    REQUIRE_MESSAGE(moved.ok(), moved.status().ToString());
  }

  // Processes `command` as a dry run, then executes it, and requires the same answer: the
  // same refusal, or the same events and the same state after them.
  void Same(const std::string& pathway, const runtime::Command& command) {
    const runtime::PathwayState before = State(pathway);
    const runtime::ProcessContext ctx{*catalog_, kActor,         clock_.NowMs(),
                                      pathway,   "p-" + pathway, ""};
    const Result<runtime::Processed> dry = runtime::Process(before, command, ctx);
    const Result<AppendResult> real = Run(pathway, command);
    INFO("pathway ", pathway, " in ", before.state, ": ", runtime::CommandName(command));
    REQUIRE(dry.ok() == real.ok());
    if (!dry.ok()) {
      CHECK(dry.status().code() == real.status().code());
      CHECK(dry.status().message() == real.status().message());
      CHECK(State(pathway).version == before.version);
      return;
    }
    CHECK(State(pathway).ToJson() == dry->after.ToJson());
    auto written = store_->ReadStream(pathway, real->first_version, 1000);
    REQUIRE(written.ok());
    REQUIRE(written->events.size() == dry->events.size());
    for (std::size_t i = 0; i < dry->events.size(); ++i) {
      CHECK(written->events[i].type == dry->events[i].type);
      CHECK(nlohmann::json::parse(written->events[i].data) == dry->events[i].data);
      CHECK(written->events[i].definition.version == dry->definition.version);
    }
    ++succeeded;
  }

  int succeeded = 0;

 private:
  static inline const Actor kActor{"vejleder-1", "counsellor"};
  testing::TempDir dir_;
  ManualClock clock_{testing::kTestEpochMs};
  std::shared_ptr<definition::DefinitionCatalog> catalog_ = TwoVersions();
  std::unique_ptr<storage::RocksEventStore> store_;
  int commands_ = 0;
};

TEST_CASE("every AMIGO transition is answered alike by a dry run and the writer") {
  Rig rig;
  const auto def = rig.catalog().Find("amigo", 1);
  int tried = 0;
  for (const definition::Transition& t : def->transitions) {
    for (const std::string& from : t.from) {
      const std::string pathway = "t" + std::to_string(++tried);
      rig.Place(pathway, from);
      // Without a payload (refused where one is required), then with every field filled.
      rig.Same(pathway, runtime::FireTrigger{t.trigger, nlohmann::json::object()});
      if (rig.State(pathway).state == from) {
        rig.Same(pathway, runtime::FireTrigger{t.trigger, FullPayload(t)});
      }
    }
  }
  CHECK(tried > 40);
  // Guards that hold only with data a test does not invent refuse some; most go through.
  CHECK(rig.succeeded > tried / 2);
}

TEST_CASE("refusals are answered alike by a dry run and the writer") {
  Rig rig;
  rig.Place("r1", "intake");
  rig.Same("r1", runtime::FireTrigger{"no_such_trigger", nlohmann::json::object()});
  rig.Same("r1", runtime::ResolveRisk{"risk-404", "gone"});
  rig.Same("r1", runtime::CompleteTask{"task-404"});
  rig.Same("r1", runtime::RaiseRisk{"no_such_risk", ""});
  rig.Same("r1", runtime::ResumePathway{});
  rig.Same("r1", runtime::MigratePathway{7, {}});
  rig.Same("r1", runtime::MigratePathway{2, {{"intake", "no_such_state"}}});
  rig.Same("r1", runtime::RegisterLead{"jobcenter", nlohmann::json::object(), {}, ""});
  rig.Same("absent", runtime::RecordContact{"phone"});
  // A command for a pathway that does not exist says so (a partner's callback answers 404).
  CHECK(rig.Run("absent", runtime::FireTrigger{"sign_contract", {}}).status().code() ==
        StatusCode::kNotFound);
  rig.Same("r1", runtime::PausePathway{"sick leave"});
  rig.Same("r1", runtime::PausePathway{"again"});
  CHECK(rig.succeeded == 1);
}

TEST_CASE("a dry run refuses what the writer refuses: the file changed under a running pathway") {
  testing::TempDir dir;
  ManualClock clock(testing::kTestEpochMs);
  auto catalog = TwoVersions();
  {
    auto store = testing::OpenWithDefinitions(dir.path(), clock, catalog);
    CommandRequest r;
    r.pathway_id = "p1";
    r.participant_id = "participant-1";
    r.command_id = "register";
    r.actor = {"vejleder-1", "counsellor"};
    r.command = runtime::RegisterLead{"jobcenter", nlohmann::json::object(), {}, "vejleder-1"};
    REQUIRE(store->Execute(std::move(r)).ok());
  }
  // Version 2 loaded again from a file that now says something else (a changed label).
  std::string changed = testing::AmigoAsVersion(2);
  changed.replace(changed.find("en: Lead}"), 9, "en: Enquiry}");
  auto loaded = workflows::LoadDefinition(changed, "amigo-v2.yaml");
  REQUIRE(loaded.definition != nullptr);
  auto other = std::make_shared<definition::DefinitionCatalog>();
  other->Add(TwoVersions()->Find("amigo", 1));
  other->Add(loaded.definition);
  auto store = testing::OpenWithDefinitions(dir.path(), clock, other);
  auto state = store->LoadPathway("p1");
  REQUIRE(state.ok());
  REQUIRE(state->has_value());

  runtime::MigratePathway back{1, {}};
  for (const definition::State& s : loaded.definition->states) back.mapping[s.id] = s.id;
  const runtime::ProcessContext ctx{
      *other, {"admin", "administrator"}, clock.NowMs(), "p1", "participant-1", ""};
  const Status dry = runtime::Process(**state, back, ctx).status();
  CHECK(dry.code() == StatusCode::kFailedPrecondition);
  CHECK(dry.message().find("whose loaded file has changed since") != std::string::npos);
  CommandRequest r;
  r.pathway_id = "p1";
  r.command_id = "migrate";
  r.actor = {"admin", "administrator"};
  r.command = back;
  const Status real = store->Execute(std::move(r)).status();
  CHECK(real.code() == dry.code());
  CHECK(real.message() == dry.message());
}

TEST_CASE("a guard over its input budget refuses that command, and other pathways go on") {
  const std::string yaml = R"(id: budget
version: 1
categories:
  status: {label: {da: Status, en: Status}}
guards:
  noted: {description: a note is given, expr: '(.payload.note // "") | length > 0'}
states:
  - {id: lead, label: {da: Henvendelse, en: Lead}}
  - {id: done, label: {da: Færdig, en: Done}, terminal: true}
transitions:
  - trigger: go
    from: lead
    to: done
    guard: noted
    payload:
      note: {type: string, required: true}
)";
  auto loaded = workflows::LoadDefinition(yaml, "budget.yaml");
  REQUIRE_MESSAGE(loaded.definition != nullptr,
                  (loaded.diagnostics.empty() ? "" : loaded.diagnostics[0].ToString()));
  auto catalog = std::make_shared<definition::DefinitionCatalog>();
  catalog->Add(loaded.definition);
  testing::TempDir dir;
  ManualClock clock(testing::kTestEpochMs);
  auto store = testing::OpenWithDefinitions(dir.path(), clock, catalog);
  int n = 0;
  auto run = [&](const std::string& pathway, runtime::Command command) {
    CommandRequest r;
    r.pathway_id = pathway;
    r.participant_id = "p-" + pathway;
    r.command_id = "c" + std::to_string(++n);
    r.actor = {"vejleder-1", "counsellor"};
    r.command = std::move(command);
    return store->Execute(std::move(r));
  };
  for (const char* p : {"heavy", "light"}) {
    REQUIRE(run(p, runtime::RegisterLead{"jobcenter", nlohmann::json::object(), {}, ""}).ok());
  }
  const Result<AppendResult> heavy =
      run("heavy", runtime::FireTrigger{"go", {{"note", std::string(70 * 1024, 'x')}}});
  CHECK(heavy.status().code() == StatusCode::kRejected);
  CHECK(heavy.status().message().find("over the budget of 64 KiB") != std::string::npos);
  const Result<AppendResult> light = run("light", runtime::FireTrigger{"go", {{"note", "ok"}}});
  CHECK_MESSAGE(light.ok(), light.status().ToString());
  CHECK((*store->LoadPathway("light"))->state == "done");
  CHECK((*store->LoadPathway("heavy"))->state == "lead");
}

}  // namespace
}  // namespace pathways

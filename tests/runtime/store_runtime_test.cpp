// Commands through the store: Decide and Apply in the writer, with the state row, timers,
// projections and outbox committed in the same batch; timers that survive a restart; and a
// replay of every pathway that matches its stored state byte for byte.

#include <doctest/doctest.h>

#include <chrono>
#include <condition_variable>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>

#include "engine/codec/bytes.hpp"
#include "engine/personal_view.hpp"
#include "engine/runtime/calendar.hpp"
#include "engine/runtime/timer_scheduler.hpp"
#include "engine/storage/store_format.hpp"
#include "tests/support/amigo_store.hpp"
#include "tests/support/raw_db.hpp"
#include "tests/support/temp_store.hpp"
#include "workflows/loader.hpp"

namespace pathways {
namespace {

using runtime::FireTrigger;

std::shared_ptr<definition::DefinitionCatalog> Catalog() { return testing::AmigoCatalog(); }

std::unique_ptr<storage::RocksEventStore> Open(const std::string& dir, const Clock& clock) {
  return testing::OpenWithDefinitions(dir, clock);
}

int commands = 0;

Result<AppendResult> Run(storage::RocksEventStore& store, const std::string& pathway,
                         runtime::Command command, const std::string& user = "vejleder-1") {
  CommandRequest r;
  r.pathway_id = pathway;
  r.participant_id = "p-" + pathway;
  r.command_id = "cmd-" + std::to_string(++commands);
  r.actor = {user, "counsellor"};
  r.command = std::move(command);
  return store.Execute(std::move(r));
}

void Ok(storage::RocksEventStore& store, const std::string& pathway, runtime::Command command) {
  auto r = Run(store, pathway, std::move(command));
  REQUIRE_MESSAGE(r.ok(), r.status().ToString());
}

runtime::PathwayState StateOf(storage::RocksEventStore& store, const std::string& pathway) {
  auto s = store.LoadPathway(pathway);
  REQUIRE_MESSAGE(s.ok(), s.status().ToString());
  REQUIRE(s->has_value());
  return **s;
}

// Replays a pathway's stream through Apply alone and compares with the stored state.
void CheckReplay(storage::RocksEventStore& store, const std::string& pathway) {
  runtime::PathwayState replayed;
  auto page = store.ReadStream(pathway, 1, 100000);
  REQUIRE(page.ok());
  for (const RecordedEvent& e : page->events) REQUIRE(runtime::Apply(replayed, e).ok());
  CHECK(replayed.ToJson().dump() == StateOf(store, pathway).ToJson().dump());
}

TEST_CASE("a command's events, state and rows commit together") {
  testing::TempDir tmp;
  ManualClock clock(testing::kTestEpochMs);
  auto store = Open(tmp / "store", clock);
  runtime::RegisterLead lead{"jobcenter",
                             nlohmann::json::object(),
                             {{PersonalScope::kIdentity, {{"name", "Test Person"}}}},
                             ""};
  auto registered = Run(*store, "pw-1", lead);
  REQUIRE(registered.ok());
  CHECK(registered->first_version == 1);
  runtime::PathwayState s = StateOf(*store, "pw-1");
  CHECK(s.state == "lead");
  CHECK(s.definition_id == "amigo");
  REQUIRE(s.timers.count("first_contact"));

  // The envelope pins the definition.
  auto events = store->ReadStream("pw-1", 1, 10);
  CHECK(events->events[0].definition.id == "amigo");
  CHECK(events->events[0].definition.hash == s.definition_hash);

  Ok(*store, "pw-1", runtime::AssignContactPerson{"vejleder-1"});
  auto refused = Run(*store, "pw-1", FireTrigger{"enrol", nlohmann::json::object()});
  CHECK(refused.status().code() == StatusCode::kRejected);
  Ok(*store, "pw-1", FireTrigger{"hold_intake", {{"age_at_entry", 30}}});
  s = StateOf(*store, "pw-1");
  CHECK(s.state == "intake");
  CHECK(s.contact_person == "vejleder-1");

  store.reset();
  testing::RawDb raw(tmp / "store");
  CHECK(raw.Get("caseload", storage::CaseloadKey("vejleder-1", "pw-1")).find("\"intake\"") !=
        std::string::npos);
  std::string count = raw.Get("counts", "state:intake");
  CHECK(static_cast<unsigned char>(count[0]) == 1);
  CHECK(raw.Get("counts", "milestone:intake_held")[0] == 1);
}

TEST_CASE("refusals are kept for auditors, with who, what, in which state and why") {
  testing::TempDir tmp;
  ManualClock clock(testing::kTestEpochMs);
  auto store = Open(tmp / "store", clock);
  Ok(*store, "pw-1", runtime::RegisterLead{"jobcenter", nlohmann::json::object(), {}, ""});
  const std::uint64_t head = store->Head().position;
  const std::uint64_t version = StateOf(*store, "pw-1").version;
  clock.Advance(60'000);
  auto refused = Run(*store, "pw-1", FireTrigger{"enrol", nlohmann::json::object()}, "vejleder-7");
  REQUIRE(refused.status().code() == StatusCode::kRejected);
  CHECK(store->Head().position == head);  // a refusal is not an event
  CHECK(Run(*store, "pw-1", runtime::ResumePathway{}).status().code() == StatusCode::kRejected);
  // Not found is not a refusal of a pathway's rules, and leaves no row.
  CHECK(Run(*store, "pw-none", runtime::RecordContact{"phone"}).status().code() ==
        StatusCode::kNotFound);

  store.reset();
  store = Open(tmp / "store", clock);
  auto kept = store->Rejections("pw-1", clock.NowMs(), 100);
  REQUIRE(kept.ok());
  REQUIRE(kept->size() == 2);
  const Rejection& r = (*kept)[0];
  CHECK(r.at == testing::kTestEpochMs + 60'000);
  CHECK(r.command == "FireTrigger");
  CHECK(r.trigger == "enrol");
  CHECK(r.actor.user == "vejleder-7");
  CHECK(r.state == "lead");
  CHECK(r.version == version);
  CHECK(r.reason == refused.status().message());
  CHECK((*kept)[1].command == "ResumePathway");
  CHECK(store->Rejections("pw-1", testing::kTestEpochMs, 100)->empty());  // --as-of before
  CHECK(store->Rejections("pw-none", clock.NowMs(), 100)->empty());
}

TEST_CASE("a backlog is staged while the previous group syncs, and nothing is lost or doubled") {
  testing::TempDir tmp;
  ManualClock clock(testing::kTestEpochMs);
  auto store = Open(tmp / "store", clock);
  constexpr int kPathways = 10;
  for (int p = 0; p < kPathways; ++p) {
    Ok(*store, "pw-" + std::to_string(p),
       runtime::RegisterLead{"jobcenter", nlohmann::json::object(), {}, ""});
  }
  std::vector<std::uint64_t> versions_before;
  for (int p = 0; p < kPathways; ++p) {
    versions_before.push_back(StateOf(*store, "pw-" + std::to_string(p)).version);
  }
  // 3,000 asynchronous contacts at once: several groups of 512, staged on top of each other.
  // Every 700th repeats an earlier command id, from a group that may still be syncing.
  constexpr int kCommands = 3000;
  std::mutex mu;
  std::condition_variable cv;
  int answered = 0;
  int duplicates = 0;
  int failures = 0;
  for (int i = 0; i < kCommands; ++i) {
    CommandRequest r;
    r.pathway_id = "pw-" + std::to_string(i % kPathways);
    r.command_id = i > 0 && i % 700 == 0 ? "contact-" + std::to_string(i - 520)
                                         : "contact-" + std::to_string(i);
    r.actor = {"vejleder-1", "counsellor"};
    r.command = runtime::RecordContact{"phone"};
    if (i % 700 == 0 && i > 0) r.pathway_id = "pw-" + std::to_string((i - 520) % kPathways);
    store->ExecuteAsync(std::move(r), [&](Result<AppendResult> result) {
      std::lock_guard lock(mu);
      if (!result.ok()) {
        ++failures;
      } else if (result->duplicate) {
        ++duplicates;
      }
      ++answered;
      cv.notify_one();
    });
  }
  {
    std::unique_lock lock(mu);
    REQUIRE(cv.wait_for(lock, std::chrono::seconds(60), [&] { return answered == kCommands; }));
  }
  CHECK(failures == 0);
  CHECK(duplicates == kCommands / 700);
  CHECK(store->Stats().batches > 0);
  std::uint64_t contacts = 0;
  for (int p = 0; p < kPathways; ++p) {
    const std::string id = "pw-" + std::to_string(p);
    contacts += StateOf(*store, id).version - versions_before[p];
    CheckReplay(*store, id);
  }
  CHECK(contacts >= static_cast<std::uint64_t>(kCommands - duplicates));  // each one or more events
  auto report = store->Verify();
  REQUIRE(report.ok());
  CHECK(report->ok);

  store.reset();  // and all of it is on disk
  store = Open(tmp / "store", clock);
  CHECK(store->Verify()->ok);
  for (int p = 0; p < kPathways; ++p) CheckReplay(*store, "pw-" + std::to_string(p));
}

TEST_CASE("the same command id is answered once, If-Match versions are checked") {
  testing::TempDir tmp;
  ManualClock clock(testing::kTestEpochMs);
  auto store = Open(tmp / "store", clock);
  CommandRequest r;
  r.pathway_id = "pw-1";
  r.participant_id = "p-1";
  r.command_id = "register-1";
  r.actor = {"vejleder-1", "counsellor"};
  r.command = runtime::RegisterLead{"jobcenter", nlohmann::json::object(), {}, ""};
  auto first = store->Execute(r);
  REQUIRE(first.ok());
  auto again = store->Execute(r);
  REQUIRE(again.ok());
  CHECK(again->duplicate);
  CHECK(store->Head().position == first->last_position);

  CommandRequest contact = r;
  contact.command_id = "contact-1";
  contact.command = runtime::RecordContact{"phone"};
  contact.expected = ExpectedVersion::Exact(1);
  auto stale = store->Execute(contact);
  CHECK(stale.status().code() == StatusCode::kWrongExpectedVersion);
  contact.expected = ExpectedVersion::Exact(first->last_version);
  CHECK(store->Execute(contact).ok());

  // With a fingerprint (the server's hash of an HTTP request), the same command id is a
  // duplicate only for the same request; another request under it is a conflict.
  CommandRequest keyed = r;
  keyed.command_id = "idempotency-key-1";
  keyed.command = runtime::RecordContact{"phone"};
  keyed.fingerprint = "hash-of-request-a";
  auto done = store->Execute(keyed);
  REQUIRE(done.ok());
  auto same = store->Execute(keyed);
  REQUIRE(same.ok());
  CHECK(same->duplicate);
  CHECK(same->last_version == done->last_version);
  keyed.fingerprint = "hash-of-request-b";
  CHECK(store->Execute(keyed).status().code() == StatusCode::kConflict);
  store.reset();  // and after a restart, from the stored row
  store = Open(tmp / "store", clock);
  CHECK(store->Execute(keyed).status().code() == StatusCode::kConflict);
  keyed.fingerprint = "hash-of-request-a";
  CHECK(store->Execute(keyed)->duplicate);
}

TEST_CASE("timers fire through the writer, and a restart before the due time loses none") {
  testing::TempDir tmp;
  ManualClock clock(testing::kTestEpochMs);
  TimestampMs due = 0;
  {
    auto store = Open(tmp / "store", clock);
    Ok(*store, "pw-1", runtime::RegisterLead{"jobcenter", nlohmann::json::object(), {}, ""});
    due = StateOf(*store, "pw-1").timers.at("first_contact").due_at;
    clock.Set(due - 1);
    auto early = runtime::FireDueTimers(*store, *store, clock.NowMs(), 100);
    REQUIRE(early.ok());
    CHECK(early->due == 0);
  }  // the process "restarts" here
  clock.Set(due + 1000);
  auto store = Open(tmp / "store", clock);
  auto sweep = runtime::FireDueTimers(*store, *store, clock.NowMs(), 100);
  REQUIRE(sweep.ok());
  CHECK(sweep->fired == 1);
  runtime::PathwayState s = StateOf(*store, "pw-1");
  CHECK_FALSE(s.timers.count("first_contact"));
  REQUIRE(s.open_risks.size() == 1);
  CHECK(s.open_risks.begin()->second.type == "no_contact");
  CHECK(s.open_risks.begin()->second.raised_by == "system");
  auto again = runtime::FireDueTimers(*store, *store, clock.NowMs(), 100);
  CHECK(again->due == 0);
  CheckReplay(*store, "pw-1");
}

TEST_CASE("the scheduler thread fires what falls due, on its own and when poked") {
  testing::TempDir tmp;
  ManualClock clock(testing::kTestEpochMs);
  auto store = Open(tmp / "store", clock);
  runtime::TimerScheduler scheduler(*store, *store, clock, {/*poll_ms=*/20, /*batch_size=*/2});
  scheduler.Start();
  for (const char* id : {"pw-1", "pw-2", "pw-3"}) {
    Ok(*store, id, runtime::RegisterLead{"jobcenter", nlohmann::json::object(), {}, ""});
  }
  const TimestampMs due = StateOf(*store, "pw-1").timers.at("first_contact").due_at;
  auto next = store->NextTimerDue();
  REQUIRE(next.ok());
  REQUIRE(next->has_value());
  CHECK(**next <= due);

  scheduler.SweepAndWait();
  CHECK(StateOf(*store, "pw-1").timers.count("first_contact") == 1);  // not due yet

  SUBCASE("poked after the clock moved: three timers in sweeps of two") {
    clock.Set(due);
    scheduler.SweepAndWait();
    scheduler.SweepAndWait();
  }
  SUBCASE("not poked: the poll interval finds them") {
    clock.Set(due);
    for (int i = 0; i < 500 && scheduler.stats().fired < 3; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
  CHECK(scheduler.stats().fired == 3);
  CHECK(scheduler.stats().failures == 0);
  for (const char* id : {"pw-1", "pw-2", "pw-3"}) {
    CHECK(StateOf(*store, id).timers.count("first_contact") == 0);
    CheckReplay(*store, id);
  }
  scheduler.Stop();
  scheduler.Stop();  // idempotent
}

TEST_CASE("a contact moves the timer row, the scheduler never fires the old one") {
  testing::TempDir tmp;
  ManualClock clock(testing::kTestEpochMs);
  auto store = Open(tmp / "store", clock);
  Ok(*store, "pw-1", runtime::RegisterLead{"jobcenter", nlohmann::json::object(), {}, ""});
  const TimestampMs first_due = StateOf(*store, "pw-1").timers.at("first_contact").due_at;
  clock.Advance(3 * 86'400'000);
  Ok(*store, "pw-1", runtime::RecordContact{"phone"});
  clock.Set(first_due);
  auto sweep = runtime::FireDueTimers(*store, *store, clock.NowMs(), 100);
  CHECK(sweep->due == 0);
  CHECK(StateOf(*store, "pw-1").open_risks.empty());
}

TEST_CASE("every stored pathway replays to its stored state byte for byte") {
  testing::TempDir tmp;
  ManualClock clock(testing::kTestEpochMs);
  auto store = Open(tmp / "store", clock);
  for (int i = 0; i < 12; ++i) {
    const std::string id = "pw-" + std::to_string(i);
    Ok(*store, id, runtime::RegisterLead{"jobcenter", {{"unemployed", i % 2 == 0}}, {}, ""});
    Ok(*store, id, runtime::AssignContactPerson{"vejleder-" + std::to_string(i % 3)});
    Ok(*store, id, FireTrigger{"hold_intake", {{"age_at_entry", 20 + i * 2}}});
    if (i % 3 == 0) Ok(*store, id, runtime::RaiseRisk{"barrier_reported", ""});
    if (i % 4 == 0) Ok(*store, id, runtime::PausePathway{"illness"});
    clock.Advance(86'400'000);
  }
  clock.Advance(40LL * 86'400'000);
  REQUIRE(runtime::FireDueTimers(*store, *store, clock.NowMs(), 1000).ok());
  for (int i = 0; i < 12; ++i) CheckReplay(*store, "pw-" + std::to_string(i));
  auto report = store->Verify();
  REQUIRE(report.ok());
  CHECK(report->ok);
}

}  // namespace
}  // namespace pathways

namespace pathways {
namespace {

TEST_CASE("a store of format 1 is upgraded on open: its JSON state rows read, new rows binary") {
  testing::TempDir tmp;
  ManualClock clock(testing::kTestEpochMs);
  runtime::PathwayState before;
  {
    auto store = Open(tmp / "store", clock);
    Ok(*store, "pw-1", runtime::RegisterLead{"jobcenter", nlohmann::json::object(), {}, ""});
    Ok(*store, "pw-1", runtime::AssignContactPerson{"vejleder-1"});
    before = StateOf(*store, "pw-1");
  }
  runtime::PathwayState old_state = before;  // as an older build reads it: no path
  old_state.entered.clear();
  old_state.contacts = 0;
  old_state.personal_at.clear();
  auto format_of = [&](testing::RawDb& raw) {
    const std::string value = raw.Get("meta", std::string(storage::meta::kFormatVersion));
    codec::ByteReader r(value);
    std::uint32_t v = 0;
    REQUIRE(r.GetLittle(v));
    return v;
  };
  {
    // What a build of format 1 left: the state as canonical JSON (without the path format 4
    // keeps), no report rows, the store marked 1.
    testing::RawDb raw(tmp / "store");
    nlohmann::json old = before.ToJson();
    for (const char* key : {"entered", "contacts", "personal_at"}) old.erase(key);
    raw.Put("pathways", "pw-1",
            std::string(1, static_cast<char>(storage::kPathwayValueFormatJson)) + old.dump());
    raw.Clear("reports");
    raw.Clear("report_history");
    std::string v;
    codec::PutU32(v, 1);
    raw.Put("meta", std::string(storage::meta::kFormatVersion), v);
  }
  {
    storage::StoreOptions o;
    o.dir = tmp / "store";
    o.read_only = true;
    auto reader = storage::RocksEventStore::Open(o);
    REQUIRE(reader.ok());
    CHECK(StateOf(**reader, "pw-1").ToJson() == old_state.ToJson());
  }
  {
    testing::RawDb raw(tmp / "store");
    CHECK(format_of(raw) == 1);  // reading changes nothing
  }
  {
    // Opened for writing, the path and the report rows are rebuilt from the log.
    auto store = Open(tmp / "store", clock);
    CHECK(StateOf(*store, "pw-1").ToJson() == before.ToJson());
    std::vector<std::string> reported;
    REQUIRE(store
                ->VisitReportRows(std::nullopt,
                                  [&](const runtime::PathwayState& row) {
                                    reported.push_back(row.pathway_id);
                                    CHECK(row.entered.count("lead"));
                                    return true;
                                  })
                .ok());
    CHECK(reported == std::vector<std::string>{"pw-1"});
    CHECK(store->VisitReportRows(1, [](const auto&) { return true; }).ok());
    Ok(*store, "pw-1", FireTrigger{"hold_intake", {{"age_at_entry", 30}}});
    CheckReplay(*store, "pw-1");
  }
  testing::RawDb raw(tmp / "store");
  CHECK(format_of(raw) == storage::kStoreFormatVersion);
  CHECK(static_cast<std::uint8_t>(raw.Get("pathways", "pw-1")[0]) == storage::kPathwayValueFormat);
}

TEST_CASE("a pathway migrates to a new version only with every state mapped") {
  testing::TempDir tmp;
  ManualClock clock(testing::kTestEpochMs);
  // Version 5: the shipped pathway (version 4) with another version number (a changed hash).
  auto v5 = workflows::LoadDefinition(testing::AmigoAsVersion(5), "amigo-v5.yaml");
  REQUIRE(v5.definition);

  auto catalog = Catalog();
  auto store = testing::OpenWithDefinitions(tmp / "store", clock, catalog);
  Ok(*store, "pw-1", runtime::RegisterLead{"jobcenter", nlohmann::json::object(), {}, ""});
  Ok(*store, "pw-1", runtime::AssignContactPerson{"vejleder-1"});
  catalog->Add(v5.definition);  // loaded later, as a reload would

  std::map<std::string, std::string> mapping;
  for (const auto& s : v5.definition->states) mapping[s.id] = s.id;
  auto partial = mapping;
  partial.erase("final_exam");
  auto refused = Run(*store, "pw-1", runtime::MigratePathway{5, partial});
  CHECK(refused.status().message() == "the mapping leaves states unmapped: final_exam");
  auto wrong = mapping;
  wrong["lead"] = "nowhere";
  CHECK(Run(*store, "pw-1", runtime::MigratePathway{5, wrong})
            .status()
            .message()
            .find("maps to nowhere") != std::string::npos);
  CHECK(Run(*store, "pw-1", runtime::MigratePathway{6, mapping}).status().message() ==
        "amigo version 6 is not loaded");

  Ok(*store, "pw-1", runtime::MigratePathway{5, mapping});
  runtime::PathwayState s = StateOf(*store, "pw-1");
  CHECK(s.definition_version == 5);
  CHECK(s.definition_hash == v5.definition->hash);
  CHECK(s.state == "lead");
  CHECK(s.timers.count("first_contact"));  // re-armed under version 5
  auto last = store->ReadStream("pw-1", s.version, 1);
  CHECK(last->events[0].definition.version == 5);
  Ok(*store, "pw-1", FireTrigger{"hold_intake", {{"age_at_entry", 30}}});
  CHECK(StateOf(*store, "pw-1").state == "intake");
  CheckReplay(*store, "pw-1");
}

}  // namespace
}  // namespace pathways

namespace pathways {
namespace {

TEST_CASE("after a forget the pathway goes on: its state follows the erasure event") {
  testing::TempDir tmp;
  ManualClock clock(testing::kTestEpochMs);
  auto store = Open(tmp / "store", clock);
  Ok(*store, "pw-1",
     runtime::RegisterLead{"jobcenter",
                           nlohmann::json::object(),
                           {{PersonalScope::kIdentity, {{"name", "Maja Jensen"}}}},
                           "vejleder-1"});
  EraseRequest erase;
  erase.participant_id = "p-pw-1";
  erase.scopes = {PersonalScope::kIdentity, PersonalScope::kGuidance};
  erase.command_id = "forget-1";
  erase.actor = {"admin", "administrator"};
  auto erased = store->ErasePersonalData(erase);
  REQUIRE_MESSAGE(erased.ok(), erased.status().ToString());
  CHECK(StateOf(*store, "pw-1").version == erased->last_version);
  Ok(*store, "pw-1", FireTrigger{"hold_intake", {{"age_at_entry", 30}}});
  CHECK(StateOf(*store, "pw-1").state == "intake");
  CheckReplay(*store, "pw-1");
  // The same after a reopen (the state row, not only the writer's cache, follows).
  store.reset();
  store = Open(tmp / "store", clock);
  Ok(*store, "pw-1", FireTrigger{"request_rkv", nlohmann::json::object()});
  CheckReplay(*store, "pw-1");
}

TEST_CASE("data recorded after registration: who, when, why, the old value kept until erased") {
  testing::TempDir tmp;
  ManualClock clock(testing::kTestEpochMs);
  auto store = Open(tmp / "store", clock);
  Ok(*store, "pw-1",
     runtime::RegisterLead{"jobcenter",
                           {{"danish_math_02", false}},
                           {{PersonalScope::kIdentity, {{"name", "Maja Jensn"}}}},
                           "vejleder-1"});

  // A plain field after a test, and a typo in the name: each with why.
  runtime::RecordData test;
  test.fields = {{"danish_math_02", true}};
  test.reason = "02 i dansk og matematik efter prøven";
  Ok(*store, "pw-1", test);
  CHECK(StateOf(*store, "pw-1").data["danish_math_02"] == true);
  runtime::RecordData name;
  name.personal[PersonalScope::kIdentity] = {{"name", "Maja Jensen"}};
  name.personal[PersonalScope::kGuidance] = {{"note", "Fortalte om ordblindhed"}};
  name.reason = "stavefejl i navnet; fortalt ved 2. samtale";
  Ok(*store, "pw-1", name);

  auto stream = store->ReadStream("pw-1", 1, 100);
  REQUIRE(stream.ok());
  std::vector<nlohmann::json> recorded;
  for (const auto& e : stream->events) {
    if (e.type == "DataRecorded") recorded.push_back(nlohmann::json::parse(e.data));
  }
  REQUIRE(recorded.size() == 2);
  CHECK(recorded[0]["fields"] == nlohmann::json{{"danish_math_02", true}});
  CHECK(recorded[0]["previous"] == nlohmann::json{{"danish_math_02", false}});
  CHECK(recorded[1]["personal"] == nlohmann::json::array({"identity.name", "guidance.note"}));
  CHECK(recorded[1].dump().find("Maja") == std::string::npos);  // the values are sealed

  auto now = ReadPersonal(*store, "pw-1", {PersonalScope::kIdentity, PersonalScope::kGuidance});
  REQUIRE(now.ok());
  CHECK(now->fields[PersonalScope::kIdentity]["name"] == "Maja Jensen");
  CHECK(now->fields[PersonalScope::kGuidance]["note"] == "Fortalte om ordblindhed");
  CheckReplay(*store, "pw-1");

  // Refused, and nothing written: no reason, an unknown field, a value of the wrong type.
  const std::uint64_t version = StateOf(*store, "pw-1").version;
  runtime::RecordData bad;
  bad.fields = {{"danish_math_02", true}};
  CHECK(Run(*store, "pw-1", bad).status().code() == StatusCode::kInvalidArgument);
  bad.reason = "fejl";
  bad.fields = {{"danish_math", true}};
  CHECK(Run(*store, "pw-1", bad).status().message().find("not defined") != std::string::npos);
  bad.fields = {{"track", "EUV4"}};
  CHECK(Run(*store, "pw-1", bad).status().code() == StatusCode::kInvalidArgument);
  bad.fields = nlohmann::json::object();
  CHECK(Run(*store, "pw-1", bad).status().code() == StatusCode::kInvalidArgument);
  CHECK(StateOf(*store, "pw-1").version == version);

  // Erasing the identity scope erases the old name with the new.
  EraseRequest erase;
  erase.participant_id = "p-pw-1";
  erase.scopes = {PersonalScope::kIdentity};
  erase.command_id = "forget-1";
  erase.actor = {"admin", "administrator"};
  REQUIRE(store->ErasePersonalData(erase).ok());
  auto after = ReadPersonal(*store, "pw-1", {PersonalScope::kIdentity});
  REQUIRE(after.ok());
  CHECK(after->erased.count(PersonalScope::kIdentity) == 1);
  CHECK(after->fields.count(PersonalScope::kIdentity) == 0);
}

}  // namespace
}  // namespace pathways

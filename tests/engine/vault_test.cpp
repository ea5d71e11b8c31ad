// The personal-data vault: encryption at rest, the master key outside the store, erasure by
// key destruction that leaves the chain intact and the key bytes gone from every file.

#include <doctest/doctest.h>
#include <sys/stat.h>

#include "engine/codec/bytes.hpp"
#include "engine/storage/export.hpp"
#include "engine/storage/master_key.hpp"
#include "engine/storage/store_format.hpp"
#include "tests/support/raw_db.hpp"
#include "tests/support/temp_store.hpp"

namespace pathways {
namespace {

using testing::OpenStore;
using testing::Request;
using testing::TempDir;

constexpr const char* kName = "Karen Blixen-Testperson";
constexpr const char* kCpr = "170385-1234";
constexpr const char* kBarrier = "ordblindhed-meget-hemmelig";
constexpr const char* kPlainMarker = "plain-marker-visible-in-files";

AppendRequest Lead(const std::string& participant, const std::string& command) {
  AppendRequest r =
      Request("pw-" + participant, command, ExpectedVersion::NoStream(), "LeadRegistered");
  r.participant_id = participant;
  r.events[0].data = {{"referral_source", kPlainMarker}};
  r.events[0].personal[PersonalScope::kIdentity] = {{"name", kName}, {"cpr", kCpr}};
  r.events[0].personal[PersonalScope::kGuidance] = {{"barriers", {kBarrier}}};
  return r;
}

std::string ExportAll(const storage::RocksEventStore& store, bool personal) {
  char* buf = nullptr;
  std::size_t size = 0;
  std::FILE* f = open_memstream(&buf, &size);
  ExportOptions o;
  o.include_personal = personal;
  auto lines = storage::ExportLog(store, o, f);
  std::fclose(f);
  std::string out(buf, size);
  std::free(buf);
  REQUIRE_MESSAGE(lines.ok(), lines.status().ToString());
  return out;
}

std::vector<nlohmann::json> Lines(const std::string& text) {
  std::vector<nlohmann::json> out;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    out.push_back(nlohmann::json::parse(text.substr(start, end - start)));
    start = end + 1;
  }
  return out;
}

TEST_CASE("a new store gets a master key file beside it, mode 0600") {
  TempDir tmp;
  ManualClock clock(testing::kTestEpochMs);
  auto store = OpenStore(tmp / "store", clock);
  struct stat st {};
  REQUIRE(::stat((tmp / "store.master-key").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  CHECK(storage::LoadMasterKey(tmp / "store.master-key").ok());
}

TEST_CASE("no plaintext personal data in any file of the store") {
  TempDir tmp;
  ManualClock clock(testing::kTestEpochMs);
  auto store = OpenStore(tmp / "store", clock);
  REQUIRE(store->Append(Lead("p-1", "c1")).ok());

  // In the write-ahead log first, then in table files: both are searched.
  std::string files = testing::ReadAllFiles(tmp / "store");
  REQUIRE(files.find(kPlainMarker) != std::string::npos);  // the search does see content
  CHECK(files.find(kName) == std::string::npos);
  CHECK(files.find(kCpr) == std::string::npos);
  CHECK(files.find(kBarrier) == std::string::npos);

  REQUIRE(store->Flush().ok());
  files = testing::ReadAllFiles(tmp / "store");
  CHECK(files.find(kName) == std::string::npos);
  CHECK(files.find(kCpr) == std::string::npos);
  CHECK(files.find(kBarrier) == std::string::npos);

  // Decrypted only for who holds the master key.
  auto events = store->ReadAll(1, 10);
  REQUIRE(events.ok());
  auto revealed = store->RevealPersonal(events->events[0]);
  REQUIRE(revealed.ok());
  REQUIRE(revealed->size() == 2);
  CHECK((*revealed)[0].fields->at("name") == kName);
  CHECK((*revealed)[1].fields->at("barriers")[0] == kBarrier);
}

TEST_CASE("export shows personal data only when asked, and erased once its key is gone") {
  TempDir tmp;
  ManualClock clock(testing::kTestEpochMs);
  auto store = OpenStore(tmp / "store", clock);
  REQUIRE(store->Append(Lead("p-1", "c1")).ok());
  REQUIRE(store->Append(Lead("p-2", "c2")).ok());

  auto sealed = Lines(ExportAll(*store, false));
  REQUIRE(sealed.size() == 2);
  CHECK(sealed[0]["personal"]["identity"] == nlohmann::json{{"encrypted", true}});
  for (const char* key : {"position", "stream_id", "version", "participant_id", "type",
                          "occurred_at", "data", "personal", "hash", "prev_hash"}) {
    CHECK_MESSAGE(sealed[0].contains(key), key);
  }
  CHECK(sealed[0]["occurred_at"] == "2026-03-02T08:00:00.000Z");
  CHECK(sealed[0]["data"]["referral_source"] == kPlainMarker);

  auto open = Lines(ExportAll(*store, true));
  CHECK(open[0]["personal"]["identity"]["name"] == kName);

  SUBCASE("guidance only") {
    EraseRequest erase{"p-1",
                       {PersonalScope::kGuidance},
                       "forget-1",
                       {"admin", "administrator"},
                       "consent withdrawn"};
    auto erased = store->ErasePersonalData(erase);
    REQUIRE(erased.ok());
    CHECK(erased->first_position == 3);
    auto lines = Lines(ExportAll(*store, true));
    CHECK(lines[0]["personal"]["guidance"] == nlohmann::json{{"erased", true}});
    CHECK(lines[0]["personal"]["identity"]["cpr"] == kCpr);
    CHECK(lines[1]["personal"]["guidance"]["barriers"][0] == kBarrier);  // p-2 untouched
    CHECK(lines[2]["type"] == "PersonalDataErased");
    CHECK(lines[2]["data"]["scopes"] == nlohmann::json::array({"guidance"}));
  }
  SUBCASE("everything") {
    EraseRequest erase{"p-1",
                       {PersonalScope::kGuidance, PersonalScope::kIdentity},
                       "forget-2",
                       {"admin", "administrator"},
                       ""};
    REQUIRE(store->ErasePersonalData(erase).ok());
    auto lines = Lines(ExportAll(*store, true));
    CHECK(lines[0]["personal"] ==
          nlohmann::json{{"identity", {{"erased", true}}}, {"guidance", {{"erased", true}}}});
    // New personal data after erasure gets a new key; the old stays unreadable.
    AppendRequest later = Request("pw-p-1", "c3", ExpectedVersion::Any(), "ContactRecorded");
    later.participant_id = "p-1";
    later.events[0].personal[PersonalScope::kGuidance] = {{"note", "new note"}};
    REQUIRE(store->Append(later).ok());
    lines = Lines(ExportAll(*store, true));
    CHECK(lines[0]["personal"]["guidance"] == nlohmann::json{{"erased", true}});
    CHECK(lines.back()["personal"]["guidance"]["note"] == "new note");
  }
  auto report = store->Verify();
  REQUIRE(report.ok());
  CHECK(report->ok);
}

TEST_CASE("forget removes the key bytes from every file under the store") {
  TempDir tmp;
  ManualClock clock(testing::kTestEpochMs);
  const std::string dir = tmp / "store";
  auto store = OpenStore(dir, clock);
  REQUIRE(store->Append(Lead("p-1", "c1")).ok());
  REQUIRE(store->Append(Lead("p-2", "c2")).ok());
  REQUIRE(store->Flush().ok());  // the key rows now sit in table files as well as the log
  store.reset();

  std::string wrapped_guidance;
  std::string wrapped_identity;
  {
    testing::RawDb raw(dir);
    // A live key row: format, generation, state, nonce[12], wrapped key[48].
    wrapped_guidance =
        raw.Get("keys", storage::DataKeyKey("p-1", PersonalScope::kGuidance)).substr(6);
    wrapped_identity =
        raw.Get("keys", storage::DataKeyKey("p-1", PersonalScope::kIdentity)).substr(6);
  }
  REQUIRE(wrapped_guidance.size() == 60);
  REQUIRE(testing::ReadAllFiles(dir).find(wrapped_guidance) != std::string::npos);

  store = OpenStore(dir, clock);
  EraseRequest erase{"p-1", {PersonalScope::kGuidance}, "forget-1", {"admin", "administrator"}, ""};
  REQUIRE(store->ErasePersonalData(erase).ok());
  REQUIRE(store->PurgeErasedKeys().ok());
  std::string files = testing::ReadAllFiles(dir);
  CHECK(files.find(wrapped_guidance) == std::string::npos);
  CHECK(files.find(wrapped_identity) != std::string::npos);  // not asked to erase that one

  store.reset();
  store = OpenStore(dir, clock);
  auto report = store->Verify();
  REQUIRE(report.ok());
  CHECK(report->ok);
  CHECK(report->events == 3);
}

TEST_CASE("forget refuses a participant the store does not know") {
  TempDir tmp;
  ManualClock clock(testing::kTestEpochMs);
  auto store = OpenStore(tmp / "store", clock);
  EraseRequest erase{"p-unknown", {PersonalScope::kGuidance}, "f", {"admin", "administrator"}, ""};
  auto r = store->ErasePersonalData(erase);
  CHECK(r.status().code() == StatusCode::kNotFound);
  CHECK(store->Head().position == 0);
}

}  // namespace
}  // namespace pathways

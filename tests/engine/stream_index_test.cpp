// The stream index of store format 5: one row per append or command, a run of versions at
// consecutive positions. Reads find a version inside a run, verify checks every run, and a
// store of format 4 (one row per event, the same bytes as a run of one) reads and verifies as
// it is, and is written on in format 5.

#include <doctest/doctest.h>

#include "engine/codec/bytes.hpp"
#include "engine/storage/store_format.hpp"
#include "tests/support/raw_db.hpp"
#include "tests/support/temp_store.hpp"

namespace pathways {
namespace {

using storage::StreamKey;
using testing::OpenStore;
using testing::RawDb;
using testing::Request;
using testing::TempDir;

// An append of `n` events to `stream`.
AppendRequest Many(const std::string& stream, const std::string& command, int n) {
  AppendRequest r = Request(stream, command);
  for (int i = 1; i < n; ++i) r.events.push_back(r.events.front());
  return r;
}

// Positions 1-3: pw-a v1-3; 4: pw-b v1; 5-9: pw-a v4-8; 10: pw-a v9.
void FillRuns(const std::string& dir) {
  ManualClock clock(testing::kTestEpochMs);
  auto store = OpenStore(dir, clock);
  REQUIRE(store->Append(Many("pw-a", "c1", 3)).ok());
  REQUIRE(store->Append(Many("pw-b", "c2", 1)).ok());
  REQUIRE(store->Append(Many("pw-a", "c3", 5)).ok());
  REQUIRE(store->Append(Many("pw-a", "c4", 1)).ok());
}

std::vector<std::uint64_t> Positions(const StreamPage& page) {
  std::vector<std::uint64_t> out;
  for (const RecordedEvent& e : page.events) out.push_back(e.position);
  return out;
}

VerifyReport VerifyRuns(const std::string& dir) {
  auto store = testing::OpenReadOnly(dir, /*with_key=*/false);
  auto report = store->Verify({.segments = 2});
  REQUIRE_MESSAGE(report.ok(), report.status().ToString());
  return *report;
}

TEST_CASE("stream index: a row per append, and reads from anywhere inside a run") {
  TempDir tmp;
  FillRuns(tmp / "store");
  {
    RawDb raw(tmp / "store");
    CHECK(raw.Get("streams", StreamKey("pw-a", 1)).size() == 12);         // position and count 3
    CHECK_FALSE(raw.Has("streams", StreamKey("pw-a", 2)));                // inside the run: no row
    CHECK(raw.Get("streams", StreamKey("pw-b", 1)) == codec::BigU64(4));  // a run of one
    CHECK(raw.Get("streams", StreamKey("pw-a", 4)).size() == 12);
  }
  ManualClock clock(testing::kTestEpochMs);
  auto store = OpenStore(tmp / "store", clock);
  CHECK(*store->StreamVersion("pw-a") == 9);
  CHECK(*store->StreamVersion("pw-b") == 1);
  CHECK(*store->StreamVersion("pw-none") == 0);

  auto all = store->ReadStream("pw-a", 1, 100);
  REQUIRE(all.ok());
  CHECK(Positions(*all) == std::vector<std::uint64_t>{1, 2, 3, 5, 6, 7, 8, 9, 10});
  CHECK(all->next_version == 0);
  for (std::uint64_t v = 1; v <= 9; ++v) CHECK(all->events[v - 1].version == v);

  // Pages that start and end inside runs.
  auto middle = store->ReadStream("pw-a", 2, 3);
  REQUIRE(middle.ok());
  CHECK(Positions(*middle) == std::vector<std::uint64_t>{2, 3, 5});
  CHECK(middle->next_version == 5);
  auto rest = store->ReadStream("pw-a", middle->next_version, 100);
  CHECK(Positions(*rest) == std::vector<std::uint64_t>{6, 7, 8, 9, 10});
  auto exact = store->ReadStream("pw-a", 4, 5);  // ends with the run
  CHECK(Positions(*exact) == std::vector<std::uint64_t>{5, 6, 7, 8, 9});
  CHECK(exact->next_version == 9);
  CHECK(store->ReadStream("pw-a", 10, 10)->events.empty());

  // One version at a time: a run's first, one inside it, its last, the stream's last.
  for (auto [version, position, next] : std::vector<std::array<std::uint64_t, 3>>{
           {1, 1, 2}, {2, 2, 3}, {3, 3, 4}, {4, 5, 5}, {6, 7, 7}, {8, 9, 9}, {9, 10, 0}}) {
    auto one = store->ReadStream("pw-a", version, 1);
    REQUIRE(one.ok());
    REQUIRE(one->events.size() == 1);
    CHECK(one->events[0].position == position);
    CHECK(one->next_version == next);
  }
  CHECK(store->ReadStream("pw-a", 10, 1)->events.empty());
  CHECK(store->ReadStream("pw-b", 2, 1)->events.empty());

  // The writer picks up where the runs end.
  auto next = store->Append(Many("pw-a", "c5", 2));
  REQUIRE(next.ok());
  CHECK(next->first_version == 10);
  CHECK(next->first_position == 11);
  store.reset();
  VerifyReport report = VerifyRuns(tmp / "store");
  CHECK(report.ok);
  CHECK(report.events == 12);
  CHECK(report.index_rows == 5);
}

TEST_CASE("stream index: verify names a run that lies") {
  TempDir tmp;
  const std::string dir = tmp / "store";
  FillRuns(dir);
  auto run = [](std::uint64_t position, std::uint32_t count) {
    std::string v = codec::BigU64(position);
    codec::PutU32(v, count);
    return v;
  };
  SUBCASE("a run cut short leaves its last events without a row") {
    RawDb(dir).Put("streams", StreamKey("pw-a", 4), run(5, 3));
    VerifyReport r = VerifyRuns(dir);
    CHECK_FALSE(r.ok);
    CHECK(r.first_bad_position == 8);
    CHECK(r.problem.find("no stream index row") != std::string::npos);
  }
  SUBCASE("a run made longer claims another stream's event") {
    RawDb(dir).Put("streams", StreamKey("pw-a", 1), run(1, 4));
    VerifyReport r = VerifyRuns(dir);
    CHECK_FALSE(r.ok);
    CHECK(r.first_bad_position == 4);  // pw-b's event, now claimed twice
  }
  SUBCASE("a run past the end of the log") {
    RawDb(dir).Put("streams", StreamKey("pw-a", 9), run(10, 5));
    VerifyReport r = VerifyRuns(dir);
    CHECK_FALSE(r.ok);
    CHECK(r.problem.find("does not exist") != std::string::npos);
  }
  SUBCASE("a run of no events, or a row of another length") {
    RawDb(dir).Put("streams", StreamKey("pw-a", 1), run(1, 0));
    VerifyReport r = VerifyRuns(dir);
    CHECK_FALSE(r.ok);
    CHECK(r.problem.find("malformed row") != std::string::npos);
  }
  SUBCASE("a truncated row") {
    RawDb(dir).Put("streams", StreamKey("pw-a", 4), run(5, 5).substr(0, 10));
    VerifyReport r = VerifyRuns(dir);
    CHECK_FALSE(r.ok);
    CHECK(r.problem.find("malformed row") != std::string::npos);
    ManualClock clock(testing::kTestEpochMs);
    auto store = testing::OpenReadOnly(dir, /*with_key=*/false);
    CHECK(store->ReadStream("pw-a", 1, 100).status().code() == StatusCode::kCorruption);
  }
}

TEST_CASE("stream index: a store of format 4 reads and verifies as it is, and goes on in 5") {
  TempDir tmp;
  const std::string dir = tmp / "store";
  FillRuns(dir);
  {
    // What format 4 wrote: a row per event, each its position alone, and the store marked 4.
    RawDb raw(dir);
    for (auto [stream, first, position, count] :
         std::vector<std::tuple<std::string, std::uint64_t, std::uint64_t, int>>{
             {"pw-a", 1, 1, 3}, {"pw-a", 4, 5, 5}}) {
      for (int i = 0; i < count; ++i) {
        raw.Put("streams", StreamKey(stream, first + i), codec::BigU64(position + i));
      }
    }
    std::string v;
    codec::PutU32(v, 4);
    raw.Put("meta", std::string(storage::meta::kFormatVersion), v);
  }
  VerifyReport before = VerifyRuns(dir);
  CHECK(before.ok);
  CHECK(before.index_rows == 10);
  ManualClock clock(testing::kTestEpochMs);
  {
    auto store = OpenStore(dir, clock);
    auto all = store->ReadStream("pw-a", 2, 100);
    REQUIRE(all.ok());
    CHECK(Positions(*all) == std::vector<std::uint64_t>{2, 3, 5, 6, 7, 8, 9, 10});
    CHECK(*store->StreamVersion("pw-a") == 9);
    REQUIRE(store->Append(Many("pw-a", "c5", 2)).ok());
  }
  VerifyReport after = VerifyRuns(dir);
  CHECK(after.ok);
  CHECK(after.index_rows == 11);  // the old rows as they were, and one run for the new append
  RawDb raw(dir);
  const std::string stored = raw.Get("meta", std::string(storage::meta::kFormatVersion));
  codec::ByteReader format(stored);
  std::uint32_t version = 0;
  REQUIRE(format.GetLittle(version));
  CHECK(version == storage::kStoreFormatVersion);
}

}  // namespace
}  // namespace pathways

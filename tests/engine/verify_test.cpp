// The audit chain: verify passes on an intact store and names the first bad position when
// an event was altered (one byte is enough), removed, reordered or inserted, or when the
// stream index lies.

#include <doctest/doctest.h>

#include "engine/codec/bytes.hpp"
#include "engine/storage/store_format.hpp"
#include "tests/support/raw_db.hpp"
#include "tests/support/temp_store.hpp"

namespace pathways {
namespace {

using storage::EventKey;
using testing::OpenStore;
using testing::RawDb;
using testing::Request;
using testing::TempDir;

constexpr int kEvents = 20;

void Fill(const std::string& dir) {
  ManualClock clock(testing::kTestEpochMs);
  auto store = OpenStore(dir, clock);
  for (int i = 0; i < kEvents; ++i) {
    AppendRequest r = Request("pw-" + std::to_string(i % 4), "c" + std::to_string(i));
    if (i % 4 == i) r.events[0].personal[PersonalScope::kIdentity] = {{"name", "Test Person"}};
    REQUIRE(store->Append(std::move(r)).ok());
  }
}

// Verifies in one walk and in several parallel segments, which must agree.
VerifyReport VerifyAt(const std::string& dir) {
  auto store = testing::OpenReadOnly(dir, /*with_key=*/false);
  auto report = store->Verify({.segments = 1});
  REQUIRE_MESSAGE(report.ok(), report.status().ToString());
  for (std::uint64_t segments : {2, 3, 7}) {
    auto split = store->Verify({.segments = segments});
    REQUIRE(split.ok());
    CHECK_MESSAGE(split->ok == report->ok, segments << " segments");
    CHECK_MESSAGE(split->first_bad_position == report->first_bad_position,
                  segments << " segments: " << split->problem << " / " << report->problem);
    CHECK(split->events == report->events);
    CHECK(split->head.hash == report->head.hash);
  }
  return *report;
}

TEST_CASE("verify passes on an intact store, read-only and without the master key") {
  TempDir tmp;
  Fill(tmp / "store");
  VerifyReport r = VerifyAt(tmp / "store");
  CHECK(r.ok);
  CHECK(r.events == kEvents);
  CHECK(r.index_rows == kEvents);
  CHECK(r.head.position == kEvents);
}

TEST_CASE("verify names the first bad position") {
  TempDir tmp;
  const std::string dir = tmp / "store";
  Fill(dir);

  SUBCASE("one byte altered inside the data") {
    {
      RawDb raw(dir);
      std::string v = raw.Get("events", EventKey(7));
      const std::size_t at = v.find("phone");
      REQUIRE(at != std::string::npos);
      v[at] = 'P';
      raw.Put("events", EventKey(7), v);
    }
    VerifyReport r = VerifyAt(dir);
    CHECK_FALSE(r.ok);
    CHECK(r.first_bad_position == 7);
    CHECK(r.problem.find("altered") != std::string::npos);
  }
  SUBCASE("one byte altered in every possible place of one event") {
    std::string original;
    {
      RawDb raw(dir);
      original = raw.Get("events", EventKey(5));
    }
    for (std::size_t i = 0; i < original.size(); i += 7) {
      {
        RawDb raw(dir);
        std::string v = original;
        v[i] = static_cast<char>(v[i] ^ 0x01);
        raw.Put("events", EventKey(5), v);
      }
      VerifyReport r = VerifyAt(dir);
      CHECK_FALSE(r.ok);
      // A flipped own hash is seen at 5; nothing may pass or be blamed earlier.
      CHECK_MESSAGE(r.first_bad_position == 5, "byte " << i << ": " << r.problem);
    }
  }
  SUBCASE("an event removed") {
    {
      RawDb raw(dir);
      raw.Delete("events", EventKey(9));
    }
    VerifyReport r = VerifyAt(dir);
    CHECK_FALSE(r.ok);
    CHECK(r.first_bad_position == 9);
    CHECK(r.problem.find("missing") != std::string::npos);
  }
  SUBCASE("the last event removed") {
    {
      RawDb raw(dir);
      raw.Delete("events", EventKey(kEvents));
    }
    VerifyReport r = VerifyAt(dir);
    CHECK_FALSE(r.ok);
    CHECK(r.first_bad_position == kEvents);
  }
  SUBCASE("two events swapped") {
    {
      RawDb raw(dir);
      std::string a = raw.Get("events", EventKey(3));
      std::string b = raw.Get("events", EventKey(4));
      raw.Put("events", EventKey(3), b);
      raw.Put("events", EventKey(4), a);
    }
    VerifyReport r = VerifyAt(dir);
    CHECK_FALSE(r.ok);
    CHECK(r.first_bad_position == 3);
  }
  SUBCASE("an event inserted after the head") {
    {
      RawDb raw(dir);
      raw.Put("events", EventKey(kEvents + 1), raw.Get("events", EventKey(kEvents)));
    }
    VerifyReport r = VerifyAt(dir);
    CHECK_FALSE(r.ok);
    CHECK(r.first_bad_position == kEvents + 1);
  }
  SUBCASE("a stream index row removed") {
    {
      RawDb raw(dir);
      raw.Delete("streams", storage::StreamKey("pw-2", 3));
    }
    VerifyReport r = VerifyAt(dir);
    CHECK_FALSE(r.ok);
    CHECK(r.first_bad_position == 11);  // pw-2's third event: positions 3, 7, 11
    CHECK(r.problem.find("no stream index row") != std::string::npos);
  }
  SUBCASE("a stream index row pointing elsewhere") {
    {
      RawDb raw(dir);
      raw.Put("streams", storage::StreamKey("pw-2", 3), codec::BigU64(12));
    }
    VerifyReport r = VerifyAt(dir);
    CHECK_FALSE(r.ok);
    // Event 11 lost its row (the lowest position affected); 12 now has two.
    CHECK(r.first_bad_position == 11);
    CHECK(r.problem.find("no stream index row") != std::string::npos);
  }
  SUBCASE("a stream index row naming another version") {
    {
      RawDb raw(dir);
      raw.Delete("streams", storage::StreamKey("pw-2", 3));
      raw.Put("streams", storage::StreamKey("pw-2", 9), codec::BigU64(11));
    }
    VerifyReport r = VerifyAt(dir);
    CHECK_FALSE(r.ok);
    CHECK(r.first_bad_position == 11);
    CHECK(r.problem.find("names version 9") != std::string::npos);
  }
  SUBCASE("a stream index row pointing past the log") {
    {
      RawDb raw(dir);
      raw.Put("streams", storage::StreamKey("pw-2", 99), codec::BigU64(999));
    }
    VerifyReport r = VerifyAt(dir);
    CHECK_FALSE(r.ok);
    CHECK(r.problem.find("does not exist") != std::string::npos);
  }
}

TEST_CASE("a writable open refuses a store whose log and head disagree") {
  TempDir tmp;
  const std::string dir = tmp / "store";
  Fill(dir);
  {
    RawDb raw(dir);
    raw.Delete("events", EventKey(kEvents));
  }
  ManualClock clock(testing::kTestEpochMs);
  storage::StoreOptions o;
  o.dir = dir;
  o.clock = &clock;
  auto store = storage::RocksEventStore::Open(o);
  REQUIRE_FALSE(store.ok());
  CHECK(store.status().code() == StatusCode::kCorruption);
  CHECK(store.status().message().find("pathways verify") != std::string::npos);
}

}  // namespace
}  // namespace pathways

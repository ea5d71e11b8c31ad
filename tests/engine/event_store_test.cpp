// The event store on a real RocksDB: appends, concurrency control, idempotency, reads,
// group commit, reopening, and refusals of bad input that leave nothing behind.

#include <doctest/doctest.h>

#include <condition_variable>
#include <mutex>
#include <thread>

#include "engine/codec/event_record.hpp"
#include "tests/support/temp_store.hpp"

namespace pathways {
namespace {

using testing::AppendBatch;
using testing::OpenStore;
using testing::Request;
using testing::TempDir;

TEST_CASE("appends get positions, versions, time and a linked hash") {
  TempDir tmp;
  ManualClock clock(testing::kTestEpochMs);
  auto store = OpenStore(tmp / "store", clock);

  auto first = store->Append(Request("pw-1", "c1", ExpectedVersion::NoStream()));
  REQUIRE(first.ok());
  CHECK(first->first_position == 1);
  CHECK(first->first_version == 1);
  CHECK_FALSE(first->duplicate);

  clock.Advance(1500);
  AppendRequest two = Request("pw-1", "c2", ExpectedVersion::Exact(1));
  two.events.push_back(two.events.front());
  two.events.back().type = "RiskRaised";
  auto second = store->Append(two);
  REQUIRE(second.ok());
  CHECK(second->first_position == 2);
  CHECK(second->last_position == 3);
  CHECK(second->last_version == 3);

  auto page = store->ReadStream("pw-1", 1, 10);
  REQUIRE(page.ok());
  REQUIRE(page->events.size() == 3);
  CHECK(page->next_version == 0);
  CHECK(page->events[0].occurred_at == testing::kTestEpochMs);
  CHECK(page->events[1].occurred_at == testing::kTestEpochMs + 1500);
  CHECK(page->events[2].type == "RiskRaised");
  CHECK(page->events[2].command_id == "c2");
  CHECK(page->events[0].actor.role == "counsellor");
  CHECK(page->events[0].data == R"({"channel":"phone"})");
  CHECK(page->events[1].prev_hash == page->events[0].hash);
  CHECK(page->events[2].prev_hash == page->events[1].hash);
  CHECK(store->Head().position == 3);
  CHECK(store->Head().hash == page->events[2].hash);
}

TEST_CASE("a wrong expected version is refused with the actual version and writes nothing") {
  TempDir tmp;
  ManualClock clock(testing::kTestEpochMs);
  auto store = OpenStore(tmp / "store", clock);
  REQUIRE(store->Append(Request("pw-1", "c1")).ok());
  REQUIRE(store->Append(Request("pw-1", "c2")).ok());

  auto exact = store->Append(Request("pw-1", "c3", ExpectedVersion::Exact(1)));
  REQUIRE_FALSE(exact.ok());
  CHECK(exact.status().code() == StatusCode::kWrongExpectedVersion);
  CHECK(exact.status().message().find("its version is 2") != std::string::npos);

  auto none = store->Append(Request("pw-1", "c4", ExpectedVersion::NoStream()));
  CHECK(none.status().code() == StatusCode::kWrongExpectedVersion);

  auto missing = store->Append(Request("pw-2", "c5", ExpectedVersion::Exact(3)));
  CHECK(missing.status().code() == StatusCode::kWrongExpectedVersion);
  CHECK(missing.status().message().find("its version is 0") != std::string::npos);

  CHECK(store->Head().position == 2);
  CHECK(*store->StreamVersion("pw-1") == 2);
  CHECK(*store->StreamVersion("pw-2") == 0);
  // The refused command ids stay free for a corrected retry.
  CHECK(store->Append(Request("pw-1", "c3", ExpectedVersion::Exact(2))).ok());
}

TEST_CASE("the same command id returns the original result and writes nothing") {
  TempDir tmp;
  ManualClock clock(testing::kTestEpochMs);
  auto store = OpenStore(tmp / "store", clock);
  auto original = store->Append(Request("pw-1", "cmd-a", ExpectedVersion::NoStream()));
  REQUIRE(original.ok());

  // A retry after success: same id, and an expected version that no longer holds.
  auto retry = store->Append(Request("pw-1", "cmd-a", ExpectedVersion::NoStream()));
  REQUIRE(retry.ok());
  CHECK(retry->duplicate);
  CHECK(retry->first_position == original->first_position);
  CHECK(retry->last_version == original->last_version);
  CHECK(store->Head().position == 1);

  auto other = store->Append(Request("pw-2", "cmd-a"));
  CHECK(other.status().code() == StatusCode::kConflict);
  CHECK(store->Head().position == 1);

  SUBCASE("and remembers it across a restart") {
    store.reset();
    store = OpenStore(tmp / "store", clock);
    auto again = store->Append(Request("pw-1", "cmd-a"));
    REQUIRE(again.ok());
    CHECK(again->duplicate);
    CHECK(store->Head().position == 1);
  }
}

TEST_CASE("duplicates inside one group commit are recognised too") {
  TempDir tmp;
  ManualClock clock(testing::kTestEpochMs);
  auto store = OpenStore(tmp / "store", clock);
  std::vector<Result<AppendResult>> results;
  std::mutex mu;
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&] {
      auto r = store->Append(Request("pw-1", "same-command"));
      std::lock_guard lock(mu);
      results.push_back(std::move(r));
    });
  }
  for (auto& t : threads) t.join();
  int written = 0;
  for (auto& r : results) {
    REQUIRE(r.ok());
    written += r->duplicate ? 0 : 1;
    CHECK(r->first_position == 1);
  }
  CHECK(written == 1);
  CHECK(store->Head().position == 1);
}

TEST_CASE("malformed requests are refused before anything is written") {
  TempDir tmp;
  ManualClock clock(testing::kTestEpochMs);
  auto store = OpenStore(tmp / "store", clock);

  auto expect_invalid = [&](AppendRequest r, const char* needle) {
    auto result = store->Append(std::move(r));
    REQUIRE_FALSE(result.ok());
    CHECK(result.status().code() == StatusCode::kInvalidArgument);
    CHECK_MESSAGE(result.status().message().find(needle) != std::string::npos,
                  result.status().message());
  };
  expect_invalid(Request("", "c"), "stream id");
  expect_invalid(Request("has space", "c"), "stream id");
  expect_invalid(Request("pw-1", ""), "command id");
  AppendRequest no_events = Request("pw-1", "c");
  no_events.events.clear();
  expect_invalid(no_events, "at least one event");
  AppendRequest bad_utf8 = Request("pw-1", "c");
  bad_utf8.events[0].data = {{"note", std::string("caf\xC3", 4)}};
  expect_invalid(bad_utf8, "not valid UTF-8");
  AppendRequest not_object = Request("pw-1", "c");
  not_object.events[0].data = nlohmann::json::array({1, 2});
  expect_invalid(not_object, "must be an object");

  REQUIRE(store->Append(Request("pw-1", "ok")).ok());
  AppendRequest stranger = Request("pw-1", "c9");
  stranger.participant_id = "p-someone-else";
  expect_invalid(stranger, "another participant");
  CHECK(store->Head().position == 1);
}

TEST_CASE("reads page through a stream and through the whole log") {
  TempDir tmp;
  ManualClock clock(testing::kTestEpochMs);
  auto store = OpenStore(tmp / "store", clock);
  for (int i = 0; i < 25; ++i) {
    std::string stream = i % 2 == 0 ? "even" : "odd";
    REQUIRE(store->Append(Request(stream, "c" + std::to_string(i))).ok());
  }
  std::vector<std::uint64_t> versions;
  std::uint64_t from = 1;
  do {
    auto page = store->ReadStream("even", from, 5);
    REQUIRE(page.ok());
    for (const auto& e : page->events) versions.push_back(e.version);
    from = page->next_version;
  } while (from != 0);
  REQUIRE(versions.size() == 13);
  for (std::size_t i = 0; i < versions.size(); ++i) CHECK(versions[i] == i + 1);
  // One event at a time (point lookups rather than an iterator): the same events and pages.
  for (std::uint64_t v = 1; v <= 13; ++v) {
    auto one = store->ReadStream("even", v, 1);
    auto many = store->ReadStream("even", v, 2);
    REQUIRE(one.ok());
    REQUIRE(one->events.size() == 1);
    CHECK(one->events[0].hash == many->events[0].hash);
    CHECK(one->events[0].position == many->events[0].position);
    CHECK(one->next_version == (v < 13 ? v + 1 : 0));
  }
  CHECK(store->ReadStream("even", 0, 1)->events.at(0).version == 1);
  CHECK(store->ReadStream("even", 14, 1)->events.empty());
  CHECK(store->ReadStream("even", 14, 1)->next_version == 0);
  CHECK(store->ReadStream("nobody", 1, 1)->events.empty());

  std::vector<std::uint64_t> positions;
  std::uint64_t position = 1;
  do {
    auto page = store->ReadAll(position, 7);
    REQUIRE(page.ok());
    for (const auto& e : page->events) positions.push_back(e.position);
    position = page->next_position;
  } while (position != 0);
  REQUIRE(positions.size() == 25);
  CHECK(positions.back() == 25);
  CHECK(store->ReadStream("nobody", 1, 10)->events.empty());
}

TEST_CASE("concurrent appends are committed together and all of them are durable") {
  TempDir tmp;
  ManualClock clock(testing::kTestEpochMs);
  constexpr int kThreads = 16;
  constexpr int kEach = 40;
  {
    auto store = OpenStore(tmp / "store", clock);
    std::vector<std::thread> threads;
    std::atomic<int> failures{0};
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < kEach; ++i) {
          auto r = store->Append(Request("pw-" + std::to_string(t),
                                         "c-" + std::to_string(t) + "-" + std::to_string(i),
                                         ExpectedVersion::Exact(static_cast<std::uint64_t>(i))));
          if (!r.ok()) failures.fetch_add(1);
        }
      });
    }
    for (auto& th : threads) th.join();
    CHECK(failures.load() == 0);
    const WriterStats stats = store->Stats();
    CHECK(stats.events == kThreads * kEach);
    CHECK(stats.batches < stats.events);  // group commit happened
    // Each event is a key of its own, and a stored event holds at least its 178-byte frame.
    CHECK(stats.keys > stats.events);
    CHECK(stats.bytes > stats.events * 178);
  }
  auto store = OpenStore(tmp / "store", clock);
  CHECK(store->Head().position == kThreads * kEach);
  for (int t = 0; t < kThreads; ++t) {
    CHECK(*store->StreamVersion("pw-" + std::to_string(t)) == kEach);
  }
  auto report = store->Verify();
  REQUIRE(report.ok());
  CHECK(report->ok);
}

TEST_CASE("async appends answer once durable, in order of commit") {
  TempDir tmp;
  ManualClock clock(testing::kTestEpochMs);
  auto store = OpenStore(tmp / "store", clock);
  std::mutex mu;
  std::condition_variable cv;
  std::vector<std::uint64_t> positions;
  for (int i = 0; i < 50; ++i) {
    store->AppendAsync(Request("pw-async", "a" + std::to_string(i)), [&](Result<AppendResult> r) {
      std::lock_guard lock(mu);
      positions.push_back(r.ok() ? r->first_position : 0);
      cv.notify_all();
    });
  }
  std::unique_lock lock(mu);
  REQUIRE(cv.wait_for(lock, std::chrono::seconds(10), [&] { return positions.size() == 50; }));
  for (std::size_t i = 0; i < positions.size(); ++i) CHECK(positions[i] == i + 1);

  bool refused = false;
  store->AppendAsync(Request("bad id", "x"), [&](Result<AppendResult> r) {
    refused = r.status().code() == StatusCode::kInvalidArgument;
  });
  CHECK(refused);
}

TEST_CASE("a batch appends to many streams in one durable write, each answered in its place") {
  TempDir tmp;
  ManualClock clock(testing::kTestEpochMs);
  {
    auto store = OpenStore(tmp / "store", clock);
    REQUIRE(store->Append(Request("s-2", "first")).ok());
    const std::uint64_t batches_before = store->Stats().batches;
    std::vector<AppendRequest> requests;
    for (int i = 0; i < 300; ++i) {
      requests.push_back(Request("s-" + std::to_string(i), "b-" + std::to_string(i)));
    }
    requests[5].stream_id = "bad id";                  // refused before queueing
    requests[7].expected = ExpectedVersion::Exact(3);  // refused by the writer
    requests[9].command_id = "first";                  // used for another stream
    requests.push_back(Request("s-2", "b-again"));     // a second append to one stream
    std::vector<Result<AppendResult>> answers = AppendBatch(*store, std::move(requests));
    REQUIRE(answers.size() == 301);
    CHECK(answers[5].status().code() == StatusCode::kInvalidArgument);
    CHECK(answers[7].status().code() == StatusCode::kWrongExpectedVersion);
    CHECK(answers[9].status().code() == StatusCode::kConflict);
    std::uint64_t expected_position = 2;
    for (std::size_t i = 0; i < answers.size(); ++i) {
      if (i == 5 || i == 7 || i == 9) continue;
      REQUIRE(answers[i].ok());
      CHECK(answers[i]->first_position == expected_position++);  // in the batch's order
    }
    CHECK(answers[2]->first_version == 2);                // after the one appended before the batch
    CHECK(answers[300]->first_version == 3);              // and the batch's own, staged before it
    CHECK(store->Stats().batches == batches_before + 1);  // one synced write
    CHECK(AppendBatch(*store, {}).empty());
    std::vector<AppendRequest> too_many(EventStore::kMaxBatchAppends + 1, Request("s-x", "x"));
    for (const auto& r : AppendBatch(*store, std::move(too_many))) {
      CHECK(r.status().code() == StatusCode::kInvalidArgument);
    }
  }
  auto store = OpenStore(tmp / "store", clock);
  CHECK(store->Head().position == 1 + 298);  // 301 asked, 3 refused
  CHECK(*store->StreamVersion("s-2") == 3);
  CHECK(*store->StreamVersion("s-7") == 0);
  auto report = store->Verify();
  REQUIRE(report.ok());
  CHECK(report->ok);
}

TEST_CASE("a batch after Close is refused in every place") {
  TempDir tmp;
  ManualClock clock(testing::kTestEpochMs);
  auto store = OpenStore(tmp / "store", clock);
  store->Close();
  for (const auto& r : AppendBatch(*store, {Request("s-1", "c1"), Request("s-2", "c2")})) {
    CHECK(r.status().code() == StatusCode::kClosed);
  }
}

TEST_CASE("appends after Close are refused, not lost silently") {
  TempDir tmp;
  ManualClock clock(testing::kTestEpochMs);
  auto store = OpenStore(tmp / "store", clock);
  REQUIRE(store->Append(Request("pw-1", "c1")).ok());
  store->Close();
  auto late = store->Append(Request("pw-1", "c2"));
  CHECK(late.status().code() == StatusCode::kClosed);
}

}  // namespace
}  // namespace pathways

// Subscriptions: catch up from a checkpoint, then follow live, without gap or duplicate.

#include <doctest/doctest.h>

#include <atomic>
#include <thread>

#include "tests/support/temp_store.hpp"

namespace pathways {
namespace {

using testing::OpenStore;
using testing::Request;
using testing::TempDir;

TEST_CASE("a subscription catches up, switches to live, and misses nothing") {
  TempDir tmp;
  ManualClock clock(testing::kTestEpochMs);
  auto store = OpenStore(tmp / "store", clock);
  for (int i = 0; i < 30; ++i) {
    REQUIRE(store->Append(Request("pw-" + std::to_string(i % 3), "pre" + std::to_string(i))).ok());
  }

  auto sub = store->Subscribe(10);
  REQUIRE(sub.ok());
  constexpr int kLive = 200;
  std::atomic<int> failed_appends{0};  // counted here, checked on the test's own thread
  std::thread writers([&] {
    // Appends racing with the switch from catch-up to live.
    for (int i = 0; i < kLive; ++i) {
      if (!store->Append(Request("pw-live", "live" + std::to_string(i))).ok()) ++failed_appends;
    }
  });
  std::vector<std::uint64_t> seen;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (seen.size() < 30 - 10 + kLive && std::chrono::steady_clock::now() < deadline) {
    auto batch = (*sub)->Next(7, std::chrono::milliseconds(200));
    REQUIRE(batch.ok());
    for (const auto& e : *batch) seen.push_back(e.position);
  }
  writers.join();
  REQUIRE(failed_appends.load() == 0);
  REQUIRE(seen.size() == 30 - 10 + kLive);
  for (std::size_t i = 0; i < seen.size(); ++i) CHECK(seen[i] == 11 + i);
  CHECK((*sub)->checkpoint() == 30 + kLive);

  // Caught up: waits and returns nothing.
  auto idle = (*sub)->Next(10, std::chrono::milliseconds(20));
  REQUIRE(idle.ok());
  CHECK(idle->empty());
}

TEST_CASE("a subscriber that does not read never holds up writers") {
  TempDir tmp;
  ManualClock clock(testing::kTestEpochMs);
  auto store = OpenStore(tmp / "store", clock);
  auto slow = store->Subscribe(0);
  REQUIRE(slow.ok());
  for (int i = 0; i < 500; ++i) REQUIRE(store->Append(Request("pw", "c" + std::to_string(i))).ok());
  // It reads from the log at its own pace, later.
  auto first = (*slow)->Next(1000, std::chrono::milliseconds(0));
  REQUIRE(first.ok());
  CHECK(first->size() == 500);
}

TEST_CASE("cancel and close wake a waiting subscription") {
  TempDir tmp;
  ManualClock clock(testing::kTestEpochMs);
  auto store = OpenStore(tmp / "store", clock);
  auto sub = store->Subscribe(0);
  REQUIRE(sub.ok());
  std::thread canceller([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    (*sub)->Cancel();
  });
  auto r = (*sub)->Next(10, std::chrono::seconds(30));
  canceller.join();
  CHECK(r.status().code() == StatusCode::kClosed);

  auto other = store->Subscribe(0);
  REQUIRE(other.ok());
  std::thread closer([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    store->Close();
  });
  auto closed = (*other)->Next(10, std::chrono::seconds(30));
  closer.join();
  CHECK(closed.status().code() == StatusCode::kClosed);
}

}  // namespace
}  // namespace pathways

#pragma once
// Test support: a temporary directory and a real RocksDB store in it.

#include <doctest/doctest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <future>
#include <memory>
#include <sstream>
#include <string>

#include "engine/clock.hpp"
#include "engine/storage/rocks_event_store.hpp"

namespace pathways::testing {

class TempDir {
 public:
  TempDir() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "pathways-test-XXXXXX").string();
    REQUIRE(::mkdtemp(pattern.data()) != nullptr);
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  std::string operator/(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// 2026-03-02T08:00:00Z: a Monday, so tests that care about working days start on one.
inline constexpr TimestampMs kTestEpochMs = 1772438400000;

inline std::unique_ptr<storage::RocksEventStore> OpenStore(const std::string& dir,
                                                           const Clock& clock) {
  storage::StoreOptions o;
  o.dir = dir;
  o.create_if_missing = true;
  o.clock = &clock;
  auto store = storage::RocksEventStore::Open(o);
  REQUIRE_MESSAGE(store.ok(), store.status().ToString());
  return std::move(*store);
}

inline std::unique_ptr<storage::RocksEventStore> OpenReadOnly(const std::string& dir,
                                                              bool with_key = true) {
  storage::StoreOptions o;
  o.dir = dir;
  o.read_only = true;
  o.load_master_key = with_key;
  auto store = storage::RocksEventStore::Open(o);
  REQUIRE_MESSAGE(store.ok(), store.status().ToString());
  return std::move(*store);
}

inline AppendRequest Request(std::string stream, std::string command,
                             ExpectedVersion expected = ExpectedVersion::Any(),
                             std::string type = "ContactRecorded") {
  AppendRequest r;
  r.stream_id = std::move(stream);
  r.participant_id = "p-" + r.stream_id;
  r.expected = expected;
  r.command_id = std::move(command);
  r.actor = {"vejleder-1", "counsellor"};
  NewEvent e;
  e.type = std::move(type);
  e.data = {{"channel", "phone"}};
  r.events.push_back(std::move(e));
  return r;
}

// Every byte of every file under `dir`, concatenated: for searching raw files.
inline std::string ReadAllFiles(const std::string& dir) {
  std::string all;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    if (!entry.is_regular_file()) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    all += ss.str();
  }
  return all;
}

// Waits for a batch's answer on the test's thread.
inline std::vector<Result<AppendResult>> AppendBatch(EventStore& store,
                                                     std::vector<AppendRequest> requests) {
  // Shared: an answer after a failed wait must not reach a promise that is gone.
  auto answered = std::make_shared<std::promise<std::vector<Result<AppendResult>>>>();
  auto future = answered->get_future();
  store.AppendBatchAsync(std::move(requests), [answered](std::vector<Result<AppendResult>> r) {
    answered->set_value(std::move(r));
  });
  REQUIRE(future.wait_for(std::chrono::seconds(10)) == std::future_status::ready);
  return future.get();
}

}  // namespace pathways::testing

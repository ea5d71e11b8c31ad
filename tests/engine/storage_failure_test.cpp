// The store when the disk fails under it, through a RocksDB file system that fails on demand:
// a full disk refuses writes with a stable status and resumes by itself once there is space;
// a failed fsync stops every write until a restart, and nothing is acknowledged after it.

#include <doctest/doctest.h>
#include <rocksdb/env.h>
#include <rocksdb/file_system.h>

#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <thread>

#include "engine/personal_view.hpp"
#include "tests/support/temp_store.hpp"

namespace pathways {
namespace {

using testing::Request;
using testing::TempDir;

// Wraps the real file system; `no_space` fails every append to a file, `fail_sync` every sync,
// as a full disk and a dying one would.
class FaultyFileSystem final : public rocksdb::FileSystemWrapper {
 public:
  FaultyFileSystem() : FileSystemWrapper(rocksdb::FileSystem::Default()) {}
  const char* Name() const override { return "FaultyFileSystem"; }

  std::atomic<bool> no_space{false};
  std::atomic<bool> fail_sync{false};

  rocksdb::IOStatus NewWritableFile(const std::string& name, const rocksdb::FileOptions& options,
                                    std::unique_ptr<rocksdb::FSWritableFile>* result,
                                    rocksdb::IODebugContext* dbg) override {
    std::unique_ptr<rocksdb::FSWritableFile> file;
    rocksdb::IOStatus s = target()->NewWritableFile(name, options, &file, dbg);
    if (s.ok()) *result = std::make_unique<File>(std::move(file), *this);
    return s;
  }

 private:
  class File final : public rocksdb::FSWritableFileOwnerWrapper {
   public:
    File(std::unique_ptr<rocksdb::FSWritableFile> file, FaultyFileSystem& fs)
        : FSWritableFileOwnerWrapper(std::move(file)), fs_(fs) {}
    rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& options,
                             rocksdb::IODebugContext* dbg) override {
      if (fs_.no_space) return rocksdb::IOStatus::NoSpace("test", "No space left on device");
      return target()->Append(data, options, dbg);
    }
    rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& options,
                             const rocksdb::DataVerificationInfo& info,
                             rocksdb::IODebugContext* dbg) override {
      if (fs_.no_space) return rocksdb::IOStatus::NoSpace("test", "No space left on device");
      return target()->Append(data, options, info, dbg);
    }
    rocksdb::IOStatus Sync(const rocksdb::IOOptions& options,
                           rocksdb::IODebugContext* dbg) override {
      if (fs_.fail_sync)
        return rocksdb::IOStatus::IOError("/disk/000042.log", "Input/output error");
      return target()->Sync(options, dbg);
    }
    rocksdb::IOStatus Fsync(const rocksdb::IOOptions& options,
                            rocksdb::IODebugContext* dbg) override {
      if (fs_.fail_sync)
        return rocksdb::IOStatus::IOError("/disk/000042.log", "Input/output error");
      return target()->Fsync(options, dbg);
    }

   private:
    FaultyFileSystem& fs_;
  };
};

struct FaultyStore {
  FaultyStore() : env(rocksdb::NewCompositeEnv(fs)) {}
  std::unique_ptr<storage::RocksEventStore> Open(const std::string& dir, const Clock& clock) {
    storage::StoreOptions o;
    o.dir = dir;
    o.create_if_missing = true;
    o.clock = &clock;
    o.env = env.get();
    auto store = storage::RocksEventStore::Open(o);
    REQUIRE_MESSAGE(store.ok(), store.status().ToString());
    return std::move(*store);
  }
  std::shared_ptr<FaultyFileSystem> fs = std::make_shared<FaultyFileSystem>();
  std::unique_ptr<rocksdb::Env> env;
};

AppendRequest WithName(std::string stream, std::string command, std::string name) {
  AppendRequest r = Request(std::move(stream), std::move(command));
  r.events.front().personal[PersonalScope::kIdentity] = {{"name", std::move(name)}};
  return r;
}

// Polls the condition (each probe is cheap) until it holds or `seconds` pass.
template <typename Condition>
bool WaitFor(Condition condition, int seconds = 30) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return true;
}

TEST_CASE("a full disk refuses writes as storage full, and writing resumes once there is space") {
  TempDir tmp;
  ManualClock clock(testing::kTestEpochMs);
  FaultyStore faulty;
  auto store = faulty.Open(tmp / "store", clock);
  REQUIRE(store->Append(WithName("pw-1", "c1", "Anna")).ok());

  faulty.fs->no_space = true;
  // A new participant's data key is made for this write, which never reaches the disk.
  Result<AppendResult> refused = store->Append(WithName("pw-2", "c2", "Bo"));
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.status().code() == StatusCode::kStorageFull);
  CHECK(refused.status().message().find('/') == std::string::npos);  // names no files
  CHECK(store->Append(Request("pw-1", "c3")).status().code() == StatusCode::kStorageFull);
  // A batch fails in every place it was staged, and keeps its own refusals.
  std::vector<Result<AppendResult>> batch =
      testing::AppendBatch(*store, {Request("pw-1", "b1"), Request("bad id", "b2")});
  CHECK(batch[0].status().code() == StatusCode::kStorageFull);
  CHECK(batch[1].status().code() == StatusCode::kInvalidArgument);
  CHECK(store->Writable().code() == StatusCode::kStorageFull);
  CHECK(store->Stats().write_state == WriteState::kFull);
  CHECK(store->Stats().failed_writes >= 1);
  // Reads go on.
  CHECK(store->ReadStream("pw-1", 1, 10)->events.size() == 1);

  faulty.fs->no_space = false;
  REQUIRE(WaitFor([&] { return store->Writable().ok(); }));
  CHECK(store->Stats().write_state == WriteState::kWritable);
  CHECK(store->Stats().resumes == 1);

  // The log goes on from what was durable: no gap, and the refused command id is free.
  Result<AppendResult> again = store->Append(WithName("pw-2", "c2", "Bo"));
  REQUIRE_MESSAGE(again.ok(), again.status().ToString());
  CHECK(again->first_position == 2);
  CHECK_FALSE(again->duplicate);
  REQUIRE(store->Append(Request("pw-1", "c3")).ok());

  // After a restart everything acknowledged is there, sealed under keys that were stored.
  store.reset();
  store = testing::OpenStore(tmp / "store", clock);
  auto report = store->Verify();
  REQUIRE(report.ok());
  CHECK(report->ok);
  CHECK(report->head.position == 3);
  auto bo = ReadPersonal(*store, "pw-2", {PersonalScope::kIdentity});
  REQUIRE_MESSAGE(bo.ok(), bo.status().ToString());
  CHECK(bo->fields[PersonalScope::kIdentity]["name"] == "Bo");
}

TEST_CASE("a failed fsync stops every write until a restart, and nothing after it is kept") {
  TempDir tmp;
  ManualClock clock(testing::kTestEpochMs);
  FaultyStore faulty;
  auto store = faulty.Open(tmp / "store", clock);

  // Four writers; the disk starts failing its syncs while they write.
  std::mutex mu;
  std::map<std::uint64_t, std::string> acknowledged;  // position -> command id
  std::atomic<bool> failure_seen{false};
  std::atomic<int> acked_after_failure{0};
  std::atomic<int> other_errors{0};
  std::vector<std::thread> writers;
  for (int w = 0; w < 4; ++w) {
    writers.emplace_back([&, w] {
      for (int i = 0; i < 5000; ++i) {
        const bool failing_before = failure_seen.load();
        const std::string id = "w" + std::to_string(w) + "-" + std::to_string(i);
        Result<AppendResult> r = store->Append(Request("pw-" + std::to_string(w), id));
        if (r.ok()) {
          if (failing_before) ++acked_after_failure;
          std::lock_guard lock(mu);
          acknowledged[r->first_position] = id;
          continue;
        }
        if (r.status().code() != StatusCode::kStorageFailed ||
            r.status().message().find('/') != std::string::npos) {
          ++other_errors;
        }
        failure_seen = true;
        return;
      }
    });
  }
  REQUIRE(WaitFor([&] {
    std::lock_guard lock(mu);
    return acknowledged.size() >= 50;
  }));
  faulty.fs->fail_sync = true;
  for (auto& t : writers) t.join();
  CHECK(failure_seen);
  CHECK(acked_after_failure == 0);
  CHECK(other_errors == 0);

  // The disk works again, but what it dropped cannot be trusted: still no writes, no resume.
  faulty.fs->fail_sync = false;
  CHECK(store->Append(Request("pw-9", "later")).status().code() == StatusCode::kStorageFailed);
  CHECK(store->Writable().code() == StatusCode::kStorageFailed);
  CHECK(store->Stats().write_state == WriteState::kFailed);

  // The restart re-checks: every acknowledged append is there, the chain verifies, and
  // writing goes on after them.
  store.reset();
  store = testing::OpenStore(tmp / "store", clock);
  auto report = store->Verify();
  REQUIRE(report.ok());
  CHECK(report->ok);
  std::lock_guard lock(mu);
  REQUIRE_FALSE(acknowledged.empty());
  CHECK(report->head.position >= acknowledged.rbegin()->first);
  auto all = store->ReadAll(1, 100000);
  REQUIRE(all.ok());
  std::map<std::uint64_t, std::string> stored;
  for (const RecordedEvent& e : all->events) stored[e.position] = e.command_id;
  for (const auto& [position, id] : acknowledged) {
    CAPTURE(position);
    CHECK(stored[position] == id);
  }
  CHECK(store->Writable().ok());
  CHECK(store->Append(Request("pw-9", "after-restart")).ok());
}

}  // namespace
}  // namespace pathways

// Opening a store: bad master keys, newer formats, foreign directories and damaged files get
// a clear error and leave everything as it was.

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>

#include "engine/codec/bytes.hpp"
#include "engine/storage/store_format.hpp"
#include "tests/support/raw_db.hpp"
#include "tests/support/temp_store.hpp"

namespace pathways {
namespace {

namespace fs = std::filesystem;
using testing::OpenStore;
using testing::Request;
using testing::TempDir;

Result<std::unique_ptr<storage::RocksEventStore>> TryOpen(const std::string& dir,
                                                          const std::string& key = "",
                                                          bool create = false) {
  static ManualClock clock(testing::kTestEpochMs);
  storage::StoreOptions o;
  o.dir = dir;
  o.master_key_path = key;
  o.clock = &clock;
  o.create_if_missing = create;
  return storage::RocksEventStore::Open(o);
}

// Every file under `dir` with its size and contents: what a refused open must leave as it was.
std::map<std::string, std::string> Files(const std::string& dir) {
  std::map<std::string, std::string> out;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (!entry.is_regular_file()) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    out[entry.path().string()] =
        std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  return out;
}

void Populate(const std::string& dir) {
  ManualClock clock(testing::kTestEpochMs);
  auto store = OpenStore(dir, clock);
  REQUIRE(store->Append(Request("pw-1", "c1")).ok());
}

TEST_CASE("a missing store is not created unless asked") {
  TempDir tmp;
  auto r = TryOpen(tmp / "nothing");
  CHECK(r.status().code() == StatusCode::kNotFound);
  CHECK_FALSE(fs::exists(tmp / "nothing"));
  CHECK_FALSE(fs::exists(tmp / "nothing.master-key"));
}

TEST_CASE("a new store appears whole or not at all, a creation cut short is redone") {
  testing::TempDir tmp;
  ManualClock clock(testing::kTestEpochMs);
  // What a crash in the middle of creating leaves: a staging dir with part of a store.
  fs::create_directories(tmp / "store.creating");
  std::ofstream(tmp / "store.creating/CURRENT") << "MANIFEST-000001\n";
  CHECK(!fs::exists(tmp / "store"));
  {
    auto store = OpenStore(tmp / "store", clock);
    REQUIRE(store->Append(testing::Request("pw-1", "c1")).ok());
  }
  CHECK(!fs::exists(tmp / "store.creating"));
  auto again = OpenStore(tmp / "store", clock);
  CHECK(again->Head().position == 1);
  // An empty directory is a place for a new store too.
  fs::create_directories(tmp / "empty");
  CHECK(OpenStore(tmp / "empty", clock)->Head().position == 0);
}

TEST_CASE("a directory that is not a store is left alone") {
  TempDir tmp;
  fs::create_directories(tmp / "docs");
  std::ofstream(tmp / "docs/notes.txt") << "keep me";
  auto r = TryOpen(tmp / "docs", "", /*create=*/true);
  CHECK(r.status().code() == StatusCode::kFailedPrecondition);
  CHECK(r.status().message().find("not a Pathways store") != std::string::npos);
  CHECK(fs::directory_entry(tmp / "docs/notes.txt").file_size() == 7);
  CHECK_FALSE(fs::exists(tmp / "docs.master-key"));
}

TEST_CASE("a missing master key is an error that names the file") {
  TempDir tmp;
  Populate(tmp / "store");
  fs::rename(tmp / "store.master-key", tmp / "elsewhere.key");
  auto r = TryOpen(tmp / "store");
  CHECK(r.status().code() == StatusCode::kFailedPrecondition);
  CHECK(r.status().message().find("store.master-key") != std::string::npos);
  CHECK_FALSE(fs::exists(tmp / "store.master-key"));  // no new key was made up

  auto with_flag = TryOpen(tmp / "store", tmp / "elsewhere.key");
  CHECK(with_flag.ok());
}

TEST_CASE("a wrong master key is refused") {
  TempDir tmp;
  Populate(tmp / "store");
  Populate(tmp / "other");
  const auto before = Files(tmp / "store");
  auto r = TryOpen(tmp / "store", tmp / "other.master-key");
  CHECK(r.status().code() == StatusCode::kFailedPrecondition);
  CHECK(r.status().message().find("does not match") != std::string::npos);
  // Refused before RocksDB was opened for writing: no new MANIFEST, WAL or LOG file.
  CHECK(Files(tmp / "store") == before);
}

TEST_CASE("a master key readable by others is refused") {
  TempDir tmp;
  Populate(tmp / "store");
  fs::permissions(tmp / "store.master-key", fs::perms::group_read, fs::perm_options::add);
  auto r = TryOpen(tmp / "store");
  CHECK(r.status().code() == StatusCode::kFailedPrecondition);
  CHECK(r.status().message().find("chmod 600") != std::string::npos);
}

TEST_CASE("a store written by a newer format version is refused and not touched") {
  TempDir tmp;
  Populate(tmp / "store");
  {
    testing::RawDb raw(tmp / "store");
    std::string v;
    codec::PutU32(v, storage::kStoreFormatVersion + 1);
    raw.Put("meta", std::string(storage::meta::kFormatVersion), v);
  }
  const auto before = Files(tmp / "store");
  auto r = TryOpen(tmp / "store");
  CHECK(r.status().code() == StatusCode::kUnsupported);
  CHECK(r.status().message().find("upgrade") != std::string::npos);
  CHECK(Files(tmp / "store") == before);
  testing::RawDb raw(tmp / "store");
  std::string v = raw.Get("meta", std::string(storage::meta::kFormatVersion));
  CHECK(static_cast<unsigned char>(v[0]) == storage::kStoreFormatVersion + 1);
}

TEST_CASE("a damaged table file is reported, naming the file") {
  TempDir tmp;
  const std::string dir = tmp / "store";
  {
    ManualClock clock(testing::kTestEpochMs);
    auto store = OpenStore(dir, clock);
    for (int i = 0; i < 300; ++i) {
      REQUIRE(store->Append(Request("pw-" + std::to_string(i % 5), "c" + std::to_string(i))).ok());
    }
    REQUIRE(store->Flush().ok());
  }
  // The largest table file holds the events; flip bytes in the middle of its data blocks.
  fs::path largest;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.path().extension() == ".sst" &&
        (largest.empty() || e.file_size() > fs::file_size(largest))) {
      largest = e.path();
    }
  }
  REQUIRE_FALSE(largest.empty());
  {
    std::fstream f(largest, std::ios::in | std::ios::out | std::ios::binary);
    const auto size = static_cast<std::streamoff>(fs::file_size(largest));
    for (std::streamoff at = size / 4; at < size / 2; at += 512) {
      f.seekg(at);
      char c = 0;
      f.read(&c, 1);
      f.seekp(at);
      c = static_cast<char>(c ^ 0x5a);
      f.write(&c, 1);
    }
  }
  auto store = testing::OpenReadOnly(dir, false);
  auto report = store->Verify();
  const bool reported = !report.ok() || !report->ok;
  CHECK(reported);
  const std::string message = report.ok() ? report->problem : report.status().ToString();
  CHECK_MESSAGE(message.find(largest.filename().string()) != std::string::npos, message);
}

}  // namespace
}  // namespace pathways

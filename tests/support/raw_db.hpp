#pragma once
// Test support: the store's RocksDB opened directly, to alter it behind the store's back the
// way an attacker or a broken disk would.

#include <doctest/doctest.h>
#include <rocksdb/db.h>

#include <memory>
#include <string>
#include <vector>

#include "engine/codec/bytes.hpp"
#include "engine/storage/store_format.hpp"

namespace pathways::testing {

class RawDb {
 public:
  explicit RawDb(const std::string& dir) {
    std::vector<std::string> names;
    REQUIRE(rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), dir, &names).ok());
    std::vector<rocksdb::ColumnFamilyDescriptor> families;
    for (const auto& n : names) families.emplace_back(n, rocksdb::ColumnFamilyOptions());
    rocksdb::DB* db = nullptr;
    rocksdb::Status st = rocksdb::DB::Open(rocksdb::DBOptions(), dir, families, &handles_, &db);
    REQUIRE_MESSAGE(st.ok(), st.ToString());
    db_.reset(db);
    names_ = names;
  }
  ~RawDb() {
    for (auto* h : handles_) (void)db_->DestroyColumnFamilyHandle(h);
    (void)db_->Close();
  }

  rocksdb::ColumnFamilyHandle* cf(const std::string& name) {
    for (std::size_t i = 0; i < names_.size(); ++i) {
      if (names_[i] == name) return handles_[i];
    }
    FAIL("no column family " << name);
    return nullptr;
  }
  std::string Get(const std::string& family, const std::string& key) {
    std::string v;
    REQUIRE(db_->Get(rocksdb::ReadOptions(), cf(family), key, &v).ok());
    return v;
  }
  bool Has(const std::string& family, const std::string& key) {
    std::string v;
    return db_->Get(rocksdb::ReadOptions(), cf(family), key, &v).ok();
  }
  void Put(const std::string& family, const std::string& key, const std::string& value) {
    REQUIRE(db_->Put(rocksdb::WriteOptions(), cf(family), key, value).ok());
  }
  void Delete(const std::string& family, const std::string& key) {
    REQUIRE(db_->Delete(rocksdb::WriteOptions(), cf(family), key).ok());
  }
  // Every row of a column family, as a build that did not have it left the store.
  void Clear(const std::string& family) {
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), cf(family)));
    for (it->SeekToFirst(); it->Valid(); it->Next()) Delete(family, it->key().ToString());
    REQUIRE(it->status().ok());
  }
  // Marks the store as written in format `version`, as an older (or newer) build leaves it.
  void SetFormatVersion(std::uint32_t version) {
    std::string v;
    codec::PutU32(v, version);
    Put(storage::cf::kMeta, std::string(storage::meta::kFormatVersion), v);
  }
  // What a dishonest operator does: changes the event at `position` and has the tree built
  // again from the changed log (the store of format 7 rebuilds it on its next open to write).
  void RewriteHistory(std::uint64_t position) {
    std::string value = Get(storage::cf::kEvents, storage::EventKey(position));
    value[value.size() / 2] ^= 1;
    Put(storage::cf::kEvents, storage::EventKey(position), value);
    Clear(storage::cf::kTree);
    SetFormatVersion(7);
  }

 private:
  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
  std::vector<std::string> names_;
};

}  // namespace pathways::testing

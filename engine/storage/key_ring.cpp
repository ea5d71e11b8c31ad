#include "engine/storage/key_ring.hpp"

#include <cstring>

#include "engine/codec/bytes.hpp"
#include "engine/storage/rocks_status.hpp"
#include "engine/storage/store_format.hpp"

namespace pathways::storage {
namespace {

// Enough for every active participant's keys; past it the cache starts over (keys are cheap
// to unwrap again), which bounds memory for stores with millions of participants.
constexpr std::size_t kMaxCachedKeys = 100000;

std::string EncodeRow(const DataKey& key, const audit::Nonce* nonce, std::string_view wrapped) {
  std::string v;
  codec::PutU8(v, kKeyValueFormat);
  codec::PutU32(v, key.generation);
  codec::PutU8(v, key.live ? 1 : 0);
  if (key.live) {
    v.append(reinterpret_cast<const char*>(nonce->data()), nonce->size());
    v.append(wrapped);
  }
  return v;
}

void WipeAll(std::unordered_map<std::string, DataKey>& keys) {
  for (auto& [name, key] : keys) audit::Wipe(key.key.data(), key.key.size());
  keys.clear();
}

}  // namespace

KeyRing::KeyRing(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* cf,
                 std::optional<audit::Key256> master, RandomSource* random)
    : db_(db), cf_(cf), master_(master), random_(random) {}

KeyRing::~KeyRing() {
  WipeAll(cache_);
  WipeAll(staged_);
  if (master_) audit::Wipe(master_->data(), master_->size());
}

Result<std::optional<DataKey>> KeyRing::Load(const std::string& row_key) {
  {
    std::lock_guard lock(mu_);
    if (auto it = cache_.find(row_key); it != cache_.end()) return std::optional(it->second);
  }
  std::string value;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), cf_, row_key, &value);
  if (s.IsNotFound()) return std::optional<DataKey>();
  if (!s.ok()) return FromRocks(s, "reading a data key");

  codec::ByteReader r(value);
  std::uint8_t format = 0;
  std::uint8_t live = 0;
  DataKey key;
  if (!(r.GetLittle(format) && r.GetLittle(key.generation) && r.GetLittle(live)) ||
      format != kKeyValueFormat) {
    return Status::Corruption("data key row has an unknown format");
  }
  key.live = live == 1;
  if (key.live) {
    if (!master_) {
      return Status::FailedPrecondition("the store was opened without its master key");
    }
    std::string_view nonce;
    std::string_view wrapped;
    if (!(r.GetBytes(audit::kNonceSize, nonce) &&
          r.GetBytes(audit::kKeySize + audit::kTagSize, wrapped))) {
      return Status::Corruption("data key row truncated");
    }
    // The row key is participant 00 scope: the AAD is rebuilt from it.
    std::string_view participant(row_key.data(), row_key.size() - 2);
    auto scope = static_cast<PersonalScope>(row_key.back());
    std::optional<std::string> plain =
        audit::Open(*master_, {reinterpret_cast<const std::uint8_t*>(nonce.data()), nonce.size()},
                    WrapAad(participant, scope, key.generation), wrapped);
    if (!plain || plain->size() != key.key.size()) {
      return Status::FailedPrecondition(
          "a data key does not open with this master key (wrong master key, or the keys "
          "column family was altered)");
    }
    std::memcpy(key.key.data(), plain->data(), key.key.size());
    audit::Wipe(plain->data(), plain->size());
  }
  std::lock_guard lock(mu_);
  if (cache_.size() >= kMaxCachedKeys) WipeAll(cache_);
  cache_[row_key] = key;
  return std::optional(key);
}

Result<std::optional<DataKey>> KeyRing::Find(std::string_view participant_id, PersonalScope scope) {
  return Load(DataKeyKey(participant_id, scope));
}

Result<std::optional<DataKey>> KeyRing::FindStagedOrStored(const std::string& row_key) {
  if (auto it = staged_.find(row_key); it != staged_.end()) return std::optional(it->second);
  return Load(row_key);
}

Result<DataKey> KeyRing::StageLiveKey(std::string_view participant_id, PersonalScope scope,
                                      rocksdb::WriteBatch& batch) {
  if (!master_) return Status::FailedPrecondition("the store was opened without its master key");
  std::string row_key = DataKeyKey(participant_id, scope);
  Result<std::optional<DataKey>> current = FindStagedOrStored(row_key);
  if (!current.ok()) return current.status();
  if (current->has_value() && (*current)->live) return **current;

  DataKey fresh;
  fresh.generation = current->has_value() ? (*current)->generation + 1 : 1;
  fresh.live = true;
  audit::Nonce nonce{};
  if (Status s = random_->Fill(fresh.key); !s.ok()) return s;
  if (Status s = random_->Fill(nonce); !s.ok()) return s;
  std::string_view raw(reinterpret_cast<const char*>(fresh.key.data()), fresh.key.size());
  std::string wrapped =
      audit::Seal(*master_, nonce, WrapAad(participant_id, scope, fresh.generation), raw);
  if (rocksdb::Status s = batch.Put(cf_, row_key, EncodeRow(fresh, &nonce, wrapped)); !s.ok()) {
    return FromRocks(s, "staging a data key");
  }
  staged_[row_key] = fresh;
  return fresh;
}

Status KeyRing::StageErase(std::string_view participant_id, PersonalScope scope,
                           rocksdb::WriteBatch& batch) {
  std::string row_key = DataKeyKey(participant_id, scope);
  DataKey erased;
  // Reading the row needs no master key when it is already erased; a live row must be read
  // only for its generation, so a failure to unwrap must not block erasure.
  std::string value;
  if (auto it = staged_.find(row_key); it != staged_.end()) {
    erased.generation = it->second.generation;
  } else {
    rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), cf_, row_key, &value);
    if (!s.ok() && !s.IsNotFound()) return FromRocks(s, "reading a data key");
    codec::ByteReader r(value);
    std::uint8_t format = 0;
    if (s.ok() && !(r.GetLittle(format) && r.GetLittle(erased.generation))) {
      return Status::Corruption("data key row truncated");
    }
  }
  erased.live = false;
  if (rocksdb::Status s = batch.Put(cf_, row_key, EncodeRow(erased, nullptr, {})); !s.ok()) {
    return FromRocks(s, "staging a key erasure");
  }
  staged_[row_key] = erased;
  return Status::Ok();
}

void KeyRing::Commit() {
  std::lock_guard lock(mu_);
  if (cache_.size() + staged_.size() > kMaxCachedKeys) WipeAll(cache_);
  for (auto& [row_key, key] : staged_) cache_[row_key] = key;
  WipeAll(staged_);
}

void KeyRing::Abandon() { WipeAll(staged_); }

void KeyRing::Forget() {
  std::lock_guard lock(mu_);
  WipeAll(cache_);
  WipeAll(staged_);
}

Result<SealedPersonal> KeyRing::SealPart(std::string_view participant_id, PersonalScope scope,
                                         const DataKey& key, std::string_view plaintext) {
  SealedPersonal part;
  part.scope = scope;
  part.key_generation = key.generation;
  if (Status s = random_->Fill(part.nonce); !s.ok()) return s;
  part.ciphertext = audit::Seal(key.key, part.nonce,
                                PersonalAad(participant_id, scope, key.generation), plaintext);
  return part;
}

}  // namespace pathways::storage

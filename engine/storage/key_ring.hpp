#pragma once
// KeyRing: the participants' data keys, wrapped by the master key, in the `keys` column family.
//
// One key per (participant, scope) and generation. Erasing a scope overwrites its row with an
// "erased" marker that keeps only the generation number, so data written later gets a new key
// and data sealed under the destroyed key reads as erased, never as garbage.
//
// Thread-safe: reads may come from any thread; staging (Stage*) is for the store's single
// writer thread only, which then calls Commit() after the batch is durable.

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "engine/audit/aead.hpp"
#include "engine/event.hpp"
#include "engine/random.hpp"
#include "engine/result.hpp"

namespace pathways::storage {

struct DataKey {
  std::uint32_t generation = 0;
  bool live = false;  // false: erased
  audit::Key256 key{};
};

class KeyRing {
 public:
  // `master` is nullopt for a store opened without its master key: then every operation that
  // needs a key fails with FailedPrecondition.
  KeyRing(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* cf, std::optional<audit::Key256> master,
          RandomSource* random);
  ~KeyRing();

  bool has_master_key() const { return master_.has_value(); }

  // The current key row, or nullopt when none was ever created.
  Result<std::optional<DataKey>> Find(std::string_view participant_id, PersonalScope scope);

  // Writer thread: the live key for sealing, creating generation n+1 in `batch` when there is
  // none. Staged keys are visible to later Stage calls before Commit.
  Result<DataKey> StageLiveKey(std::string_view participant_id, PersonalScope scope,
                               rocksdb::WriteBatch& batch);
  // Writer thread: replace the row by an erased marker in `batch`.
  Status StageErase(std::string_view participant_id, PersonalScope scope,
                    rocksdb::WriteBatch& batch);
  // Writer thread: after the batch is durable, publish what was staged; or drop it.
  void Commit();
  void Abandon();
  // Writer thread: forgets every key it holds, committed ones too, so keys come from the
  // stored rows again (after a write that failed once they had been committed).
  void Forget();

  // Seals `plaintext` for (participant, scope) under `key`.
  Result<SealedPersonal> SealPart(std::string_view participant_id, PersonalScope scope,
                                  const DataKey& key, std::string_view plaintext);

 private:
  Result<std::optional<DataKey>> Load(const std::string& row_key);
  Result<std::optional<DataKey>> FindStagedOrStored(const std::string& row_key);

  rocksdb::DB* db_;
  rocksdb::ColumnFamilyHandle* cf_;
  std::optional<audit::Key256> master_;
  RandomSource* random_;

  std::mutex mu_;
  std::unordered_map<std::string, DataKey> cache_;   // guarded by mu_
  std::unordered_map<std::string, DataKey> staged_;  // writer thread only
};

}  // namespace pathways::storage

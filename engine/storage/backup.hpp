#pragma once
// Backups of a store with RocksDB's backup engine: incremental (files shared between backups
// are copied once), checksummed, and safe to take while the store is in use. A restore is
// written beside its place and renamed into it, and only once its chain verifies.
//
// The master key is not part of a backup unless asked for: a backup alone then reveals no
// personal data. A backup also keeps the data keys of participants erased after it was taken;
// docs/operations.md says what to do about that on restore.

#include <cstdint>
#include <string>
#include <vector>

#include "engine/storage/rocks_event_store.hpp"

namespace pathways::storage {

struct BackupInfo {
  std::uint32_t id = 0;
  std::int64_t created_unix_s = 0;
  std::uint64_t bytes = 0;
  std::uint64_t head_position = 0;  // the log's head when it was taken
  std::string head_hash;            // hex
};

// Takes a new backup of `store` into `backup_dir` (created if missing). With
// `with_master_key`, the store's master key file is copied there too (mode 0600).
Result<BackupInfo> BackupStore(RocksEventStore& store, const std::string& backup_dir,
                               bool with_master_key);

// The backups in `backup_dir`, oldest first. NotFound when there are none.
Result<std::vector<BackupInfo>> ListBackups(const std::string& backup_dir);

// Restores backup `id` (0: the newest) into `target_dir`, which must not exist: checks the
// files' checksums, restores beside the target, verifies the restored chain, then renames it
// into place. A master key in the backup is restored beside the target (unless one is there).
// Returns the restored store's verification. Errors: NotFound (no such backup),
// FailedPrecondition (target exists), Corruption (a file or the chain is damaged).
Result<VerifyReport> RestoreBackup(const std::string& backup_dir, std::uint32_t id,
                                   const std::string& target_dir);

}  // namespace pathways::storage

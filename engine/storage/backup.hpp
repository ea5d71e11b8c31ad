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

// Taking a backup of an open store is StoreAdmin::Backup (RocksEventStore::Backup, in
// backup.cpp): it copies the master key file beside the backup when asked (mode 0600).

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

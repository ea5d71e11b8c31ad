#include "engine/storage/backup.hpp"

#include <fcntl.h>
#include <rocksdb/utilities/backup_engine.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <memory>

#include "engine/codec/event_record.hpp"
#include "engine/storage/master_key.hpp"
#include "engine/storage/rocks_status.hpp"
#include "engine/storage/store_impl.hpp"

namespace pathways::storage {
namespace fs = std::filesystem;
namespace {

constexpr const char* kMasterKeyFile = "master-key";

// "head=<position> <hash hex>", kept as the backup's application metadata.
std::string HeadMetadata(const ChainHead& head) {
  return "head=" + std::to_string(head.position) + " " + codec::HexEncode(head.hash);
}

BackupInfo ToInfo(const rocksdb::BackupInfo& r) {
  BackupInfo b;
  b.id = r.backup_id;
  b.created_unix_s = r.timestamp;
  b.bytes = r.size;
  const std::string& m = r.app_metadata;
  if (m.rfind("head=", 0) == 0) {
    const std::size_t space = m.find(' ');
    b.head_position = std::stoull(m.substr(5, space - 5));
    if (space != std::string::npos) b.head_hash = m.substr(space + 1);
  }
  return b;
}

// Copies a key file keeping it private (0600), refusing to overwrite.
Status CopyPrivate(const std::string& from, const std::string& to) {
  std::error_code ec;
  if (fs::exists(to, ec)) return Status::Ok();  // keep the key that is there
  fs::copy_file(from, to, ec);
  if (ec) return Status::IOError("cannot copy " + from + " to " + to + ": " + ec.message());
  fs::permissions(to, fs::perms::owner_read | fs::perms::owner_write, ec);
  if (ec) return Status::IOError("cannot make " + to + " private: " + ec.message());
  return Status::Ok();
}

}  // namespace

Result<BackupInfo> RocksEventStore::Backup(const std::string& backup_dir, bool with_master_key) {
  rocksdb::BackupEngine* raw = nullptr;
  rocksdb::IOStatus st = rocksdb::BackupEngine::Open(rocksdb::BackupEngineOptions(backup_dir),
                                                     rocksdb::Env::Default(), &raw);
  if (!st.ok()) return FromRocks(st, "opening the backup directory " + backup_dir);
  std::unique_ptr<rocksdb::BackupEngine> engine(raw);
  rocksdb::CreateBackupOptions options;
  options.flush_before_backup = true;
  // The head is read before the files: the backup holds at least that much of the log.
  const ChainHead head = Head();
  rocksdb::BackupID id = 0;
  st = engine->CreateNewBackupWithMetadata(options, impl_->db.get(), HeadMetadata(head), &id);
  if (!st.ok()) return FromRocks(st, "backing up into " + backup_dir);
  if (with_master_key) {
    const std::string key = impl_->options.master_key_path.empty() ? DefaultMasterKeyPath(dir())
                                                                   : impl_->options.master_key_path;
    if (Status s = CopyPrivate(key, (fs::path(backup_dir) / kMasterKeyFile).string()); !s.ok()) {
      return s;
    }
  }
  rocksdb::BackupInfo info;
  if (rocksdb::Status s = engine->GetBackupInfo(id, &info); !s.ok()) {
    return FromRocks(s, "reading the new backup's info");
  }
  return ToInfo(info);
}

Result<std::vector<BackupInfo>> ListBackups(const std::string& backup_dir) {
  std::error_code ec;
  if (!fs::is_directory(backup_dir, ec)) return Status::NotFound("no backups at " + backup_dir);
  rocksdb::BackupEngineReadOnly* raw = nullptr;
  rocksdb::IOStatus st = rocksdb::BackupEngineReadOnly::Open(
      rocksdb::BackupEngineOptions(backup_dir), rocksdb::Env::Default(), &raw);
  if (!st.ok()) return FromRocks(st, "opening the backup directory " + backup_dir);
  std::unique_ptr<rocksdb::BackupEngineReadOnly> engine(raw);
  std::vector<rocksdb::BackupInfo> infos;
  engine->GetBackupInfo(&infos);
  if (infos.empty()) return Status::NotFound("no backups at " + backup_dir);
  std::vector<BackupInfo> out;
  for (const auto& i : infos) out.push_back(ToInfo(i));
  return out;
}

Result<VerifyReport> RestoreBackup(const std::string& backup_dir, std::uint32_t id,
                                   const std::string& target_dir) {
  std::error_code ec;
  if (fs::exists(target_dir, ec)) {
    return Status::FailedPrecondition(target_dir +
                                      " exists; restore into a new directory (a store is never "
                                      "overwritten)");
  }
  auto backups = ListBackups(backup_dir);
  if (!backups.ok()) return backups.status();
  if (id == 0) id = backups->back().id;
  rocksdb::BackupEngineReadOnly* raw = nullptr;
  rocksdb::IOStatus st = rocksdb::BackupEngineReadOnly::Open(
      rocksdb::BackupEngineOptions(backup_dir), rocksdb::Env::Default(), &raw);
  if (!st.ok()) return FromRocks(st, "opening the backup directory " + backup_dir);
  std::unique_ptr<rocksdb::BackupEngineReadOnly> engine(raw);
  rocksdb::BackupInfo info;
  if (rocksdb::Status s = engine->GetBackupInfo(id, &info); !s.ok()) {
    return Status::NotFound("no backup " + std::to_string(id) + " at " + backup_dir);
  }
  st = engine->VerifyBackup(id, /*verify_with_checksum=*/true);
  if (!st.ok()) return Status::Corruption("backup " + std::to_string(id) + ": " + st.ToString());

  const std::string staging = target_dir + ".restoring";
  fs::remove_all(staging, ec);
  st = engine->RestoreDBFromBackup(id, staging, staging);
  if (!st.ok()) {
    fs::remove_all(staging, ec);
    return FromRocks(st, "restoring backup " + std::to_string(id));
  }
  // The restored chain must verify (and reach the head the backup recorded) before the
  // store takes its place.
  Result<VerifyReport> report = [&]() -> Result<VerifyReport> {
    StoreOptions o;
    o.dir = staging;
    o.read_only = true;
    o.load_master_key = false;
    auto store = RocksEventStore::Open(o);
    if (!store.ok()) return store.status();
    return (*store)->Verify();
  }();
  const BackupInfo recorded = ToInfo(info);
  if (report.ok() && (!report->ok || report->head.position < recorded.head_position)) {
    report = Status::Corruption("the restored store does not verify: " +
                                (report->ok ? "its head " + std::to_string(report->head.position) +
                                                  " is short of the recorded " +
                                                  std::to_string(recorded.head_position)
                                            : report->problem));
  }
  if (!report.ok()) {
    fs::remove_all(staging, ec);
    return report.status();
  }
  fs::rename(staging, target_dir, ec);
  if (ec) return Status::IOError("cannot move the restored store into " + target_dir);
  SyncDir(fs::path(target_dir).parent_path().string());
  const std::string key = (fs::path(backup_dir) / kMasterKeyFile).string();
  if (fs::exists(key, ec)) {
    if (Status s = CopyPrivate(key, DefaultMasterKeyPath(target_dir)); !s.ok()) return s;
  }
  return report;
}

}  // namespace pathways::storage

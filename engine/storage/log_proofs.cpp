// The log's Merkle tree read for proofs, and its checkpoints signed and kept
// (docs/formats/merkle.md). The tree's nodes are written with the events they complete, so
// any tree up to the committed head can be read without the writer.

#include <spdlog/spdlog.h>

#include "engine/audit/checkpoint.hpp"
#include "engine/codec/bytes.hpp"
#include "engine/storage/rocks_status.hpp"
#include "engine/storage/store_format.hpp"
#include "engine/storage/store_impl.hpp"

namespace pathways::storage {
namespace {

namespace merkle = audit::merkle;
namespace note = audit::note;

Status PastTheEnd(std::uint64_t size, std::uint64_t head) {
  return Status::InvalidArgument("the log holds " + std::to_string(head) + " events, not " +
                                 std::to_string(size));
}

// The latest stored checkpoint (the largest size), or nullopt.
Result<std::optional<StoredCheckpoint>> Latest(rocksdb::DB& db, rocksdb::ColumnFamilyHandle* cf) {
  if (cf == nullptr) return std::optional<StoredCheckpoint>();
  std::unique_ptr<rocksdb::Iterator> it(db.NewIterator(rocksdb::ReadOptions(), cf));
  it->SeekToLast();
  if (!it->status().ok()) return FromRocks(it->status(), "reading the checkpoints");
  if (!it->Valid()) return std::optional<StoredCheckpoint>();
  if (it->key().size() != 8) return Status::Corruption("a checkpoint row has a malformed key");
  return std::optional(
      StoredCheckpoint{codec::GetBigU64(it->key().data()), it->value().ToString()});
}

}  // namespace

Result<TreeHead> RocksEventStore::TreeAt(std::optional<std::uint64_t> size) const {
  const std::uint64_t head = impl_->CurrentHead().position;
  const std::uint64_t n = size.value_or(head);
  if (n > head) return PastTheEnd(n, head);
  Result<Hash256> root = merkle::RootOf(n, StoredNodes(*impl_->db, impl_->events, impl_->tree));
  if (!root.ok()) return root.status();
  return TreeHead{n, *root};
}

Result<std::vector<Hash256>> RocksEventStore::InclusionProof(std::uint64_t position,
                                                             std::uint64_t size) const {
  const std::uint64_t head = impl_->CurrentHead().position;
  if (size > head) return PastTheEnd(size, head);
  if (position == 0 || position > size) {
    return Status::InvalidArgument("event " + std::to_string(position) + " is not in the tree of " +
                                   std::to_string(size));
  }
  return merkle::InclusionProof(position - 1, size,
                                StoredNodes(*impl_->db, impl_->events, impl_->tree));
}

Result<std::vector<Hash256>> RocksEventStore::ConsistencyProof(std::uint64_t old_size,
                                                               std::uint64_t new_size) const {
  const std::uint64_t head = impl_->CurrentHead().position;
  if (new_size > head) return PastTheEnd(new_size, head);
  return merkle::ConsistencyProof(old_size, new_size,
                                  StoredNodes(*impl_->db, impl_->events, impl_->tree));
}

Result<std::string> RocksEventStore::LeafEntry(std::uint64_t position) const {
  if (position == 0 || position > impl_->CurrentHead().position) {
    return Status::NotFound("the log has no event " + std::to_string(position));
  }
  std::string value;
  if (Status st = impl_->ReadEventValue(position, value); !st.ok()) return st;
  return value;
}

Result<StoredCheckpoint> RocksEventStore::SignCheckpoint(const note::Signer& signer) {
  if (impl_->checkpoints == nullptr || impl_->options.read_only) {
    return Status::FailedPrecondition("checkpoints are signed by the store's writer");
  }
  std::lock_guard lock(impl_->checkpoint_mu);
  Result<TreeHead> now = TreeAt(std::nullopt);
  if (!now.ok()) return now.status();
  Result<std::optional<StoredCheckpoint>> latest = Latest(*impl_->db, impl_->checkpoints);
  if (!latest.ok()) return latest.status();
  if (*latest) {
    Result<note::Note> signed_note = note::Parse((*latest)->note);
    if (!signed_note.ok())
      return Status::Corruption("the latest checkpoint: " + signed_note.status().message());
    Result<audit::Checkpoint> before = audit::ParseCheckpoint(signed_note->text);
    if (!before.ok())
      return Status::Corruption("the latest checkpoint: " + before.status().message());
    if (before->origin != signer.name) {
      return Status::FailedPrecondition("this log's checkpoints are signed as " + before->origin +
                                        ", not " + signer.name);
    }
    // The tree it named must still be the start of this one; else the log was rewritten.
    Result<TreeHead> then = TreeAt(before->size);
    if (!then.ok() || then->root != before->root) {
      spdlog::critical(
          "store: the log's first {} events no longer have the root its checkpoint "
          "of that size signed",
          before->size);
      return Status::FailedPrecondition(
          "the log's first " + std::to_string(before->size) +
          " events no longer have the root the latest checkpoint signed: refusing to sign a "
          "checkpoint inconsistent with it; run `pathways verify`");
    }
    if (before->size == now->size) return **latest;
  }
  const std::string text = audit::CheckpointText({signer.name, now->size, now->root, {}});
  Result<note::Signature> sig = note::Sign(text, signer);
  if (!sig.ok()) return sig.status();
  StoredCheckpoint out{now->size, note::Format({text, {*sig}})};
  // Not synced: the tree it signs is durable with its events, so a checkpoint lost in a crash
  // is signed again to the same bytes (Ed25519 is deterministic), and none can contradict it.
  Status st = FromRocks(
      impl_->db->Put(rocksdb::WriteOptions(), impl_->checkpoints, EventKey(out.size), out.note),
      "keeping the checkpoint");
  if (!st.ok()) return st;
  return out;
}

Result<StoredCheckpoint> RocksEventStore::Checkpoint(std::optional<std::uint64_t> size) const {
  if (!size) {
    Result<std::optional<StoredCheckpoint>> latest = Latest(*impl_->db, impl_->checkpoints);
    if (!latest.ok()) return latest.status();
    if (!*latest) return Status::NotFound("no checkpoint has been signed yet");
    return **latest;
  }
  std::string value;
  rocksdb::Status st =
      impl_->checkpoints == nullptr
          ? rocksdb::Status::NotFound()
          : impl_->db->Get(rocksdb::ReadOptions(), impl_->checkpoints, EventKey(*size), &value);
  if (st.IsNotFound()) {
    return Status::NotFound("no checkpoint of " + std::to_string(*size) + " events was signed");
  }
  if (!st.ok()) return FromRocks(st, "reading a checkpoint");
  return StoredCheckpoint{*size, std::move(value)};
}

Status RocksEventStore::AddCosignature(std::uint64_t size, const note::Signature& cosignature) {
  std::lock_guard lock(impl_->checkpoint_mu);
  Result<StoredCheckpoint> stored = Checkpoint(size);
  if (!stored.ok()) return stored.status();
  Result<note::Note> signed_note = note::Parse(stored->note);
  if (!signed_note.ok())
    return Status::Corruption("checkpoint " + std::to_string(size) + ": " +
                              signed_note.status().message());
  for (const note::Signature& s : signed_note->signatures) {
    if (s.name == cosignature.name && s.id == cosignature.id) return Status::Ok();
  }
  signed_note->signatures.push_back(cosignature);
  rocksdb::WriteOptions wo;
  wo.sync = true;
  return FromRocks(
      impl_->db->Put(wo, impl_->checkpoints, EventKey(size), note::Format(*signed_note)),
      "keeping the cosignature");
}

}  // namespace pathways::storage

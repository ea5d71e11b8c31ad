#include "engine/storage/merkle_rows.hpp"

#include "engine/storage/rocks_status.hpp"
#include "engine/storage/store_format.hpp"

namespace pathways::storage {

Status StageLeaf(rocksdb::WriteBatch& batch, rocksdb::ColumnFamilyHandle* tree,
                 audit::merkle::CompactRange& range, const Hash256& leaf) {
  rocksdb::Status st;
  range.Append(leaf, [&](std::uint32_t level, std::uint64_t index, const Hash256& hash) {
    // The leaves are not stored: each is the hash of its event's stored value (format 9).
    if (level == 0 || level % kTreeStride != 0 || !st.ok()) return;
    st = batch.Put(tree, TreeKey(level, index),
                   rocksdb::Slice(reinterpret_cast<const char*>(hash.data()), hash.size()));
  });
  return FromRocks(st, "staging the tree's nodes");
}

audit::merkle::NodeSource StoredNodes(rocksdb::DB& db, rocksdb::ColumnFamilyHandle* events,
                                      rocksdb::ColumnFamilyHandle* tree) {
  return [&db, events, tree](std::uint32_t level, std::uint64_t index) -> Result<Hash256> {
    if (tree == nullptr) return Status::FailedPrecondition("the store has no tree yet");
    const std::uint32_t below = level % kTreeStride;
    const std::uint32_t base = level - below;
    const std::uint64_t count = std::uint64_t{1} << below;
    const std::uint64_t first = index << below;
    std::vector<Hash256> hashes;
    hashes.reserve(count);
    auto bad = [&](std::uint64_t at) {
      return Status::Corruption("the tree's node " + std::to_string(base) + "/" +
                                std::to_string(at) + " is missing or malformed");
    };
    if (base == 0) {
      // Leaves from the events at positions first + 1 .. first + count.
      std::unique_ptr<rocksdb::Iterator> it(db.NewIterator(rocksdb::ReadOptions(), events));
      it->Seek(EventKey(first + 1));
      for (std::uint64_t i = 0; i < count; ++i, it->Next()) {
        if (!it->Valid() || it->key() != rocksdb::Slice(EventKey(first + 1 + i))) {
          if (!it->status().ok()) return FromRocks(it->status(), "reading the log");
          return Status::Corruption("event " + std::to_string(first + 1 + i) +
                                    " of the tree is missing");
        }
        hashes.push_back(audit::merkle::LeafHash(it->value().ToStringView()));
      }
    } else if (count == 1) {
      std::string value;
      rocksdb::Status st = db.Get(rocksdb::ReadOptions(), tree, TreeKey(base, first), &value);
      if (st.IsNotFound() || (st.ok() && value.size() != 32)) return bad(first);
      if (!st.ok()) return FromRocks(st, "reading the tree");
      Hash256 h{};
      std::copy(value.begin(), value.end(), reinterpret_cast<char*>(h.data()));
      return h;
    } else {
      std::unique_ptr<rocksdb::Iterator> it(db.NewIterator(rocksdb::ReadOptions(), tree));
      it->Seek(TreeKey(base, first));
      for (std::uint64_t i = 0; i < count; ++i, it->Next()) {
        if (!it->Valid() || it->key() != rocksdb::Slice(TreeKey(base, first + i)) ||
            it->value().size() != 32) {
          if (!it->status().ok()) return FromRocks(it->status(), "reading the tree");
          return bad(first + i);
        }
        Hash256 h{};
        std::copy(it->value().data(), it->value().data() + 32, reinterpret_cast<char*>(h.data()));
        hashes.push_back(h);
      }
    }
    return audit::merkle::HashUp(hashes);  // the levels between
  };
}

}  // namespace pathways::storage

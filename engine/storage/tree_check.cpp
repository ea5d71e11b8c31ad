#include "engine/storage/tree_check.hpp"

#include <memory>
#include <vector>

#include "engine/audit/checkpoint.hpp"
#include "engine/audit/merkle.hpp"
#include "engine/audit/note.hpp"
#include "engine/codec/bytes.hpp"
#include "engine/storage/merkle_rows.hpp"
#include "engine/storage/store_format.hpp"

namespace pathways::storage {
namespace {

namespace merkle = audit::merkle;
constexpr std::size_t kGroup = std::size_t{1} << kTreeStride;  // children of a stored node

std::string Node(std::uint32_t level, std::uint64_t index) {
  return std::to_string(level) + "/" + std::to_string(index);
}

// The latest checkpoint against the tree: its size in the log, its root the tree's there.
void CheckLatestCheckpoint(rocksdb::DB& db, rocksdb::ColumnFamilyHandle* events_cf,
                           rocksdb::ColumnFamilyHandle* tree,
                           rocksdb::ColumnFamilyHandle* checkpoints, std::uint64_t events,
                           TreeFinding& f) {
  std::unique_ptr<rocksdb::Iterator> it(db.NewIterator(rocksdb::ReadOptions(), checkpoints));
  it->SeekToLast();
  if (!it->Valid()) {
    if (!it->status().ok())
      f.problem = "the checkpoints cannot be read: " + it->status().ToString();
    return;
  }
  Result<audit::note::Note> n = audit::note::Parse(it->value().ToStringView());
  Result<audit::Checkpoint> c =
      n.ok() ? audit::ParseCheckpoint(n->text) : Result<audit::Checkpoint>(n.status());
  if (!c.ok()) {
    f.problem = "the latest checkpoint cannot be read: " + c.status().message();
    return;
  }
  if (c->size > events) {
    f.position = events + 1;
    f.problem = "the latest checkpoint names " + std::to_string(c->size) +
                " events, but the log holds " + std::to_string(events) + ": events were removed";
    return;
  }
  Result<Hash256> root = merkle::RootOf(c->size, StoredNodes(db, events_cf, tree));
  if (!root.ok() || *root != c->root) {
    f.position = c->size;
    f.problem = "the tree of the first " + std::to_string(c->size) +
                " events has another root than the latest checkpoint signed: the log or the "
                "tree was changed after it was signed";
  }
}

}  // namespace

TreeFinding CheckTree(rocksdb::DB& db, rocksdb::ColumnFamilyHandle* events_cf,
                      rocksdb::ColumnFamilyHandle* tree, rocksdb::ColumnFamilyHandle* checkpoints,
                      std::uint64_t events, std::vector<Hash256> level4) {
  TreeFinding f;
  rocksdb::ReadOptions ro;
  ro.readahead_size = 256u << 10;
  ro.fill_cache = false;
  std::unique_ptr<rocksdb::Iterator> it(db.NewIterator(ro, tree));
  // One pass in key order: level 4, then level 8, …; each level's nodes are hashed up into
  // what the next stored level must hold.
  std::uint32_t level = kTreeStride;
  std::uint64_t index = 0;
  std::vector<Hash256> expected;  // the current level's nodes, from the level below
  std::vector<Hash256> next;
  std::vector<Hash256> group;
  auto fail = [&](std::uint32_t at_level, std::uint64_t at_index, std::string why) {
    f.position = (at_index << at_level) + 1;
    f.problem = std::move(why);
    return f;
  };
  // Ends the current level: exactly as many nodes as the log has complete subtrees there.
  auto end_level = [&]() -> bool {
    const std::uint64_t wanted = events >> level;
    if (index != wanted) {
      fail(level, std::min(index, wanted),
           "the tree's level " + std::to_string(level) + " holds " + std::to_string(index) +
               " nodes; " + std::to_string(events) + " events make " + std::to_string(wanted));
      return false;
    }
    expected.swap(next);
    next.clear();
    group.clear();
    level += kTreeStride;
    index = 0;
    return true;
  };
  // Level 0 is the events' (checked by the walk, which hashed them up into `level4`); rows a
  // store of format 8 kept there are not read.
  level = kTreeStride;
  expected = std::move(level4);
  it->Seek(TreeKey(kTreeStride, 0));
  for (; it->Valid(); it->Next()) {
    const std::string_view key = it->key().ToStringView();
    if (key.size() != 9 || it->value().size() != 32) {
      f.problem = "the tree holds a malformed row (" + codec::HexEncode(key) + ")";
      return f;
    }
    const auto row_level = static_cast<std::uint8_t>(key[0]);
    const std::uint64_t row_index = codec::GetBigU64(key.data() + 1);
    while (row_level > level) {
      if (!end_level()) return f;
    }
    if (row_level != level || row_index != index) {
      return fail(level, index, "the tree's node " + Node(level, index) + " is missing");
    }
    Hash256 h{};
    std::copy_n(it->value().data(), 32, reinterpret_cast<char*>(h.data()));
    if (index >= expected.size()) {
      return fail(level, index,
                  "the tree holds node " + Node(level, index) + ", past the " +
                      std::to_string(events) + " events of the log: it is another log's tree");
    }
    if (expected[index] != h) {
      return fail(level, index,
                  "the tree's node " + Node(level, index) +
                      " is not the hash of the nodes below it: the tree was altered");
    }
    group.push_back(h);
    if (group.size() == kGroup) {
      next.push_back(merkle::HashUp(group));
      group.clear();
    }
    ++index;
    ++f.nodes;
  }
  if (!it->status().ok()) {
    f.problem = "the tree cannot be read: " + it->status().ToString();
    return f;
  }
  while ((events >> level) > 0 || index > 0) {
    if (!end_level()) return f;
  }
  CheckLatestCheckpoint(db, events_cf, tree, checkpoints, events, f);
  return f;
}

}  // namespace pathways::storage

#pragma once
// Internal to engine/storage: Verify()'s check of the log's Merkle tree (docs/formats/merkle.md).
// The chain walk (verify.cpp) hashes the events' leaves up into level 4; this checks every
// stored node against the level below, that the tree holds exactly the complete
// subtrees of the log, and that the latest checkpoint names the root the tree has at its size.

#include <rocksdb/db.h>

#include <cstdint>
#include <string>
#include <vector>

#include "engine/event.hpp"

namespace pathways::storage {

struct TreeFinding {
  std::uint64_t nodes = 0;     // stored nodes checked
  std::uint64_t position = 0;  // the first event under the first damage (0: none, or not one)
  std::string problem;         // empty: the tree holds
};

// `events`: the number of events the chain walk found whole; `level4`: the nodes of level
// kTreeStride it hashed up from their leaves (the leaves are not stored).
TreeFinding CheckTree(rocksdb::DB& db, rocksdb::ColumnFamilyHandle* events_cf,
                      rocksdb::ColumnFamilyHandle* tree, rocksdb::ColumnFamilyHandle* checkpoints,
                      std::uint64_t events, std::vector<Hash256> level4);

}  // namespace pathways::storage

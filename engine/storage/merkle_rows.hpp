#pragma once
// Internal to engine/storage: the log's Merkle tree in the `tree` column family. The writer
// appends each event's leaf to the compact range it keeps and stages the nodes that complete
// at every kTreeStride-th level above the leaves in the batch that holds the event; proofs read
// those nodes and hash up the levels between (docs/formats/merkle.md).

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include "engine/audit/merkle.hpp"
#include "engine/result.hpp"

namespace pathways::storage {

// Appends `leaf` to `range`, staging the stored nodes it completes.
Status StageLeaf(rocksdb::WriteBatch& batch, rocksdb::ColumnFamilyHandle* tree,
                 audit::merkle::CompactRange& range, const Hash256& leaf);

// The tree's nodes as stored: a node of a stored level read, any other hashed up from the
// stored level below it (at most 2^(kTreeStride - 1) reads); below level kTreeStride, from the
// events' leaves (the leaves are not stored). Only nodes of complete subtrees of the
// committed tree may be asked for. The source must not outlive `db`.
audit::merkle::NodeSource StoredNodes(rocksdb::DB& db, rocksdb::ColumnFamilyHandle* events,
                                      rocksdb::ColumnFamilyHandle* tree);

}  // namespace pathways::storage

#pragma once
// Staging one request of a group: what the writer does between taking a group from the queue
// and writing it. Each request is validated against the streams and pathways as the group has
// left them so far and, when it passes, encoded into the group's WriteBatch; later requests of
// the same group see what earlier ones staged. Internal to engine/storage.

#include <rocksdb/write_batch.h>

#include <string>
#include <unordered_map>
#include <vector>

#include "engine/storage/store_impl.hpp"

namespace pathways::storage {

// What a group has staged but not yet committed: later requests of the same group see it.
struct GroupState {
  ChainHead head;
  audit::merkle::CompactRange tree;  // the tree's border at `head`
  std::unordered_map<std::string, StreamInfo> streams;
  std::unordered_map<std::string, CommandRow> commands;
  std::unordered_map<std::string, std::vector<std::string>> new_streams_of;  // by participant
  std::unordered_map<std::string, runtime::PathwayState> pathways;           // staged states
  std::unordered_map<std::string, std::int64_t> count_deltas;
  std::size_t rejections = 0;  // refusals staged for auditors
};

// Stages `request` into `batch` on top of `g`. A refusal (a bad id, a wrong expected version,
// a rule that says no) is the request's answer and stages nothing. A failure after validation
// leaves the batch half-built: it sets `fatal`, and the caller abandons the whole group.
Result<AppendResult> StageRequest(RocksEventStore::Impl& s, rocksdb::WriteBatch& batch,
                                  GroupState& g, RocksEventStore::Impl::Request& request,
                                  bool& fatal);

// Validation and canonical JSON happen in the caller's thread, outside the writer role:
// malformed requests never reach the queue, and the writer's work per event shrinks.
Result<PreparedAppend> PrepareAppend(AppendRequest request);

}  // namespace pathways::storage

#pragma once
// The log's Merkle tree and the checkpoints signed over it (docs/formats/merkle.md): what an
// auditor checks without trusting whoever runs the server. Leaf i is the event at position
// i + 1 as stored; a checkpoint is a C2SP tlog-checkpoint signed as a C2SP signed note.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/audit/note.hpp"
#include "engine/event.hpp"
#include "engine/result.hpp"

namespace pathways {

struct TreeHead {
  std::uint64_t size = 0;
  Hash256 root{};
};

// A checkpoint as stored: its tree size and the signed note, with any cosignatures.
struct StoredCheckpoint {
  std::uint64_t size = 0;
  std::string note;
};

class LogProofs {
 public:
  virtual ~LogProofs() = default;

  // The tree over the first `size` events, or over the committed log. InvalidArgument for a
  // size past the log's end.
  virtual Result<TreeHead> TreeAt(std::optional<std::uint64_t> size) const = 0;
  // The hashes that lead from the event at `position` to the root of the tree of `size`.
  virtual Result<std::vector<Hash256>> InclusionProof(std::uint64_t position,
                                                      std::uint64_t size) const = 0;
  // The hashes that show the tree of `old_size` is the start of the tree of `new_size`.
  virtual Result<std::vector<Hash256>> ConsistencyProof(std::uint64_t old_size,
                                                        std::uint64_t new_size) const = 0;
  // What the leaf of the event at `position` hashes: its stored value.
  virtual Result<std::string> LeafEntry(std::uint64_t position) const = 0;

  // Signs the committed tree as a checkpoint of `signer` (its key name is the log's origin)
  // and keeps it; the latest one when the tree has not grown since. Never one inconsistent
  // with the latest: FailedPrecondition, saying why, when the tree no longer has the root the
  // latest named, or the latest was signed for another origin.
  virtual Result<StoredCheckpoint> SignCheckpoint(const audit::note::Signer& signer) = 0;
  // The checkpoint of `size`, or the latest. NotFound when there is none.
  virtual Result<StoredCheckpoint> Checkpoint(std::optional<std::uint64_t> size) const = 0;
  // Adds a witness's cosignature, which the caller verified with the witness's key, to the
  // checkpoint of `size`, once (one by the same key name and id is kept as it is). NotFound
  // when there is no such checkpoint.
  virtual Status AddCosignature(std::uint64_t size, const audit::note::Signature& cosignature) = 0;
};

}  // namespace pathways

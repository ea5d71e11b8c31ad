#pragma once
// Checkpoints in the C2SP tlog-checkpoint v1 form: the note text naming the log (its origin),
// the tree's size and its root (base64), which the log signs as a signed note
// (docs/formats/merkle.md).
//
// Thread-safe: free functions.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "engine/event.hpp"
#include "engine/result.hpp"

namespace pathways::audit {

struct Checkpoint {
  std::string origin;
  std::uint64_t size = 0;
  Hash256 root{};
  std::vector<std::string> extensions;  // further lines; Pathways writes none
};

// A hash as checkpoints, proofs and the tlog-witness protocol write it: standard base64.
std::string HashBase64(const Hash256& h);
// False unless `text` is exactly that form of a 32-byte hash.
bool ParseHashBase64(std::string_view text, Hash256& out);

// "origin\nsize\nbase64(root)\n" and any extension lines.
std::string CheckpointText(const Checkpoint& c);
// InvalidArgument, saying which line is wrong, unless `text` is a checkpoint's note text.
Result<Checkpoint> ParseCheckpoint(std::string_view text);

}  // namespace pathways::audit

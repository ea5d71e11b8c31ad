#pragma once
// Witnesses' cosignatures over the log's checkpoints (C2SP tlog-cosignature v1): kept with the
// checkpoint they sign once verified with a configured witness's key, whether a tlog-witness
// answered with them or a witness handed them in through the API.
//
// Thread-safe: free functions over a port that is.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "engine/audit/note.hpp"
#include "engine/ports/log_proofs.hpp"

namespace pathways::app {

struct KeptCosignatures {
  std::uint64_t size = 0;              // the checkpoint's
  std::vector<std::string> witnesses;  // whose were kept
};

// Keeps every signature in `signed_note` that one of `witnesses` made over the checkpoint this
// log signed at the note's size. InvalidArgument
// for a note that is no signed checkpoint; NotFound when the log kept no checkpoint of that
// size; FailedPrecondition when the note's text is not the text the log signed; Rejected,
// saying why, when no signature of a configured witness verifies.
Result<KeptCosignatures> KeepCosignatures(LogProofs& log, std::string_view signed_note,
                                          const std::vector<audit::note::Verifier>& witnesses);

}  // namespace pathways::app

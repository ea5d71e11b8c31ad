#pragma once
// Proof bundles: what `pathways prove` writes and `pathways verify-proof` checks with the log's
// public key alone (docs/formats/merkle.md, "Proof bundles").
//
// An inclusion bundle holds every event of one pathway the checkpoint covers, each as a C2SP
// tlog-proof (c2sp.org/tlog-proof@v1) whose extra data is the event's stored value, so each
// part is checked by any tool that reads that format. A consistency bundle (no C2SP format
// exists for it) holds two signed checkpoints and the RFC 6962 proof between them.
//
// Thread-safe: free functions.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "engine/audit/note.hpp"
#include "engine/event.hpp"
#include "engine/result.hpp"

namespace pathways::audit {

inline constexpr std::string_view kInclusionBundleHeader = "pathways/inclusion-proof@v1";
inline constexpr std::string_view kConsistencyBundleHeader = "pathways/consistency-proof@v1";
inline constexpr std::string_view kTlogProofHeader = "c2sp.org/tlog-proof@v1";

struct EventProof {
  std::uint64_t index = 0;  // the leaf: the event's position - 1
  std::string entry;        // the event's stored value, which the leaf hashes
  std::vector<Hash256> path;
};

struct InclusionBundle {
  std::string pathway_id;
  std::string checkpoint;  // the signed note, as the log signed it
  std::vector<EventProof> events;
};

struct ConsistencyBundle {
  std::string old_checkpoint;  // signed notes
  std::string new_checkpoint;
  std::vector<Hash256> path;
};

std::string FormatInclusionBundle(const InclusionBundle& b);
std::string FormatConsistencyBundle(const ConsistencyBundle& b);
// InvalidArgument, saying what is wrong, for anything but a bundle of that kind.
Result<InclusionBundle> ParseInclusionBundle(std::string_view text);
Result<ConsistencyBundle> ParseConsistencyBundle(std::string_view text);

// What a bundle was found to prove.
struct ProofReport {
  std::string kind;    // "inclusion" or "consistency"
  std::string origin;  // the log's
  std::uint64_t size = 0;
  std::uint64_t old_size = 0;        // consistency: the older checkpoint's
  std::string pathway_id;            // inclusion
  std::vector<std::string> checked;  // one line per event or checkpoint checked, in words
};

// Checks a bundle of either kind with the log's verifier key and, for each witness key given,
// that witness's cosignature. Rejected, saying what failed (a signature, a proof, an event
// altered, a fork), or InvalidArgument for a malformed bundle.
Result<ProofReport> VerifyBundle(std::string_view text, const note::Verifier& log,
                                 const std::vector<note::Verifier>& witnesses);

}  // namespace pathways::audit

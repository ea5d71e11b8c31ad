#pragma once
// Proof bundles made from a store for an auditor (docs/formats/merkle.md, "Proof bundles"):
// every event of one pathway in a checkpoint, and the consistency of two checkpoints. The
// command line, the API and the auditor's page make them here; `pathways verify-proof`
// checks them with the log's public key alone (audit::VerifyBundle).
//
// Thread-safe: free functions over a store that is.

#include <cstdint>
#include <optional>
#include <string>

#include "engine/audit/checkpoint.hpp"
#include "engine/ports/store.hpp"

namespace pathways::app {

// A signed checkpoint the auditor holds, checked against this log: its text parsed and its
// root the root of this log's first `size` events. FailedPrecondition, saying so, when the
// log holds fewer events or another root there (not this log's, or the log was rewritten);
// InvalidArgument when it is no signed checkpoint.
Result<audit::Checkpoint> CheckAgainstLog(const Store& store, const std::string& signed_note);

// The inclusion bundle of `pathway_id`'s events in the checkpoint `signed_note` (the latest
// one kept when nullopt). Events after the checkpoint are not in it. NotFound for a pathway
// without events in the checkpoint, or when no checkpoint was signed yet.
Result<std::string> ProveInclusion(const Store& store, const std::string& pathway_id,
                                   const std::optional<std::string>& signed_note);

// The consistency bundle from the checkpoint `older` to `newer` (the latest kept when
// nullopt), both signed notes checked against this log.
Result<std::string> ProveConsistency(const Store& store, const std::string& older,
                                     const std::optional<std::string>& newer);

}  // namespace pathways::app

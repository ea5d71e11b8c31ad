#pragma once
// The server's checkpoints: the log's tree signed with its key when the server starts, then on
// a schedule and whenever an auditor asks (docs/formats/merkle.md, "Checkpoints"). The store
// refuses to sign one inconsistent with the latest; that refusal is logged, never papered over.

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>

#include "engine/audit/note.hpp"
#include "engine/ports/log_proofs.hpp"

namespace pathways::app {

class CheckpointSigner {
 public:
  // `interval_ms` 0: only at the start and on demand.
  CheckpointSigner(LogProofs& log, audit::note::Signer key, std::int64_t interval_ms);
  ~CheckpointSigner();
  CheckpointSigner(const CheckpointSigner&) = delete;
  CheckpointSigner& operator=(const CheckpointSigner&) = delete;

  // Told of each checkpoint newer than the last one told (or, after a start, than the latest
  // kept before it), from the thread that signed it. Set before Start().
  void OnSigned(std::function<void(const StoredCheckpoint&)> told) { told_ = std::move(told); }

  void Start();
  void Stop();
  // Signs the log as it stands now (the latest checkpoint when it has not grown).
  Result<StoredCheckpoint> SignNow();
  // The log's verifier key, as `pathways checkpoint key` prints it.
  std::string VerifierKey() const;
  const std::string& origin() const { return key_.name; }

 private:
  LogProofs& log_;
  audit::note::Signer key_;
  const std::int64_t interval_ms_;
  std::function<void(const StoredCheckpoint&)> told_;
  std::mutex mu_;
  std::uint64_t last_told_ = 0;  // under mu_
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace pathways::app

#include "adapters/app/checkpoint_signer.hpp"

#include <spdlog/spdlog.h>

#include "engine/audit/aead.hpp"

namespace pathways::app {

CheckpointSigner::CheckpointSigner(LogProofs& log, audit::note::Signer key,
                                   std::int64_t interval_ms)
    : log_(log), key_(std::move(key)), interval_ms_(interval_ms) {}

CheckpointSigner::~CheckpointSigner() {
  Stop();
  audit::Wipe(key_.seed.data(), key_.seed.size());
}

Result<StoredCheckpoint> CheckpointSigner::SignNow() {
  Result<StoredCheckpoint> c = log_.SignCheckpoint(key_);
  if (!c.ok()) {
    spdlog::error("checkpoints: cannot sign: {}", c.status().ToString());
    return c;
  }
  bool tell = false;
  {
    std::lock_guard lock(mu_);
    tell = c->size > last_told_;
    if (tell) last_told_ = c->size;
  }
  if (tell && told_) told_(*c);
  return c;
}

std::string CheckpointSigner::VerifierKey() const {
  return audit::note::EncodeVerifier(key_.verifier);
}

void CheckpointSigner::Start() {
  // What was signed before this start was told then.
  if (Result<StoredCheckpoint> kept = log_.Checkpoint(std::nullopt); kept.ok()) {
    std::lock_guard lock(mu_);
    last_told_ = kept->size;
  }
  thread_ = std::thread([this] {
    std::unique_lock lock(mu_);
    while (!stopping_) {
      lock.unlock();
      if (Result<StoredCheckpoint> c = SignNow(); c.ok()) {
        spdlog::info("checkpoints: {} at {} events", key_.name, c->size);
      }
      lock.lock();
      if (interval_ms_ <= 0) {
        wake_.wait(lock, [this] { return stopping_; });
      } else {
        wake_.wait_for(lock, std::chrono::milliseconds(interval_ms_), [this] { return stopping_; });
      }
    }
  });
}

void CheckpointSigner::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

}  // namespace pathways::app

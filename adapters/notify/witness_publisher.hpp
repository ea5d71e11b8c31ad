#pragma once
// Publishes each newly signed checkpoint of the log to the witnesses the partnership chose
// (the notifications file's `witnesses`; docs/formats/merkle.md, "Witnesses"):
//
//   directory     SIZE.checkpoint and latest.checkpoint written into it (mode 0644)
//   email         a message with the checkpoint and the log's key, e.g. to the funder's auditor
//   webhook       a Standard Webhook `checkpoint.signed`, id `checkpoint_SIZE`
//   url           a C2SP tlog-witness: add-checkpoint with a consistency proof from the size
//                 it last cosigned; the cosignatures it answers are verified and kept
//
// A failed delivery is tried again on the notifications file's retry schedule; a newer
// checkpoint replaces one still waiting (it proves everything the older one did). Every
// delivery is idempotent for its receiver: a file of the same name, a webhook of the same id,
// an email of the same Message-ID.
//
// Thread-safe. Stop() (or the destructor) before the store closes.

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "adapters/notify/routing.hpp"
#include "engine/clock.hpp"
#include "engine/ports/log_proofs.hpp"
#include "engine/random.hpp"

namespace pathways::notify {

// How one witness stands, for the auditor's page and the API.
struct WitnessState {
  std::string name;
  std::string channel;          // directory | email | webhook | tlog-witness | key
  std::string key;              // its verifier key; empty: its cosignatures are not kept
  std::uint64_t delivered = 0;  // the largest checkpoint it has (0: none yet)
  TimestampMs delivered_at = 0;
  std::uint64_t waiting = 0;  // a checkpoint waiting for its next attempt (0: none)
  std::size_t failures = 0;   // failed attempts at the waiting one
  std::string last_error;
};

struct WitnessPublisherOptions {
  LogProofs* log = nullptr;                // REQUIRED; not owned
  std::shared_ptr<const Routing> routing;  // REQUIRED: the witnesses, SMTP, retry schedule
  std::string log_key;                     // the log's verifier key, told with each checkpoint
  const Clock* clock = nullptr;            // REQUIRED; the wall clock
  RandomSource* random = nullptr;          // retry jitter; null: the system CSPRNG
};

class WitnessPublisher {
 public:
  explicit WitnessPublisher(WitnessPublisherOptions options);
  ~WitnessPublisher();
  WitnessPublisher(const WitnessPublisher&) = delete;
  WitnessPublisher& operator=(const WitnessPublisher&) = delete;

  void Start();
  void Stop();

  // Queues `checkpoint` for every witness with a channel.
  void Publish(const StoredCheckpoint& checkpoint);

  std::vector<WitnessState> States() const;
  // The witnesses' keys, whose cosignatures are kept.
  const std::vector<audit::note::Verifier>& Keys() const { return keys_; }

 private:
  struct Witness;
  void Run();
  // One attempt at `w`'s waiting checkpoint: empty when delivered, else why not.
  std::string Deliver(Witness& w, const StoredCheckpoint& c);
  std::string DeliverToWitness(Witness& w, const StoredCheckpoint& c);

  WitnessPublisherOptions o_;
  CryptoRandom system_random_;
  std::vector<audit::note::Verifier> keys_;
  mutable std::mutex mu_;
  std::condition_variable wake_;
  std::vector<std::unique_ptr<Witness>> witnesses_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace pathways::notify

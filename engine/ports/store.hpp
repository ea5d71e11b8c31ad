#pragma once
// Store: every port of one store, owned together. Only the code that opens a store names its
// implementation (storage::RocksEventStore::Open); everything else takes the ports it uses:
//
//   EventStore       the hash-chained event log: append, read, subscribe; the vault
//   CommandExecutor  commands decided by the command processor and committed
//   PathwayQueries   pathway state and read models, refusals
//   TimerQueue       armed timers by due time
//   Outbox           notification requests and the adapters' own rows
//   StoreAdmin       verify, backup, export, statistics
//   LogProofs        the Merkle tree, its proofs and the signed checkpoints
//
// Thread-safe.

#include "engine/event_store.hpp"
#include "engine/ports/command_executor.hpp"
#include "engine/ports/log_proofs.hpp"
#include "engine/ports/outbox.hpp"
#include "engine/ports/pathway_queries.hpp"
#include "engine/ports/store_admin.hpp"
#include "engine/ports/timer_queue.hpp"

namespace pathways {

class Store : public EventStore,
              public CommandExecutor,
              public PathwayQueries,
              public TimerQueue,
              public Outbox,
              public StoreAdmin,
              public LogProofs {
 public:
  // Stops accepting writes and answers everything already queued; wakes subscriptions and
  // waiters. Reads keep working until the store is destroyed.
  virtual void Close() = 0;
};

}  // namespace pathways

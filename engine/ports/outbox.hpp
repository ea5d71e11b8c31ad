#pragma once
// Outbox: the engine's port for the adapters that act on what was committed. Notification
// requests land in the outbox in the same batch as the events that asked for them; an
// adapter reads them after its own checkpoint, keeps whatever it needs between attempts in
// rows of its own (opaque to the engine: keys and values are the adapter's), and prunes the
// outbox once every adapter is past a position.
//
// Adapter rows are written unsynced: the WAL keeps their order, and a crash that loses the
// last ones only makes an adapter redo work (at least once, by design).
//
// Implementations: storage::RocksEventStore. Thread-safe.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/result.hpp"

namespace pathways {

// Changes to adapter rows, applied in order and together.
class AdapterStateWrite {
 public:
  void Put(std::string key, std::string value) {
    ops_.push_back({std::move(key), std::move(value)});
  }
  void Delete(std::string key) { ops_.push_back({std::move(key), std::nullopt}); }

  struct Op {
    std::string key;
    std::optional<std::string> value;  // nullopt: delete
  };
  const std::vector<Op>& ops() const { return ops_; }

 private:
  std::vector<Op> ops_;
};

class Outbox {
 public:
  virtual ~Outbox() = default;

  // Outbox rows (notification requests with their pathway's facts) after position `after`,
  // in log order, at most `max`: (position, row). Corruption for a row that is not JSON.
  virtual Result<std::vector<std::pair<std::uint64_t, nlohmann::json>>> ReadOutbox(
      std::uint64_t after, std::size_t max) const = 0;
  // Drops outbox rows at or before `position` (every adapter is past them).
  virtual Status PruneOutbox(std::uint64_t position) = 0;

  // The log's last committed position.
  virtual std::uint64_t CommittedPosition() const = 0;
  // Waits until the committed head passes `after`, `timeout` passes, the store closes, or
  // Wake() has been called since WakeCount() returned `seen_wakes`; returns the head.
  virtual std::uint64_t WaitForCommit(std::uint64_t after, std::chrono::milliseconds timeout,
                                      std::uint64_t seen_wakes) const = 0;
  // Wakes every WaitForCommit. Read WakeCount() before looking for work, so a wake in
  // between is not lost.
  virtual void Wake() = 0;
  virtual std::uint64_t WakeCount() const = 0;

  // An adapter row, or nullopt when there is none.
  virtual Result<std::optional<std::string>> ReadState(std::string_view key) const = 0;
  // Applies `write` atomically.
  virtual Status WriteState(const AdapterStateWrite& write) = 0;
  // Visits the rows whose key starts with `prefix`, in key order from `start` (empty: from
  // the first), until `visit` returns false.
  virtual Status ScanState(
      std::string_view prefix, std::string_view start,
      const std::function<bool(std::string_view key, std::string_view value)>& visit) const = 0;
};

}  // namespace pathways

#pragma once
// The ESF+ report's second reader: a row whose indicator conditions read sealed items (the
// participant's health, disability, …) waits while a helper thread reads them, so the key read
// and decryption per participant overlap the scan of the rows. Internal to the reports
// (esf_counter.cpp).
//
// Thread-safe: Push from the scanning thread; Finish once, from that thread.

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "engine/runtime/pathway_state.hpp"

namespace pathways::app {

// A row waiting for its sealed items: what reading and counting them needs.
// Once read, `indicators` holds only those whose sealed conditions hold, and what was read to
// tell is let go: a row waits with its ids and a few numbers, not its items.
struct Waiting {
  std::string pathway_id;
  std::string participant_id;
  std::map<std::string, std::uint64_t> personal_at;  // where its sealed items are
  std::string cvr;
  int by_index = -1;
  std::vector<std::size_t> indicators;
};

// Reads the sealed items of waiting rows on a second thread while the rows are still being
// read, and on both threads once they all are: each Waiting is read by one of them.
class SealedReads {
 public:
  // Reads one row's items: `scratch` is a row for the reader to fill as it needs, kept per
  // thread so its maps keep their memory.
  using Read = std::function<void(Waiting& w, runtime::PathwayState& scratch)>;

  explicit SealedReads(Read read);
  ~SealedReads() { Finish(); }
  SealedReads(const SealedReads&) = delete;
  SealedReads& operator=(const SealedReads&) = delete;

  void Push(Waiting w);
  // Every row pushed: reads what is left here too, waits for the helper, and answers the rows,
  // each read, in the order they were pushed.
  std::deque<Waiting>& Finish();

 private:
  static constexpr std::size_t kChunk = 64;

  void Work();

  Read read_;
  std::mutex mu_;
  std::condition_variable wake_;
  std::deque<Waiting> items_;  // guarded by mu_ (each element by whoever took it)
  std::size_t next_ = 0;       // the first not taken
  bool done_ = false;
  std::thread helper_;  // last: it starts once the rest is ready
};

}  // namespace pathways::app

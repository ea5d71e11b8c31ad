// Helper process for crash_test.cpp: appends from several threads until killed, printing
// "<position> <command id>" on stdout for every append the store acknowledged.
// Usage: crash_writer DIR RUN

#include <unistd.h>

#include <cstdio>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "adapters/platform/system_clock.hpp"
#include "engine/storage/rocks_event_store.hpp"

int main(int argc, char** argv) {
  using namespace pathways;
  if (argc != 3) return 2;
  adapters::SystemClock clock;
  storage::StoreOptions o;
  o.dir = argv[1];
  o.create_if_missing = true;
  o.clock = &clock;
  auto store = storage::RocksEventStore::Open(o);
  if (!store.ok()) {
    std::fprintf(stderr, "%s\n", store.status().ToString().c_str());
    return 1;
  }
  const std::string run = argv[2];
  std::mutex out_mu;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0;; ++i) {
        AppendRequest r;
        r.stream_id = "crash-" + run + "-" + std::to_string(t);
        r.participant_id = "p-" + r.stream_id;
        r.command_id = r.stream_id + "-" + std::to_string(i);
        r.actor = {"crash", "test"};
        NewEvent e;
        e.type = "ContactRecorded";
        e.data = {{"i", i}};
        if (i == 0) e.personal[PersonalScope::kIdentity] = {{"name", "Crash Test"}};
        r.events.push_back(std::move(e));
        const std::string command_id = r.command_id;
        auto result = (*store)->Append(std::move(r));
        if (!result.ok()) {
          std::fprintf(stderr, "%s\n", result.status().ToString().c_str());
          std::_Exit(1);
        }
        // Acknowledged: only now may the test count on it. One write() per line, unbuffered.
        std::string line = std::to_string(result->first_position) + " " + command_id + "\n";
        std::lock_guard lock(out_mu);
        if (::write(STDOUT_FILENO, line.data(), line.size()) < 0) std::_Exit(1);
      }
    });
  }
  for (auto& th : threads) th.join();
}

#pragma once
// Shared pieces of the benchmarks: timing, percentiles, rounding, peak memory, concurrent
// writers, and the raw RocksDB limit every benchmark compares against in the same run.

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>
#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "engine/codec/bytes.hpp"
#include "engine/storage/rocks_event_store.hpp"
#include "tools/pathways/amigo_script.hpp"

namespace pathways::cli {

using SteadyClock = std::chrono::steady_clock;

inline double Seconds(SteadyClock::time_point from, SteadyClock::time_point to) {
  return std::chrono::duration<double>(to - from).count();
}

// CPU seconds (user + system) this process has used so far, all threads.
inline double ProcessCpuSeconds() {
  rusage u{};
  ::getrusage(RUSAGE_SELF, &u);
  auto s = [](const timeval& t) { return static_cast<double>(t.tv_sec) + t.tv_usec / 1e6; };
  return s(u.ru_utime) + s(u.ru_stime);
}

inline double PeakRssMb() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stod(line.substr(6)) / 1024.0;
  }
  return 0;
}

// Starts PeakRssMb over from the resident size now (Linux's clear_refs "5"), so a phase's peak
// can be told from the seeding's before it. False where the kernel does not allow it.
inline bool ResetPeakRss() {
  std::ofstream refs("/proc/self/clear_refs");
  refs << "5";
  refs.flush();
  return static_cast<bool>(refs);
}

// Percentile of latencies in milliseconds; sorts `ms`.
inline double Percentile(std::vector<double>& ms, double p) {
  if (ms.empty()) return 0;
  std::sort(ms.begin(), ms.end());
  auto i = static_cast<std::size_t>(p * static_cast<double>(ms.size() - 1) + 0.5);
  return ms[std::min(i, ms.size() - 1)];
}

// Rounds to `digits` decimals so the JSON shows 1.396, not 1.3960000000000001.
inline double Round(double v, int digits = 3) {
  const double scale = std::pow(10.0, digits);
  return std::round(v * scale) / scale;
}

// A realistic event of synthetic participant `participant`: the first carries personal data
// in both scopes, the rest are contacts padded to the payload size (bench_commands.cpp).
NewEvent SyntheticEvent(std::uint64_t participant, std::uint64_t version, int payload_bytes);

struct RunFigures {
  double seconds = 0;
  std::vector<double> latencies_ms;
  std::uint64_t errors = 0;

  void Add(const RunFigures& other) {
    seconds += other.seconds;
    latencies_ms.insert(latencies_ms.end(), other.latencies_ms.begin(), other.latencies_ms.end());
    errors += other.errors;
  }
};

// Runs `writers` threads that each call `one(writer, i)` for their share of `events` and
// times every call.
template <typename One>
inline RunFigures RunWriters(std::uint64_t events, int writers, One one) {
  RunFigures f;
  std::vector<std::vector<double>> per_writer(static_cast<std::size_t>(writers));
  std::atomic<std::uint64_t> errors{0};
  const auto w_count = static_cast<std::uint64_t>(writers);
  const auto start = SteadyClock::now();
  std::vector<std::thread> threads;
  for (int w = 0; w < writers; ++w) {
    threads.emplace_back([&, w] {
      const auto uw = static_cast<std::uint64_t>(w);
      const std::uint64_t share = events / w_count + (uw < events % w_count ? 1 : 0);
      auto& lat = per_writer[uw];
      lat.reserve(share);
      for (std::uint64_t i = 0; i < share; ++i) {
        const auto t0 = SteadyClock::now();
        if (!one(uw, i)) errors.fetch_add(1);
        lat.push_back(Seconds(t0, SteadyClock::now()) * 1000.0);
      }
    });
  }
  for (auto& t : threads) t.join();
  f.seconds = Seconds(start, SteadyClock::now());
  for (auto& l : per_writer) f.latencies_ms.insert(f.latencies_ms.end(), l.begin(), l.end());
  f.errors = errors.load();
  return f;
}

// A new store in the scratch directory `root` (whatever a previous run left there is removed
// first), on `clock`, running `catalog`'s definitions.
inline Result<std::unique_ptr<storage::RocksEventStore>> OpenScratchStore(
    const std::filesystem::path& root, const pathways::Clock& clock,
    std::shared_ptr<definition::DefinitionCatalog> catalog) {
  std::error_code ec;
  std::filesystem::remove_all(root, ec);
  std::filesystem::create_directories(root, ec);
  storage::StoreOptions o;
  o.dir = (root / "store").string();
  o.create_if_missing = true;
  o.clock = &clock;
  o.definitions = std::move(catalog);
  return storage::RocksEventStore::Open(o);
}

// A benchmark participant's command, by a counsellor, waited for; false when it failed.
inline bool Execute(CommandExecutor& store, const std::string& pathway,
                    const std::string& command_id, runtime::Command command) {
  CommandRequest r;
  r.pathway_id = pathway;
  r.participant_id = "p-" + pathway;
  r.command_id = command_id;
  r.actor = {"vejleder-1", "counsellor"};
  r.command = std::move(command);
  return store.Execute(std::move(r)).ok();
}

// Participant `p` of a benchmark's counsellor `bench` (pathway b-P, participant bp-P), walked
// through AMIGO's first `steps` steps (amigo_script.hpp): 2 is a lead with its contact person.
inline Status SeedBenchPathway(CommandExecutor& store, int p, int steps) {
  for (int step = 0; step < steps; ++step) {
    CommandRequest r;
    r.pathway_id = "b-" + std::to_string(p);
    r.participant_id = "bp-" + std::to_string(p);
    r.command_id = r.pathway_id + "-" + std::to_string(step);
    r.actor = {"bench", "counsellor"};
    r.command = AmigoStep(step, static_cast<std::uint64_t>(p), "bench");
    if (auto done = store.Execute(std::move(r)); !done.ok()) return done.status();
  }
  return Status::Ok();
}

// One round of the raw limit: synced single-Put WriteBatches of `value_bytes` from `writers`
// threads straight into RocksDB (whose own group commit merges concurrent writers). `round`
// keeps the rounds' keys apart.
inline RunFigures RunRawRound(rocksdb::DB& db, int writers, std::uint64_t events, int round,
                              std::size_t value_bytes) {
  const std::string value(value_bytes, 'v');
  const auto w_count = static_cast<std::uint64_t>(writers);
  return RunWriters(events, writers, [&](std::uint64_t w, std::uint64_t i) {
    rocksdb::WriteOptions wo;
    wo.sync = true;
    rocksdb::WriteBatch batch;
    std::string key = codec::BigU64(static_cast<std::uint64_t>(round));
    codec::PutBigU64(key, i * w_count + w);
    return batch.Put(key, value).ok() && db.Write(wo, &batch).ok();
  });
}

}  // namespace pathways::cli

// pathways bench append | verify: figures, not tests. Each prints one JSON object with the
// raw limit measured in the same run beside the store's own figure.

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "adapters/platform/system_clock.hpp"
#include "engine/audit/sha256.hpp"
#include "engine/codec/bytes.hpp"
#include "engine/storage/export.hpp"
#include "tools/pathways/bench_support.hpp"
#include "tools/pathways/cli_common.hpp"

namespace pathways::cli {
namespace {

namespace fs = std::filesystem;

struct AppendArgs {
  std::string dir;
  std::uint64_t events = 50000;
  int writers = 32;
  int payload_bytes = 256;
  int events_per_pathway = 10;
  int rounds = 4;
};

// One round of appends to the store. Writer w owns participants w, w+W, w+2W, ...; each
// pathway gets events_per_pathway events, the first with personal data. `round` keeps the
// rounds' pathways apart.
RunFigures RunStore(storage::RocksEventStore& store, const AppendArgs& a, std::uint64_t events,
                    int round) {
  const auto per_pathway = static_cast<std::uint64_t>(a.events_per_pathway);
  const auto writers = static_cast<std::uint64_t>(a.writers);
  return RunWriters(events, a.writers, [&](std::uint64_t w, std::uint64_t i) {
    // Build the request before the clock would matter: the tool's own work is not the store's.
    const std::uint64_t participant = (i / per_pathway) * writers + w;
    const std::uint64_t version = i % per_pathway + 1;
    const std::string id = std::to_string(round) + "-" + std::to_string(participant);
    AppendRequest r;
    r.stream_id = "pathway-" + id;
    r.participant_id = "p-" + id;
    r.expected = version == 1 ? ExpectedVersion::NoStream() : ExpectedVersion::Exact(version - 1);
    r.command_id = "bench-" + id + "-" + std::to_string(version);
    r.actor = {"counsellor-" + std::to_string(w % 8), "counsellor"};
    r.events.push_back(SyntheticEvent(participant, version, a.payload_bytes));
    return store.Append(std::move(r)).ok();
  });
}

void RemoveBenchDirs(const std::string& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  for (const char* name : {"bench-store", "bench-store.master-key", "bench-raw"}) {
    fs::remove_all(fs::path(dir) / name, ec);
  }
}

void AddBenchAppend(Command bench) {
  Command cmd = bench.Sub("append", "durable appends against raw RocksDB");
  auto a = std::make_shared<AppendArgs>();
  cmd.Add("--dir", a->dir, "scratch directory (bench-store and bench-raw go inside)").Required();
  cmd.Add("--events", a->events, "events to append (default 50000)").Positive();
  cmd.Add("--writers", a->writers, "concurrent writers (default 32)").Range(1, 1024);
  cmd.Add("--payload-bytes", a->payload_bytes, "plain data per event (default 256)")
      .Range(16, 1 << 20);
  cmd.Add("--events-per-pathway", a->events_per_pathway, "default 10").Range(1, 1000000);
  cmd.Add("--rounds", a->rounds,
          "alternate store and raw runs this many times (default 4): the disk's speed "
          "drifts, and alternating shares the drift fairly")
      .Range(1, 100);
  cmd.OnRun([a] {
    RemoveBenchDirs(a->dir);
    adapters::SystemClock clock;
    storage::StoreOptions o;
    o.dir = (fs::path(a->dir) / "bench-store").string();
    o.create_if_missing = true;
    o.clock = &clock;
    auto store = storage::RocksEventStore::Open(o);
    if (!store.ok()) {
      ExitCode() = Fail("bench append", store.status());
      return;
    }
    rocksdb::Options raw_options;
    raw_options.create_if_missing = true;
    rocksdb::DB* raw_db = nullptr;
    rocksdb::Status st =
        rocksdb::DB::Open(raw_options, (fs::path(a->dir) / "bench-raw").string(), &raw_db);
    if (!st.ok()) {
      ExitCode() = Fail("bench append", Status::IOError(st.ToString()));
      return;
    }
    std::unique_ptr<rocksdb::DB> raw_owner(raw_db);

    RunFigures ours;
    RunFigures raw;
    std::size_t value_bytes = 0;
    for (int round = 0; round < a->rounds; ++round) {
      const std::uint64_t events =
          a->events / static_cast<std::uint64_t>(a->rounds) +
          (round == 0 ? a->events % static_cast<std::uint64_t>(a->rounds) : 0);
      ours.Add(RunStore(**store, *a, events, round));
      if (round == 0) {
        // The raw run writes values as large as the store's average event value.
        std::uint64_t sampled = 0;
        std::uint64_t bytes = 0;
        IgnoreError((*store)->Scan(1,
                                   [&](const codec::EventView& v) {
                                     bytes += v.record.size() + 2 * codec::kHashSize;
                                     return ++sampled < 1000;
                                   }),
                    "sizing only");
        value_bytes = sampled == 0 ? static_cast<std::size_t>(a->payload_bytes) : bytes / sampled;
      }
      raw.Add(RunRawRound(*raw_db, a->writers, events, round, value_bytes));
    }
    const WriterStats stats = (*store)->Stats();
    const double ours_rate = static_cast<double>(a->events) / ours.seconds;
    const double raw_rate = static_cast<double>(a->events) / raw.seconds;
    nlohmann::json out = {
        {"bench", "append"},
        {"events", a->events},
        {"writers", a->writers},
        {"payload_bytes", a->payload_bytes},
        {"value_bytes", value_bytes},
        {"rounds", a->rounds},
        {"seconds", Round(ours.seconds)},
        {"events_per_s", Round(ours_rate, 0)},
        {"p50_ms", Round(Percentile(ours.latencies_ms, 0.50))},
        {"p99_ms", Round(Percentile(ours.latencies_ms, 0.99))},
        {"errors", ours.errors},
        {"batches", stats.batches},
        {"events_per_batch",
         Round(static_cast<double>(stats.events) /
                   static_cast<double>(std::max<std::uint64_t>(1, stats.batches)),
               1)},
        {"raw_seconds", Round(raw.seconds)},
        {"raw_events_per_s", Round(raw_rate, 0)},
        {"raw_p50_ms", Round(Percentile(raw.latencies_ms, 0.50))},
        {"raw_p99_ms", Round(Percentile(raw.latencies_ms, 0.99))},
        {"raw_errors", raw.errors},
        {"ratio", Round(ours_rate / raw_rate)},
        {"peak_rss_mb", Round(PeakRssMb(), 1)},
    };
    std::printf("%s\n", out.dump().c_str());
    ExitCode() = ours.errors == 0 && raw.errors == 0 ? kExitOk : kExitError;
  });
}

void AddBenchVerify(Command bench) {
  Command cmd =
      bench.Sub("verify", "verify and export speed against raw SHA-256 over the same bytes");
  auto dir = std::make_shared<std::string>();
  cmd.Add("--dir", *dir, "the directory of a `bench append` run").Required();
  cmd.OnRun([dir] {
    storage::StoreOptions o;
    o.dir = (fs::path(*dir) / "bench-store").string();
    o.read_only = true;
    o.load_master_key = false;
    auto store = storage::RocksEventStore::Open(o);
    if (!store.ok()) {
      ExitCode() = Fail("bench verify", store.status());
      return;
    }
    // The chain and the index alone first, then everything `pathways verify` checks: the
    // difference is what checking the Merkle tree costs.
    auto t0 = SteadyClock::now();
    VerifyOptions chain_only;
    chain_only.tree = false;
    IgnoreError((*store)->Verify(chain_only).status(), "the full verify below reports");
    const double chain_s = Seconds(t0, SteadyClock::now());
    t0 = SteadyClock::now();
    Result<VerifyReport> report = (*store)->Verify();
    const double verify_s = Seconds(t0, SteadyClock::now());
    if (!report.ok() || !report->ok) {
      ExitCode() =
          Fail("bench verify", report.ok() ? Status::Corruption(report->problem) : report.status());
      return;
    }

    // Raw: the same messages (prev_hash || record of every event) hashed from memory, 64 MiB
    // at a time so memory stays bounded; only the hashing is timed.
    double raw_s = 0;
    std::string chunk;
    std::vector<std::pair<std::size_t, std::size_t>> messages;
    audit::Sha256 sha;
    auto hash_chunk = [&] {
      const auto h0 = SteadyClock::now();
      for (auto [offset, size] : messages) {
        sha.Update(chunk.data() + offset, size);
        Hash256 digest = sha.Final();
        asm volatile("" : : "r"(digest.data()) : "memory");  // keep the work
      }
      raw_s += Seconds(h0, SteadyClock::now());
      chunk.clear();
      messages.clear();
    };
    IgnoreError((*store)->Scan(1,
                               [&](const codec::EventView& v) {
                                 messages.emplace_back(chunk.size(), 32 + v.record.size());
                                 chunk.append(v.prev_hash);
                                 chunk.append(v.record);
                                 if (chunk.size() > (64u << 20)) hash_chunk();
                                 return true;
                               }),
                "the verify above read the same events");
    hash_chunk();

    std::FILE* null = std::fopen("/dev/null", "w");
    t0 = SteadyClock::now();
    Result<std::uint64_t> exported = storage::ExportLog(**store, {}, null);
    const double export_s = Seconds(t0, SteadyClock::now());
    std::fclose(null);

    const double mb = static_cast<double>(report->bytes) / 1e6;
    nlohmann::json out = {
        {"bench", "verify"},
        {"events", report->events},
        {"mb", Round(mb, 1)},
        {"verify_seconds", Round(verify_s)},
        {"verify_events_per_s", Round(static_cast<double>(report->events) / verify_s, 1)},
        {"verify_mb_per_s", Round(mb / verify_s, 1)},
        {"raw_sha256_mb_per_s", Round(mb / raw_s, 1)},
        {"ratio", Round((mb / verify_s) / (mb / raw_s))},
        {"tree_nodes", report->tree_nodes},
        {"verify_without_tree_seconds", Round(chain_s)},
        {"tree_share", Round((verify_s - chain_s) / verify_s)},
        {"export_seconds", Round(export_s)},
        {"export_events_per_s",
         Round(static_cast<double>(exported.ok() ? *exported : 0) / export_s, 1)},
        {"peak_rss_mb", Round(PeakRssMb(), 1)},
    };
    std::printf("%s\n", out.dump().c_str());
  });
}

}  // namespace

// A realistic event of synthetic participant `participant`: the first carries personal data
// in both scopes, the rest are contacts padded to the payload size.
NewEvent SyntheticEvent(std::uint64_t participant, std::uint64_t version, int payload_bytes) {
  NewEvent e;
  if (version == 1) {
    e.type = "LeadRegistered";
    e.data = {{"referral_source", "jobcenter"}, {"track", "EUV3"}, {"age_band", "25-29"}};
    e.personal[PersonalScope::kIdentity] = {
        {"name", "Deltager " + std::to_string(participant)},
        {"cpr", "010190-" + std::to_string(1000 + participant % 9000)},
        {"phone", "+45 20 00 00 00"}};
    e.personal[PersonalScope::kGuidance] = {{"barriers", {"reading"}}};
  } else {
    e.type = "ContactRecorded";
    e.data = {{"channel", "phone"}, {"minutes", 15}, {"outcome", "reached"}};
  }
  const int pad = payload_bytes - static_cast<int>(e.data.dump().size()) - 10;
  if (pad > 0) e.data["pad"] = std::string(static_cast<std::size_t>(pad), 'x');
  return e;
}

void AddBenchCommands(Command app) {
  Command bench = app.Sub("bench", "benchmarks that print figures as JSON");
  bench.RequireSubcommand();
  AddBenchAppend(bench);
  AddBenchVerify(bench);
  AddBenchPathways(bench);
  AddBenchHttp(bench);
  AddBenchWeb(bench);
  AddBenchNotify(bench);
  AddBenchReports(bench);
  AddBenchProofs(bench);
}

}  // namespace pathways::cli

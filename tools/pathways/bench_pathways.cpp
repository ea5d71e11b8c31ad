// pathways bench pathways: participants driven through the AMIGO pathway end to end
// (Decide/Apply, state and projection rows, timers, outbox, all in the commit), against the
// raw RocksDB limit of the same run; then a sweep of many timers falling due at once.

#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "engine/runtime/timer_scheduler.hpp"
#include "tools/pathways/amigo_script.hpp"
#include "tools/pathways/bench_support.hpp"
#include "tools/pathways/cli_common.hpp"

namespace pathways::cli {
namespace {

namespace fs = std::filesystem;

struct Args {
  std::string dir;
  std::string workflow = "config/workflows/amigo.yaml";
  std::uint64_t participants = 2000;
  int writers = 32;
  int rounds = 2;
  std::uint64_t timers = 100000;
};

runtime::Command Step(int step, std::uint64_t participant) {
  return AmigoStep(step, participant, "vejleder-" + std::to_string(participant % 8));
}
constexpr int kSteps = kAmigoSteps;

std::size_t AverageValueBytes(const storage::RocksEventStore& store) {
  std::uint64_t n = 0;
  std::uint64_t bytes = 0;
  IgnoreError(store.Scan(1,
                         [&](const codec::EventView& v) {
                           bytes += v.record.size() + 2 * codec::kHashSize;
                           return ++n < 2000;
                         }),
              "sizing only");
  return n == 0 ? 300 : bytes / n;
}

}  // namespace

void AddBenchPathways(Command bench) {
  Command cmd = bench.Sub("pathways", "participants through the AMIGO pathway end to end");
  auto a = std::make_shared<Args>();
  cmd.Add("--dir", a->dir, "scratch directory (bench-pathways and bench-raw inside)").Required();
  cmd.Add("--participants", a->participants,
          "participants driven lead to completion "
          "(default 2000, 10 commands each)")
      .Positive();
  cmd.Add("--writers", a->writers, "concurrent writers (default 32)").Range(1, 1024);
  cmd.Add("--rounds", a->rounds, "alternations of store and raw runs (default 2)").Range(1, 100);
  cmd.Add("--timers", a->timers, "timers made due at once for the sweep (default 100000)");
  cmd.Add("--workflow", a->workflow, "the definition (default config/workflows/amigo.yaml)");
  cmd.OnRun([a] {
    auto catalog = LoadCatalog({a->workflow});
    if (catalog == nullptr) return;
    std::error_code ec;
    for (const char* name : {"bench-pathways", "bench-pathways.master-key", "bench-raw",
                             "bench-pathways-no-tree", "bench-pathways-no-tree.master-key"}) {
      fs::remove_all(fs::path(a->dir) / name, ec);
    }
    fs::create_directories(a->dir, ec);
    ManualClock clock(1772442000000);  // 2026-03-02T09:00Z: timers are moved by hand
    storage::StoreOptions o;
    o.dir = (fs::path(a->dir) / "bench-pathways").string();
    o.create_if_missing = true;
    o.clock = &clock;
    o.definitions = catalog;
    auto store = storage::RocksEventStore::Open(o);
    // The same commands on a store that keeps no Merkle tree: what the tree costs a command.
    storage::StoreOptions bare_options = o;
    bare_options.dir = (fs::path(a->dir) / "bench-pathways-no-tree").string();
    bare_options.merkle_tree = false;
    auto bare = storage::RocksEventStore::Open(bare_options);
    if (!store.ok() || !bare.ok()) {
      ExitCode() = Fail("bench pathways", store.ok() ? bare.status() : store.status());
      return;
    }
    rocksdb::Options raw_options;
    raw_options.create_if_missing = true;
    rocksdb::DB* raw_db = nullptr;
    if (!rocksdb::DB::Open(raw_options, (fs::path(a->dir) / "bench-raw").string(), &raw_db).ok()) {
      ExitCode() = Fail("bench pathways", Status::IOError("cannot open the raw database"));
      return;
    }
    std::unique_ptr<rocksdb::DB> raw_owner(raw_db);

    // ---- commands, alternating with the raw limit ----
    RunFigures ours;
    RunFigures raw;
    const auto writers = static_cast<std::uint64_t>(a->writers);
    const WriterStats before = (*store)->Stats();
    const WriterStats bare_before = (*bare)->Stats();
    std::size_t value_bytes = 0;  // the raw run writes values as large as the store's events
    double commands_cpu_s = 0;
    double bare_cpu_s = 0;
    double raw_cpu_s = 0;
    RunFigures without_tree;
    for (int round = 0; round < a->rounds; ++round) {
      const std::uint64_t participants = a->participants / static_cast<std::uint64_t>(a->rounds);
      const std::uint64_t commands = participants * kSteps;
      // Writer w drives its participants one command at a time, as counsellors would.
      auto drive = [&](storage::RocksEventStore& into) {
        return RunWriters(commands, a->writers, [&](std::uint64_t w, std::uint64_t i) {
          const std::uint64_t participant = (i / kSteps) * writers + w;
          const std::string pathway =
              "r" + std::to_string(round) + "-" + std::to_string(participant);
          return Execute(into, pathway, pathway + "-" + std::to_string(i % kSteps),
                         Step(static_cast<int>(i % kSteps), participant));
        });
      };
      // Which store goes first alternates, so neither always meets the other's compactions.
      auto with_tree = [&] {
        const double t0 = ProcessCpuSeconds();
        ours.Add(drive(**store));
        commands_cpu_s += ProcessCpuSeconds() - t0;
      };
      auto no_tree = [&] {
        const double t0 = ProcessCpuSeconds();
        without_tree.Add(drive(**bare));
        bare_cpu_s += ProcessCpuSeconds() - t0;
      };
      if (round % 2 == 0) {
        with_tree();
        no_tree();
      } else {
        no_tree();
        with_tree();
      }
      if (value_bytes == 0) value_bytes = AverageValueBytes(**store);
      const double raw_cpu0 = ProcessCpuSeconds();
      raw.Add(RunRawRound(*raw_db, a->writers, commands, round, value_bytes));
      raw_cpu_s += ProcessCpuSeconds() - raw_cpu0;
    }
    const WriterStats stats = (*store)->Stats();
    const double commands = static_cast<double>(ours.latencies_ms.size());
    const double events = static_cast<double>(stats.events - before.events);

    // ---- the timer sweep: many leads whose first-contact timers fall due at once ----
    RunFigures setup = RunWriters(a->timers, a->writers, [&](std::uint64_t w, std::uint64_t i) {
      const std::string pathway = "t-" + std::to_string(i * writers + w);
      return Execute(**store, pathway, pathway + "-lead", Step(0, i));
    });
    clock.Advance(14LL * 86'400'000);
    const auto t0 = SteadyClock::now();
    const double cpu0 = ProcessCpuSeconds();
    Result<runtime::TimerSweep> sweep =
        runtime::FireDueTimers(**store, **store, clock.NowMs(), a->timers);
    const double sweep_s = Seconds(t0, SteadyClock::now());
    const double sweep_cpu_s = ProcessCpuSeconds() - cpu0;

    const double rate = commands / ours.seconds;
    const double raw_rate = commands / raw.seconds;
    nlohmann::json out = {
        {"bench", "pathways"},
        {"participants", a->participants},
        {"writers", a->writers},
        {"commands", ours.latencies_ms.size()},
        {"events", stats.events - before.events},
        {"events_per_command", Round(events / commands, 2)},
        {"keys_per_command", Round(static_cast<double>(stats.keys - before.keys) / commands, 2)},
        {"bytes_per_command", Round(static_cast<double>(stats.bytes - before.bytes) / commands, 0)},
        {"batches", stats.batches - before.batches},
        {"seconds", Round(ours.seconds)},
        {"commands_per_s", Round(rate, 0)},
        {"events_per_s", Round(events / ours.seconds, 0)},
        {"cpu_us_per_command", Round(commands_cpu_s * 1e6 / commands, 1)},
        {"no_tree_cpu_us_per_command", Round(bare_cpu_s * 1e6 / commands, 1)},
        {"tree_cpu_share", Round((commands_cpu_s - bare_cpu_s) / bare_cpu_s, 3)},
        {"no_tree_commands_per_s", Round(commands / without_tree.seconds, 0)},
        {"no_tree_errors", without_tree.errors},
        {"no_tree_keys_per_command",
         Round(static_cast<double>((*bare)->Stats().keys - bare_before.keys) / commands, 2)},
        {"p50_ms", Round(Percentile(ours.latencies_ms, 0.50))},
        {"p99_ms", Round(Percentile(ours.latencies_ms, 0.99))},
        {"errors", ours.errors},
        {"raw_events_per_s", Round(raw_rate, 0)},
        {"raw_value_bytes", value_bytes},
        {"raw_p99_ms", Round(Percentile(raw.latencies_ms, 0.99))},
        {"raw_cpu_us_per_write", Round(raw_cpu_s * 1e6 / commands, 1)},
        {"ratio", Round(rate / raw_rate)},
        {"timers", a->timers},
        {"timer_setup_errors", setup.errors},
        {"timers_fired", sweep.ok() ? sweep->fired : 0},
        {"timers_seconds", Round(sweep_s)},
        {"timers_cpu_seconds", Round(sweep_cpu_s)},
        {"timers_per_s", Round(sweep.ok() ? static_cast<double>(sweep->fired) / sweep_s : 0, 0)},
        {"peak_rss_mb", Round(PeakRssMb(), 1)},
    };
    std::printf("%s\n", out.dump().c_str());
    ExitCode() = ours.errors == 0 && without_tree.errors == 0 && sweep.ok() && setup.errors == 0
                     ? kExitOk
                     : kExitError;
  });
}

}  // namespace pathways::cli

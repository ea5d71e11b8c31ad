// pathways bench proofs: the log's Merkle tree at scale (default 1,000,000 events): inclusion
// and consistency proofs read from the stored nodes, and checkpoints signed, each against the
// raw limit measured in the same run (a RocksDB point read per node a proof needs; one Ed25519
// signature). Targets (issue 28): proofs < 5 ms, signing < 2 ms.

#include <future>
#include <nlohmann/json.hpp>
#include <random>

#include "adapters/platform/system_clock.hpp"
#include "engine/audit/checkpoint.hpp"
#include "engine/audit/merkle.hpp"
#include "engine/audit/note.hpp"
#include "tools/pathways/bench_support.hpp"
#include "tools/pathways/cli_common.hpp"

namespace pathways::cli {
namespace {

namespace fs = std::filesystem;
namespace merkle = audit::merkle;
namespace note = audit::note;

constexpr std::size_t kBatch = 500;  // appends per batch while filling

// Appends `n` one-event commands in batches; false on the first failure.
bool Fill(Store& store, std::uint64_t from, std::uint64_t n) {
  for (std::uint64_t done = 0; done < n;) {
    std::vector<AppendRequest> batch;
    for (; batch.size() < kBatch && done < n; ++done) {
      const std::uint64_t i = from + done;
      AppendRequest r;
      r.stream_id = "pathway-" + std::to_string(i % 50'000);
      r.participant_id = "p-" + std::to_string(i % 50'000);
      r.command_id = "fill-" + std::to_string(i);
      r.actor = {"counsellor-1", "counsellor"};
      r.events.push_back(SyntheticEvent(i % 50'000, i / 50'000 + 1, 200));
      batch.push_back(std::move(r));
    }
    std::promise<bool> ok;
    store.AppendBatchAsync(std::move(batch), [&ok](Result<std::vector<Result<AppendResult>>> r) {
      bool all = r.ok();
      if (all) {
        for (const auto& one : *r) all = all && one.ok();
      }
      ok.set_value(all);
    });
    if (!ok.get_future().get()) return false;
  }
  return true;
}

template <typename F>
double TimeMs(F&& f) {
  const auto t0 = SteadyClock::now();
  f();
  return Seconds(t0, SteadyClock::now()) * 1000.0;
}

}  // namespace

void AddBenchProofs(Command bench) {
  struct Args {
    std::string dir;
    unsigned long events = 1'000'000;
    int rounds = 200;
  };
  auto a = std::make_shared<Args>();
  Command cmd = bench.Sub("proofs", "inclusion and consistency proofs and checkpoint signing");
  cmd.Add("--dir", a->dir, "scratch directory (a store is created in it)").Required();
  cmd.Add("--events", a->events, "events in the log (default 1000000)").Positive();
  cmd.Add("--rounds", a->rounds, "proofs and signatures measured (default 200)").Range(1, 100000);
  cmd.OnRun([a] {
    std::error_code ec;
    const std::string dir = (fs::path(a->dir) / "bench-proofs").string();
    fs::create_directories(a->dir, ec);
    fs::remove_all(dir, ec);
    fs::remove(dir + ".master-key", ec);
    adapters::SystemClock clock;
    storage::StoreOptions o;
    o.dir = dir;
    o.create_if_missing = true;
    o.clock = &clock;
    auto opened = storage::RocksEventStore::Open(o);
    if (!opened.ok()) {
      ExitCode() = Fail("bench proofs", opened.status());
      return;
    }
    storage::RocksEventStore& store = **opened;
    CryptoRandom random;
    Result<note::Signer> key = note::GenerateSigner("bench.example/log", random);
    if (!key.ok()) {
      ExitCode() = Fail("bench proofs", key.status());
      return;
    }
    const auto fill_t0 = SteadyClock::now();
    const std::uint64_t half = a->events / 2;
    if (!Fill(store, 0, half) || !store.SignCheckpoint(*key).ok() ||
        !Fill(store, half, a->events - half)) {
      ExitCode() = Fail("bench proofs", Status::IOError("filling the store failed"));
      return;
    }
    const double fill_s = Seconds(fill_t0, SteadyClock::now());
    const TreeHead head = *store.TreeAt(std::nullopt);

    std::mt19937_64 rng(28);
    std::vector<double> inclusion, consistency, verify, sign, raw_reads, raw_sign;
    std::size_t proof_hashes = 0;
    bool all_ok = true;
    for (int r = 0; r < a->rounds; ++r) {
      const std::uint64_t position = rng() % head.size + 1;
      Result<std::vector<Hash256>> path = Status::Ok();
      inclusion.push_back(TimeMs([&] { path = store.InclusionProof(position, head.size); }));
      all_ok = all_ok && path.ok();
      if (!path.ok()) break;
      proof_hashes = path->size();
      const Hash256 leaf = merkle::LeafHash(*store.LeafEntry(position));
      verify.push_back(TimeMs([&] {
        all_ok =
            all_ok && merkle::VerifyInclusion(position - 1, head.size, leaf, *path, head.root).ok();
      }));
      const std::uint64_t old = rng() % head.size + 1;
      Result<std::vector<Hash256>> co = Status::Ok();
      consistency.push_back(TimeMs([&] { co = store.ConsistencyProof(old, head.size); }));
      all_ok = all_ok && co.ok();
    }
    // The raw limit of a proof: as many RocksDB point reads of the tree's rows as it has
    // hashes, in a plain RocksDB holding one 32-byte row per event.
    {
      rocksdb::Options ro;
      ro.create_if_missing = true;
      rocksdb::DB* raw = nullptr;
      const std::string raw_dir = (fs::path(a->dir) / "bench-proofs-raw").string();
      fs::remove_all(raw_dir, ec);
      if (rocksdb::DB::Open(ro, raw_dir, &raw).ok()) {
        std::unique_ptr<rocksdb::DB> owner(raw);
        rocksdb::WriteBatch batch;
        const std::string value(32, 'h');
        for (std::uint64_t i = 0; i < head.size; ++i) {
          bool written = batch.Put(codec::BigU64(i), value).ok();
          if (batch.Count() >= 100'000) {
            written = written && raw->Write({}, &batch).ok();
            batch.Clear();
          }
          all_ok = all_ok && written;
        }
        all_ok = all_ok && raw->Write({}, &batch).ok();
        std::string got;
        for (int r = 0; r < a->rounds; ++r) {
          raw_reads.push_back(TimeMs([&] {
            for (std::size_t i = 0; i < proof_hashes; ++i) {
              all_ok = raw->Get({}, codec::BigU64(rng() % head.size), &got).ok() && all_ok;
            }
          }));
        }
      }
      fs::remove_all(raw_dir, ec);
    }
    for (int r = 0; r < std::min(a->rounds, 100); ++r) {
      if (!Fill(store, a->events + static_cast<std::uint64_t>(r), 1)) break;
      Result<StoredCheckpoint> c = Status::Ok();
      sign.push_back(TimeMs([&] { c = store.SignCheckpoint(*key); }));
      all_ok = all_ok && c.ok();
      const std::string text = "bench.example/log\n1\n" + std::string(44, 'A') + "\n";
      raw_sign.push_back(TimeMs([&] { IgnoreError(note::Sign(text, *key).status(), "bench"); }));
    }

    const double inclusion_p99 = Percentile(inclusion, 0.99);
    const double consistency_p99 = Percentile(consistency, 0.99);
    const double sign_p99 = Percentile(sign, 0.99);
    nlohmann::json out = {
        {"bench", "proofs"},
        {"events", head.size},
        {"fill_seconds", Round(fill_s, 1)},
        {"proof_hashes", proof_hashes},
        {"inclusion_p50_ms", Round(Percentile(inclusion, 0.5))},
        {"inclusion_p99_ms", Round(inclusion_p99)},
        {"inclusion_verify_p50_ms", Round(Percentile(verify, 0.5))},
        {"consistency_p50_ms", Round(Percentile(consistency, 0.5))},
        {"consistency_p99_ms", Round(consistency_p99)},
        {"raw_reads_per_proof_p50_ms", Round(Percentile(raw_reads, 0.5))},
        {"inclusion_p50_over_raw",
         Round(Percentile(inclusion, 0.5) / std::max(Percentile(raw_reads, 0.5), 1e-6))},
        {"sign_p50_ms", Round(Percentile(sign, 0.5))},
        {"sign_p99_ms", Round(sign_p99)},
        {"raw_ed25519_p50_ms", Round(Percentile(raw_sign, 0.5), 4)},
        {"all_verified", all_ok},
        {"peak_rss_mb", Round(PeakRssMb(), 1)},
        {"targets_met", all_ok && inclusion_p99 < 5 && consistency_p99 < 5 && sign_p99 < 2}};
    std::printf("%s\n", out.dump().c_str());
    opened->reset();
    fs::remove_all(dir, ec);
    fs::remove(dir + ".master-key", ec);
  });
}

}  // namespace pathways::cli

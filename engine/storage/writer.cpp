// The store's group commit: the queue, the writer role, one synced WriteBatch per group (each
// request staged by group_stager.cpp), and the answers, given only once the batch is durable.

#include <spdlog/spdlog.h>

#include <future>

#include "engine/codec/bytes.hpp"
#include "engine/storage/group_stager.hpp"
#include "engine/storage/pathway_rows.hpp"
#include "engine/storage/rocks_status.hpp"
#include "engine/storage/store_format.hpp"
#include "engine/storage/store_impl.hpp"

namespace pathways::storage {
namespace {

// Requests taken from the queue per WriteBatch: bounds one batch's latency and memory.
constexpr std::size_t kMaxGroup = 512;
// Past this many cached streams the cache starts over; lookups fall back to the index.
constexpr std::size_t kMaxCachedStreams = 200000;
// Past this many cached pathway states (or command results) the cache starts over. A state
// costs about a kilobyte in memory; a miss costs a read of its binary row, cheaper than the
// page faults of a cache five times as large (measured with 100,000 timers due at once).
// Command results serve only retries, which come soon after the first try.
constexpr std::size_t kMaxCachedPathways = 20000;
constexpr std::size_t kMaxCachedCommands = 20000;
// Requests waiting at the end of staging from which the next group is staged during the write:
// enough for a group worth its own sync. At 32 writers half of them wait while the other half's
// group is staged; overlapping the next staging with the write took bench pathways from
// 4.0-4.1 K to 4.6-5.0 K commands/s (bench append unchanged), where 256 never pipelined it.
constexpr std::size_t kPipelineBacklog = 16;

std::string EncodeHead(const ChainHead& head) {
  std::string v;
  codec::PutU64(v, head.position);
  v.append(reinterpret_cast<const char*>(head.hash.data()), head.hash.size());
  return v;
}

// Moves a staged group's entries into a cache of the writer role and returns their ids. When
// the cache starts over, the previous group's entries stay: its write may not have returned
// yet, and until it has, the stored rows do not show it.
template <typename Map>
std::vector<std::string> Publish(Map& cache, const std::vector<std::string>& previous, Map& staged,
                                 std::size_t limit) {
  if (cache.size() + staged.size() > limit) {
    Map kept;
    for (const std::string& id : previous) {
      if (auto it = cache.find(id); it != cache.end()) kept.insert(std::move(*it));
    }
    cache.swap(kept);
  }
  std::vector<std::string> ids;
  ids.reserve(staged.size());
  for (auto& [id, value] : staged) {
    ids.push_back(id);
    cache.insert_or_assign(id, std::move(value));
  }
  return ids;
}

}  // namespace

void RocksEventStore::Impl::RunGroup(std::vector<Pending>& group) {
  std::vector<Result<AppendResult>> results;
  results.reserve(group.size());
  auto answer = [&] {
    stat_appends.fetch_add(group.size(), std::memory_order_relaxed);
    for (std::size_t i = 0; i < group.size(); ++i) group[i].done(std::move(results[i]));
  };

  // ---- stage (writer role) ----
  // Reserved up front: a group of commands writes a few kilobytes each, and growing the batch
  // by doubling copies it and faults in fresh pages again and again.
  rocksdb::WriteBatch batch(group.size() * 2048);
  std::unordered_map<std::string, std::int64_t> count_totals;
  // First, since resuming starts the staged state over.
  Status commit = Failure();
  if (commit.code() == StatusCode::kStorageFull) commit = TryResume();
  GroupState g;
  g.head = staged_head;
  g.tree = staged_tree;
  const std::uint64_t start_position = g.head.position;
  bool fatal = !commit.ok();
  if (!fatal) {
    for (Pending& p : group) {
      results.push_back(StageRequest(*this, batch, g, p.request, fatal));
      if (fatal) {
        commit = results.back().status();
        break;
      }
    }
  }
  const bool appended = g.head.position != start_position;
  if (!fatal && appended) {
    commit = StageCounts(*this, batch, g.count_deltas, count_totals);
    if (commit.ok()) {
      commit = FromRocks(batch.Put(meta, std::string(meta::kHead), EncodeHead(g.head)),
                         "staging the head");
    }
  }
  const bool write = commit.ok() && (appended || g.rejections > 0);
  if (commit.ok()) {
    // The next group is staged on top of this one, before this one's write returns.
    key_ring->Commit();
    staged_head = g.head;
    staged_tree = g.tree;
    last_staged = {Publish(stream_cache, last_staged.streams, g.streams, kMaxCachedStreams),
                   Publish(pathway_cache, last_staged.pathways, g.pathways, kMaxCachedPathways),
                   Publish(command_cache, last_staged.commands, g.commands, kMaxCachedCommands)};
    for (const auto& [key, total] : count_totals) count_cache[key] = total;
  } else {
    key_ring->Abandon();
  }

  // ---- write, in staging order ----
  std::unique_lock order(write_order_mu);
  // With a backlog, the next group is staged while this one syncs; otherwise the role is kept
  // through the write, so the next group gathers everything that arrives meanwhile (small
  // groups would cost a sync each).
  const bool pipelined = stat_queue_depth.load(std::memory_order_relaxed) >= kPipelineBacklog;
  if (pipelined) ReleaseWriterRole();
  // A failed write of the previous group fails this one too, even one with nothing to write
  // (a duplicate may have been answered from that group's staged entries).
  if (commit.ok()) commit = Failure();
  if (write && commit.ok()) {
    rocksdb::WriteOptions wo;
    wo.sync = true;
    // After a failed synced write RocksDB refuses further writes; so do we, with the reason.
    if (rocksdb::Status s = db->Write(wo, &batch); !s.ok()) commit = WriteFailed(s);
  }
  if (commit.ok() && appended) {
    {
      std::lock_guard lock(head_mu);
      head = g.head;
      head_position.store(g.head.position, std::memory_order_release);
    }
    head_cv.notify_all();
    stat_batches.fetch_add(1, std::memory_order_relaxed);
    stat_events.fetch_add(g.head.position - start_position, std::memory_order_relaxed);
  }
  if (commit.ok() && write) {
    stat_keys.fetch_add(batch.Count(), std::memory_order_relaxed);
    stat_bytes.fetch_add(batch.GetDataSize(), std::memory_order_relaxed);
  }
  order.unlock();
  if (!pipelined) ReleaseWriterRole();

  if (!commit.ok()) {
    results.resize(group.size(), Result<AppendResult>(commit));
    for (Result<AppendResult>& r : results) {
      if (r.ok()) r = commit;
    }
  }
  answer();
}

Status RocksEventStore::Impl::WriteFailed(const rocksdb::Status& s) {
  stat_failed_writes.fetch_add(1, std::memory_order_relaxed);
  // RocksDB's message names files; it goes to the log, the callers get the meaning.
  const bool full = s.IsNoSpace();
  Status answer =
      full ? Status::StorageFull(
                 "the disk holding the store is full: writes are refused until there is space "
                 "again (what was acknowledged is kept)")
           : Status::StorageFailed(
                 "a write to the store could not be made durable: it takes no more writes until "
                 "the server is restarted and has re-checked it (what was acknowledged is kept)");
  std::lock_guard lock(failed_mu);
  // A failure other than a full disk outranks one that is: it never resumes.
  if (failed.code() == answer.code() || failed.code() == StatusCode::kStorageFailed) return failed;
  spdlog::critical("store: {}; RocksDB said: {}", answer.message(), s.ToString());
  failed = std::move(answer);
  next_resume = std::chrono::steady_clock::now() + std::chrono::seconds(1);
  return failed;
}

Status RocksEventStore::Impl::TryResume() {
  std::lock_guard order(write_order_mu);  // no write of a staged group is in flight
  {
    std::lock_guard lock(failed_mu);
    const auto now = std::chrono::steady_clock::now();
    if (failed.code() != StatusCode::kStorageFull || now < next_resume) return failed;
    next_resume = now + std::chrono::seconds(1);
  }
  // Flushes what RocksDB holds in memory and clears its error, or fails again while the disk
  // is still full.
  if (rocksdb::Status s = db->Resume(); !s.ok()) {
    spdlog::debug("store: cannot resume yet: {}", s.ToString());
    return Failure();
  }
  // What was staged on top of the failed write never reached the disk: start over from the
  // durable head and read everything else again.
  staged_head = CurrentHead();
  Result<audit::merkle::CompactRange> range =
      audit::merkle::CompactRange::Of(staged_head.position, StoredNodes(*db, events, tree));
  if (!range.ok()) {
    spdlog::error("store: cannot read the tree to resume: {}", range.status().ToString());
    return range.status();
  }
  staged_tree = std::move(*range);
  stream_cache.clear();
  pathway_cache.clear();
  command_cache.clear();
  count_cache.clear();
  last_staged = {};
  key_ring->Forget();
  {
    std::lock_guard lock(failed_mu);
    failed = Status::Ok();
  }
  stat_resumes.fetch_add(1, std::memory_order_relaxed);
  spdlog::warn("store: the disk has space again; writes resumed at position {}",
               staged_head.position);
  return Status::Ok();
}

std::vector<RocksEventStore::Impl::Pending> RocksEventStore::Impl::TakeGroup() {
  const std::size_t n = std::min(queue.size(), kMaxGroup);
  const auto end = queue.begin() + static_cast<std::ptrdiff_t>(n);
  std::vector<Pending> group(std::make_move_iterator(queue.begin()), std::make_move_iterator(end));
  queue.erase(queue.begin(), end);
  stat_queue_depth.store(queue.size(), std::memory_order_relaxed);
  return group;
}

void RocksEventStore::Impl::ReleaseWriterRole() {
  bool wake = false;
  {
    std::lock_guard lock(queue_mu);
    writer_role_held = false;
    wake = !queue.empty() || stopping;
  }
  if (wake) queue_cv.notify_one();
}

void RocksEventStore::Impl::WriterLoop() {
  for (;;) {
    std::vector<Pending> group;
    {
      std::unique_lock lock(queue_mu);
      queue_cv.wait(lock, [&] { return !writer_role_held && (stopping || !queue.empty()); });
      if (queue.empty()) {
        queue_cv.notify_all();  // stopping: let the other writer thread see it too
        return;
      }
      writer_role_held = true;
      group = TakeGroup();
    }
    RunGroup(group);
  }
}

void RocksEventStore::Impl::StartWriter() {
  {
    std::lock_guard lock(queue_mu);
    accepting = true;
  }
  staged_head = CurrentHead();
  for (int i = 0; i < 2; ++i) writers.emplace_back([this] { WriterLoop(); });
}

void RocksEventStore::Impl::StopWriter() {
  {
    std::lock_guard lock(queue_mu);
    accepting = false;
    stopping = true;
  }
  queue_cv.notify_all();
  for (std::thread& t : writers) {
    if (t.joinable()) t.join();
  }
  writers.clear();
}

void RocksEventStore::Impl::Enqueue(Pending pending, bool may_lead) {
  std::vector<Pending> group;
  bool wake_writer = false;
  bool queued = false;
  {
    std::lock_guard lock(queue_mu);
    if (accepting) {
      queued = true;
      queue.push_back(std::move(pending));
      if (!writer_role_held && may_lead) {
        // The role is free: stage in this thread rather than pay two thread wake-ups.
        writer_role_held = true;
        group = TakeGroup();
      } else {
        // The writer threads sleep only while the queue is empty or the role is held.
        wake_writer = !writer_role_held && queue.size() == 1;
      }
      stat_queue_depth.store(queue.size(), std::memory_order_relaxed);
    }
  }
  if (!queued) {
    pending.done(
        Status::Closed(options.read_only ? "the store is open read-only" : "the store is closing"));
    return;
  }
  // Leading one group, this caller's request among it (it was queued last, so it is in the
  // group unless more than a group's worth was waiting; then a writer thread answers it).
  if (!group.empty()) RunGroup(group);
  if (wake_writer) queue_cv.notify_one();
}

// ---- the public entry points that go through the writer ----------------------------------

namespace {

// A synchronous caller's rendezvous with whoever holds the writer role. It sleeps rather than
// spins: a spinning caller takes the core the file system needs to finish the sync.
struct Waiter {
  std::mutex mu;
  std::condition_variable cv;
  bool ready = false;  // guarded by mu
  std::optional<Result<AppendResult>> result;
};

template <typename Request>
Result<AppendResult> CallAndWait(RocksEventStore::Impl& impl, Request request) {
  Waiter w;
  impl.Enqueue({std::move(request),
                [&w](Result<AppendResult> r) {
                  std::lock_guard lock(w.mu);
                  w.result.emplace(std::move(r));
                  w.ready = true;
                  w.cv.notify_one();
                }},
               /*may_lead=*/true);
  std::unique_lock lock(w.mu);
  w.cv.wait(lock, [&] { return w.ready; });
  return std::move(*w.result);
}

}  // namespace

Result<AppendResult> RocksEventStore::Append(AppendRequest request) {
  Result<PreparedAppend> prepared = PrepareAppend(std::move(request));
  if (!prepared.ok()) return prepared.status();
  return CallAndWait(*impl_, std::move(*prepared));
}

void RocksEventStore::AppendAsync(AppendRequest request, AppendCallback done) {
  Result<PreparedAppend> prepared = PrepareAppend(std::move(request));
  if (!prepared.ok()) {
    done(prepared.status());
    return;
  }
  impl_->Enqueue({std::move(*prepared), std::move(done)}, /*may_lead=*/false);
}

void RocksEventStore::AppendBatchAsync(std::vector<AppendRequest> requests, BatchCallback done) {
  // Every slot is answered below: refused here, staged, or failed with the group.
  auto results = std::make_shared<std::vector<Result<AppendResult>>>(
      requests.size(), Result<AppendResult>(Status::Closed("not answered")));
  if (requests.size() > kMaxBatchAppends) {
    const Status refused = Status::InvalidArgument("a batch holds at most " +
                                                   std::to_string(kMaxBatchAppends) + " appends");
    for (Result<AppendResult>& r : *results) r = refused;
    return done(std::move(*results));
  }
  Impl::PreparedBatch batch;
  batch.results = results;
  for (std::size_t i = 0; i < requests.size(); ++i) {
    Result<PreparedAppend> prepared = PrepareAppend(std::move(requests[i]));
    if (!prepared.ok()) {
      (*results)[i] = prepared.status();
      continue;
    }
    batch.appends.push_back(std::move(*prepared));
    batch.slots.push_back(i);
  }
  if (batch.appends.empty()) return done(std::move(*results));
  // The group's outcome: a failed write fails every append that was staged.
  auto answer = [results, slots = batch.slots, done = std::move(done)](Result<AppendResult> r) {
    if (!r.ok()) {
      for (std::size_t slot : slots) (*results)[slot] = r.status();
    }
    done(std::move(*results));
  };
  impl_->Enqueue({std::move(batch), std::move(answer)}, /*may_lead=*/false);
}

Result<AppendResult> RocksEventStore::Execute(CommandRequest request) {
  return CallAndWait(*impl_, std::move(request));
}

void RocksEventStore::ExecuteAsync(CommandRequest request, AppendCallback done) {
  impl_->Enqueue({std::move(request), std::move(done)}, /*may_lead=*/false);
}

Result<AppendResult> RocksEventStore::ErasePersonalData(EraseRequest request) {
  return CallAndWait(*impl_, std::move(request));
}

Status RocksEventStore::Writable() {
  Status failure = impl_->Failure();
  if (failure.code() != StatusCode::kStorageFull) return failure;
  Result<AppendResult> probed = CallAndWait(*impl_, Impl::ResumeProbe{});
  return probed.ok() ? Status::Ok() : probed.status();
}

}  // namespace pathways::storage

// One adapter of the dispatcher (dispatcher_adapter.hpp): its loop reads the outbox after its
// checkpoint, routes new rows to deliveries in the ledger, hands the due ones to attempts
// (attempt.cpp: in worker threads for the network channels, in the loop for the inbox),
// records each outcome in the pathway's history and then settles the ledger, and prunes the
// outbox behind the slowest adapter.

#include "adapters/notify/dispatcher_adapter.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <limits>
#include <map>

#include "adapters/notify/json_fields.hpp"

namespace pathways::notify {
namespace {

constexpr TimestampMs kNever = std::numeric_limits<TimestampMs>::max();
constexpr std::size_t kIngestBatch = 256;
constexpr auto kLoopTick = std::chrono::milliseconds(250);
constexpr auto kPruneEvery = std::chrono::seconds(10);
constexpr auto kErrorPause = std::chrono::milliseconds(200);

}  // namespace

bool Dispatcher::Adapter::Handles(Channel c) const {
  return std::find(channels_.begin(), channels_.end(), c) != channels_.end();
}

Status Dispatcher::Adapter::Start() {
  Result<std::uint64_t> cp = s_.ledger.Checkpoint(name_);
  if (!cp.ok()) return cp.status();
  std::uint64_t waiting = 0;
  for (Channel c : channels_) {
    Result<std::uint64_t> n = s_.ledger.CountWaiting(c);
    if (!n.ok()) return n.status();
    waiting += *n;
  }
  {
    // A restart begins from the ledger: what was in memory before is there too.
    std::lock_guard lock(mu_);
    checkpoint_ = *cp;
    waiting_ = waiting;
    next_due_ = 0;
    stopping_ = false;
    ready_.clear();
    in_flight_.clear();
    done_.clear();
  }
  for (std::size_t i = 0; i < workers_; ++i) threads_.emplace_back([this] { Work(); });
  loop_ = std::thread([this] { Loop(); });
  return Status::Ok();
}

void Dispatcher::Adapter::Stop() {
  {
    std::lock_guard lock(mu_);
    if (stopping_ && !loop_.joinable()) return;
    stopping_ = true;
  }
  work_cv_.notify_all();
  for (auto& t : threads_) t.join();
  threads_.clear();
  {
    // Outcomes being recorded come back through callbacks that need this adapter; the store
    // answers every request it took, so this ends.
    std::unique_lock lock(mu_);
    done_cv_.wait(lock, [&] { return recording_ == 0; });
  }
  s_.ledger.Wake();
  if (loop_.joinable()) loop_.join();
}

void Dispatcher::Adapter::Poke(std::uint64_t added) {
  {
    std::lock_guard lock(mu_);
    next_due_ = 0;
    poked_ = true;
    waiting_ += added;
  }
  s_.ledger.Wake();
}

AdapterStats Dispatcher::Adapter::Stats(std::uint64_t head) const {
  std::lock_guard lock(mu_);
  AdapterStats st;
  st.adapter = name_;
  st.checkpoint = checkpoint_;
  st.lag_events = head > checkpoint_ ? head - checkpoint_ : 0;
  st.waiting = waiting_;
  st.in_flight = in_flight_.size();
  st.attempts = attempts_;
  st.failures = failures_;
  st.delivered = delivered_;
  st.dead_lettered = dead_lettered_;
  return st;
}

bool Dispatcher::Adapter::Idle(std::uint64_t head, TimestampMs until) const {
  std::lock_guard lock(mu_);
  return checkpoint_ >= head && in_flight_.empty() && done_.empty() && next_due_ > until;
}

void Dispatcher::Adapter::Loop() {
  auto last_prune = std::chrono::steady_clock::now();
  for (;;) {
    const std::uint64_t seen = s_.ledger.WakeCount();
    std::vector<Outcome> done;
    bool room = false;
    TimestampMs next_due = kNever;
    std::uint64_t checkpoint = 0;
    {
      std::lock_guard lock(mu_);
      if (stopping_ && recording_ == 0 && done_.empty()) break;
      done.assign(std::make_move_iterator(done_.begin()), std::make_move_iterator(done_.end()));
      done_.clear();
    }
    for (Outcome& d : done) Settle(std::move(d));
    {
      std::lock_guard lock(mu_);
      room = !stopping_ && in_flight_.size() < s_.options.max_in_flight;
    }
    if (room) Ingest();
    const TimestampMs now = s_.Now();
    {
      std::lock_guard lock(mu_);
      room = !stopping_ && in_flight_.size() < s_.options.max_in_flight;
      next_due = next_due_;
      checkpoint = checkpoint_;
    }
    if (room && now >= next_due) {
      LoadDue(now);
      std::lock_guard lock(mu_);
      next_due = next_due_;
    }
    if (workers_ == 0) AttemptInline();
    if (name_ == "inbox" && std::chrono::steady_clock::now() - last_prune > kPruneEvery) {
      last_prune = std::chrono::steady_clock::now();
      PruneOutbox();
    }
    auto wait = kLoopTick;
    if (next_due != kNever && next_due > now) {
      wait = std::min(wait, std::chrono::milliseconds(next_due - now));
    } else if (next_due <= now && room) {
      wait = std::chrono::milliseconds(1);
    }
    {
      std::lock_guard lock(mu_);
      if (!done_.empty() || (stopping_ && recording_ == 0)) continue;
    }
    s_.ledger.WaitForCommit(room ? checkpoint : std::numeric_limits<std::uint64_t>::max(), wait,
                            seen);
  }
}

void Dispatcher::Adapter::Ingest() {
  std::uint64_t from = 0;
  {
    std::lock_guard lock(mu_);
    from = checkpoint_;
  }
  const std::uint64_t head = s_.ledger.CommittedPosition();
  if (head <= from) return;
  auto rows = s_.ledger.ReadOutbox(from, kIngestBatch);
  if (!rows.ok()) {
    spdlog::error("notify {}: cannot read the outbox: {}", name_, rows.status().ToString());
    std::this_thread::sleep_for(kErrorPause);  // the store is failing: no busy loop
    return;
  }
  // Every row up to the head is routed, unless the page was full of rows at or below it.
  std::uint64_t to = head;
  std::uint64_t last = from;
  bool more = rows->size() == kIngestBatch;
  std::vector<Delivery> fresh;
  const TimestampMs now = s_.Now();
  const std::shared_ptr<const Routing> routing = s_.routing();
  for (auto& [position, row] : *rows) {
    if (position > head) {  // a row of a group not announced yet: the next round takes it
      more = false;
      break;
    }
    for (Channel c : s_.ChannelsFor(*routing, row)) {
      if (Handles(c)) fresh.push_back(NewDelivery(position, row, c, now));
    }
    last = position;
  }
  if (more) to = last;
  if (Status st = s_.ledger.Enqueue(name_, to, fresh); !st.ok()) {
    spdlog::error("notify {}: cannot record new deliveries: {}", name_, st.ToString());
    std::this_thread::sleep_for(kErrorPause);
    return;
  }
  std::lock_guard lock(mu_);
  checkpoint_ = to;
  waiting_ += fresh.size();
  for (Delivery& d : fresh) {
    in_flight_.insert(d.id);
    ready_.push_back(std::move(d));
  }
  if (!fresh.empty()) work_cv_.notify_all();
}

void Dispatcher::Adapter::LoadDue(TimestampMs now) {
  std::size_t in_flight = 0;
  {
    std::lock_guard lock(mu_);
    in_flight = in_flight_.size();
    poked_ = false;
  }
  const std::size_t room = s_.options.max_in_flight - std::min(in_flight, s_.options.max_in_flight);
  bool truncated = false;
  std::vector<Delivery> due;
  for (Channel c : channels_) {
    auto found = s_.ledger.Due(c, now, in_flight + room);
    if (!found.ok()) {
      spdlog::error("notify {}: cannot read the queue: {}", name_, found.status().ToString());
      std::this_thread::sleep_for(kErrorPause);
      return;
    }
    truncated = truncated || found->size() == in_flight + room;
    for (Delivery& d : *found) due.push_back(std::move(d));
  }
  TimestampMs next = kNever;
  for (Channel c : channels_) {
    auto n = s_.ledger.NextDueAfter(c, now);
    if (n.ok() && n->has_value()) next = std::min(next, **n);
  }
  std::lock_guard lock(mu_);
  std::size_t added = 0;
  for (Delivery& d : due) {
    if (added == room) {
      truncated = true;
      break;
    }
    if (!in_flight_.insert(d.id).second) continue;
    ready_.push_back(std::move(d));
    ++added;
  }
  // What the scan saw is exact, unless it was cut short or a replay came in meanwhile.
  next_due_ = truncated || poked_ ? 0 : next;
  if (added > 0) work_cv_.notify_all();
}

void Dispatcher::Adapter::Work() {
  WebhookSender webhook;
  EmailSender email;
  for (;;) {
    Delivery d;
    {
      std::unique_lock lock(mu_);
      work_cv_.wait(lock, [&] { return stopping_ || !ready_.empty(); });
      if (stopping_) return;  // what is ready stays waiting in the ledger
      d = std::move(ready_.front());
      ready_.pop_front();
      ++attempts_;
    }
    Finish(Try(std::move(d), &webhook, &email));
  }
}

void Dispatcher::Adapter::AttemptInline() {
  std::deque<Delivery> ready;
  {
    std::lock_guard lock(mu_);
    if (stopping_) return;
    ready.swap(ready_);
    attempts_ += ready.size();
  }
  for (Delivery& d : ready) Finish(Try(std::move(d), nullptr, nullptr));
}

Outcome Dispatcher::Adapter::Try(Delivery d, WebhookSender* webhook, EmailSender* email) {
  const std::shared_ptr<const Routing> routing = s_.routing();
  const AttemptContext ctx{
      *routing,
      s_.health,
      s_.ledger,
      *s_.options.log,
      *s_.options.catalog,
      *s_.options.clock,
      s_.options.contact_persons,
      s_.options.team_leads,
      [this, &r = *routing](std::size_t failed) { return s_.NextDelay(r, failed); },
      [this](Channel c) {
        if (Adapter* a = s_.AdapterFor(c)) a->Poke(1);
      },
      s_.options.confirm_link};
  if (webhook == nullptr) return AttemptLocal(std::move(d), ctx);
  return AttemptRemote(std::move(d), ctx, *webhook, *email);
}

void Dispatcher::Adapter::Finish(Outcome done) {
  if (done.kind != Outcome::Kind::kDelivered && done.kind != Outcome::Kind::kDead) {
    return Hand(std::move(done));
  }
  const Delivery& d = done.delivery;
  const nlohmann::json& row = d.notification;
  const nlohmann::json sent = row.value("sent", nlohmann::json::object());
  runtime::RecordDelivery r;
  r.notification_id = StringField(row, "notification_id");
  r.party = StringField(row, "party");
  r.channel = std::string(ChannelName(d.channel));
  // An SMS gateway is a webhook on the wire; the history says what the participant got.
  if (d.channel == Channel::kWebhook) {
    const config::PartyChannels* pc = s_.routing()->config.Find(r.party);
    if (pc != nullptr && pc->webhook && pc->webhook->sms) r.channel = "sms";
  }
  r.delivered = done.kind == Outcome::Kind::kDelivered;
  r.attempts = d.attempts + 1;
  if (r.delivered) {
    r.recipient = done.detail;
  } else {
    r.last_error = done.detail;
  }
  r.message_id =
      d.channel == Channel::kWebhook || d.channel == Channel::kEmail ? MessageId(d) : std::string();
  for (const auto& c : sent.value("categories", nlohmann::json::array())) {
    if (c.is_string()) r.categories.push_back(c.get<std::string>());
  }
  r.personal = sent.value("personal", false);
  CommandRequest request;
  request.pathway_id = StringField(row, "pathway_id");
  request.command_id = "delivery:" + std::to_string(d.id) + ":" + std::to_string(d.replays) +
                       (r.delivered ? ":delivered" : ":dead");
  request.causation_id = r.notification_id;
  request.actor = kNotifier;
  request.command = std::move(r);
  {
    std::lock_guard lock(mu_);
    ++recording_;
  }
  auto shared_done = std::make_shared<Outcome>(std::move(done));
  s_.options.commands->ExecuteAsync(std::move(request),
                                    [this, shared_done](Result<AppendResult> a) {
                                      shared_done->recorded = a.ok() ? Status::Ok() : a.status();
                                      // Everything under the lock: the moment it is released with
                                      // recording_ at zero, a Stop() waiting for it may return
                                      // and this adapter be destroyed.
                                      std::lock_guard lock(mu_);
                                      done_.push_back(std::move(*shared_done));
                                      s_.ledger.Wake();
                                      done_cv_.notify_all();
                                      --recording_;
                                    });
}

void Dispatcher::Adapter::Hand(Outcome done) {
  {
    std::lock_guard lock(mu_);
    done_.push_back(std::move(done));
  }
  s_.ledger.Wake();
}

void Dispatcher::Adapter::Settle(Outcome done) {
  Delivery& d = done.delivery;
  const std::uint64_t id = d.id;
  if (!done.recorded.ok()) {
    if (done.recorded.code() == StatusCode::kClosed) {
      // Shutting down: the delivery stays waiting and goes again after the restart.
      std::lock_guard lock(mu_);
      in_flight_.erase(id);
      return;
    }
    spdlog::error("notify {}: the outcome of delivery {} could not be recorded: {}", name_, id,
                  done.recorded.ToString());
  }
  Status st = Status::Ok();
  switch (done.kind) {
    case Outcome::Kind::kDelivered:
    case Outcome::Kind::kRerouted: st = s_.ledger.Finish(d); break;
    case Outcome::Kind::kRetry: st = s_.ledger.Reschedule(d, done.next_at, done.detail); break;
    case Outcome::Kind::kDead: st = s_.ledger.Bury(d, s_.Now(), done.detail); break;
  }
  if (!st.ok()) spdlog::error("notify {}: {}", name_, st.ToString());
  if (done.kind == Outcome::Kind::kDead) {
    ++s_.dead_letters;
    spdlog::warn("notify {}: delivery {} ({}) is a dead letter: {}", name_, id, d.endpoint,
                 done.detail);
  }
  std::lock_guard lock(mu_);
  in_flight_.erase(id);
  switch (done.kind) {
    case Outcome::Kind::kDelivered:
      ++delivered_;
      --waiting_;
      break;
    case Outcome::Kind::kRerouted: --waiting_; break;
    case Outcome::Kind::kRetry:
      ++failures_;
      next_due_ = next_due_ == 0 ? 0 : std::min(next_due_, done.next_at);
      break;
    case Outcome::Kind::kDead:
      ++failures_;
      ++dead_lettered_;
      --waiting_;
      break;
  }
}

void Dispatcher::Adapter::PruneOutbox() {
  std::uint64_t lowest = std::numeric_limits<std::uint64_t>::max();
  for (Adapter* a : s_.adapters) {
    std::lock_guard lock(a->mu_);
    lowest = std::min(lowest, a->checkpoint_);
  }
  if (lowest == 0 || lowest == std::numeric_limits<std::uint64_t>::max()) return;
  if (Status st = s_.ledger.PruneOutbox(lowest); !st.ok()) {
    spdlog::warn("notify: cannot prune the outbox: {}", st.ToString());
  }
}

}  // namespace pathways::notify

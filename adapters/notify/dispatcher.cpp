// The dispatcher's adapter loops: each reads the outbox after its checkpoint, routes new rows
// to deliveries in the ledger, hands the due ones to attempts (attempt.cpp: in worker threads
// for the network channels, in the loop for the inbox), records each outcome in the pathway's
// history and then settles the ledger, and prunes the outbox behind the slowest adapter.
// Routing (routing.cpp), endpoint health (endpoint_health.cpp) and the ledger
// (delivery_ledger.cpp) are files of their own.

#include "adapters/notify/dispatcher.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <limits>
#include <map>
#include <mutex>
#include <thread>
#include <unordered_set>

#include "adapters/notify/attempt.hpp"
#include "adapters/notify/endpoint_health.hpp"
#include "adapters/notify/json_fields.hpp"
#include "adapters/notify/routing.hpp"
#include "engine/codec/event_json.hpp"

namespace pathways::notify {

namespace {

constexpr TimestampMs kNever = std::numeric_limits<TimestampMs>::max();
constexpr std::size_t kIngestBatch = 256;
constexpr auto kLoopTick = std::chrono::milliseconds(250);
constexpr auto kPruneEvery = std::chrono::seconds(10);
constexpr auto kErrorPause = std::chrono::milliseconds(200);

}  // namespace

struct Dispatcher::Shared {
  explicit Shared(DispatcherOptions o)
      : options(std::move(o)),
        ledger(*options.outbox),
        health(ledger, *options.log, *options.clock) {
    if (options.random == nullptr) {
      owned_random = std::make_unique<CryptoRandom>();
      options.random = owned_random.get();
    }
    Result<std::shared_ptr<const Routing>> r = MakeRouting(options.config);
    if (r.ok()) {
      routing_ = std::move(*r);
    } else {
      broken = r.status();
      routing_ = std::make_shared<const Routing>();
    }
  }

  DispatcherOptions options;
  DeliveryLedger ledger;
  EndpointHealthBook health;
  std::unique_ptr<RandomSource> owned_random;
  Status broken = Status::Ok();  // the first config could not be used (Start says why)
  std::vector<Adapter*> adapters;
  std::atomic<std::uint64_t> dead_letters{0};

  std::mutex random_mu;  // the jitter's draws

  std::shared_ptr<const Routing> routing() const {
    std::lock_guard lock(routing_mu_);
    return routing_;
  }
  void SetRouting(std::shared_ptr<const Routing> r) {
    std::lock_guard lock(routing_mu_);
    routing_ = std::move(r);
  }

  TimestampMs Now() const { return options.clock->NowMs(); }

  // The channels that reach a row's party now.
  std::vector<Channel> ChannelsFor(const Routing& r, const nlohmann::json& row) const {
    return notify::ChannelsFor(r, *options.catalog, row);
  }

  std::optional<std::chrono::milliseconds> NextDelay(const Routing& r, std::size_t failed) {
    std::lock_guard lock(random_mu);
    return r.policy.NextDelay(failed, *options.random);
  }

  Adapter* AdapterFor(Channel c) const;

 private:
  mutable std::mutex routing_mu_;
  std::shared_ptr<const Routing> routing_;  // guarded by routing_mu_
};

// ---- one adapter: a loop thread, and workers for the channels that talk to the network ----

class Dispatcher::Adapter {
 public:
  Adapter(Shared& shared, std::string name, std::vector<Channel> channels, std::size_t workers)
      : s_(shared), name_(std::move(name)), channels_(std::move(channels)), workers_(workers) {}

  ~Adapter() { Stop(); }

  const std::string& name() const { return name_; }
  bool Handles(Channel c) const {
    return std::find(channels_.begin(), channels_.end(), c) != channels_.end();
  }

  Status Start() {
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

  void Stop() {
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

  // Something waiting may be due now (a replay, a reroute): look at the queue again.
  void Poke(std::uint64_t added) {
    {
      std::lock_guard lock(mu_);
      next_due_ = 0;
      poked_ = true;
      waiting_ += added;
    }
    s_.ledger.Wake();
  }

  AdapterStats Stats(std::uint64_t head) const {
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

  bool Idle(std::uint64_t head, TimestampMs until) const {
    std::lock_guard lock(mu_);
    return checkpoint_ >= head && in_flight_.empty() && done_.empty() && next_due_ > until;
  }

 private:
  // ---- the loop: route new outbox rows, take due deliveries, settle outcomes ----
  void Loop() {
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

  void Ingest() {
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

  void LoadDue(TimestampMs now) {
    std::size_t in_flight = 0;
    {
      std::lock_guard lock(mu_);
      in_flight = in_flight_.size();
      poked_ = false;
    }
    const std::size_t room =
        s_.options.max_in_flight - std::min(in_flight, s_.options.max_in_flight);
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

  // ---- attempts ----
  void Work() {
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

  void AttemptInline() {
    std::deque<Delivery> ready;
    {
      std::lock_guard lock(mu_);
      if (stopping_) return;
      ready.swap(ready_);
      attempts_ += ready.size();
    }
    for (Delivery& d : ready) Finish(Try(std::move(d), nullptr, nullptr));
  }

  // One attempt on the routing of the moment: over the network with a worker's senders, or
  // here (inbox, re-routing) without.
  Outcome Try(Delivery d, WebhookSender* webhook, EmailSender* email) {
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

  // Delivered and dead letters are recorded in the pathway's history first; the ledger is
  // settled once that is durable (so a crash in between sends again, never loses).
  void Finish(Outcome done) {
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
    r.message_id = d.channel == Channel::kWebhook || d.channel == Channel::kEmail ? MessageId(d)
                                                                                  : std::string();
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

  void Hand(Outcome done) {
    {
      std::lock_guard lock(mu_);
      done_.push_back(std::move(done));
    }
    s_.ledger.Wake();
  }

  // In the loop: the ledger follows the outcome.
  void Settle(Outcome done) {
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

  void PruneOutbox() {
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

  Shared& s_;
  const std::string name_;
  const std::vector<Channel> channels_;
  const std::size_t workers_;
  std::thread loop_;
  std::vector<std::thread> threads_;

  mutable std::mutex mu_;
  std::condition_variable work_cv_;  // workers wait for ready deliveries
  std::condition_variable done_cv_;  // Stop waits for outcomes being recorded
  bool stopping_ = false;
  std::uint64_t checkpoint_ = 0;
  TimestampMs next_due_ = 0;  // 0: look at the queue; kNever: nothing waits
  bool poked_ = false;        // Poke() since LoadDue began
  std::deque<Delivery> ready_;
  std::unordered_set<std::uint64_t> in_flight_;  // ready, being attempted, or being settled
  std::deque<Outcome> done_;
  std::size_t recording_ = 0;
  std::uint64_t waiting_ = 0;
  std::uint64_t attempts_ = 0, failures_ = 0, delivered_ = 0, dead_lettered_ = 0;
};

Dispatcher::Adapter* Dispatcher::Shared::AdapterFor(Channel c) const {
  for (Adapter* a : adapters) {
    if (a->Handles(c)) return a;
  }
  return nullptr;
}

// ---- the dispatcher ----

Dispatcher::Dispatcher(DispatcherOptions options)
    : shared_(std::make_unique<Shared>(std::move(options))) {
  // The number of workers is fixed while the dispatcher runs; a reload keeps it.
  const std::size_t webhook_workers = static_cast<std::size_t>(shared_->routing()->config.workers);
  adapters_.push_back(std::make_unique<Adapter>(*shared_, "webhook", std::vector{Channel::kWebhook},
                                                webhook_workers));
  adapters_.push_back(std::make_unique<Adapter>(*shared_, "email", std::vector{Channel::kEmail},
                                                shared_->options.email_workers));
  adapters_.push_back(std::make_unique<Adapter>(*shared_, "inbox",
                                                std::vector{Channel::kInbox, Channel::kNone}, 0));
  for (auto& a : adapters_) shared_->adapters.push_back(a.get());
}

Dispatcher::~Dispatcher() { Stop(); }

Status Dispatcher::Start() {
  if (started_) return Status::Ok();
  if (!shared_->broken.ok()) return shared_->broken;
  if (Status st = shared_->health.Load(); !st.ok()) return st;
  Result<std::uint64_t> dead = shared_->ledger.CountDead();
  if (!dead.ok()) return dead.status();
  shared_->dead_letters = *dead;
  for (auto& a : adapters_) {
    if (Status st = a->Start(); !st.ok()) return st;
  }
  started_ = true;
  return Status::Ok();
}

void Dispatcher::Stop() {
  for (auto& a : adapters_) a->Stop();
  started_ = false;
}

std::vector<AdapterStats> Dispatcher::Stats() const {
  const std::uint64_t head = shared_->ledger.CommittedPosition();
  std::vector<AdapterStats> out;
  for (const auto& a : adapters_) out.push_back(a->Stats(head));
  return out;
}

std::shared_ptr<const config::NotifyConfig> Dispatcher::config() const {
  std::shared_ptr<const Routing> r = shared_->routing();
  return {r, &r->config};  // shares the snapshot's ownership
}

Status Dispatcher::Reload(config::NotifyConfig config) {
  Result<std::shared_ptr<const Routing>> r = MakeRouting(std::move(config));
  if (!r.ok()) return r.status();
  shared_->SetRouting(std::move(*r));
  // Waiting deliveries are attempted under the new file when they fall due; dead letters wait
  // for a replay (one to a party that now has a channel is routed to it).
  return Status::Ok();
}

std::uint64_t Dispatcher::DeadLetterCount() const { return shared_->dead_letters.load(); }

std::string Dispatcher::Metrics() const {
  std::string out;
  const std::vector<AdapterStats> stats = Stats();
  auto family = [&](const char* name, const char* type, const char* help,
                    std::uint64_t AdapterStats::*field) {
    out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n";
    for (const AdapterStats& s : stats) {
      out +=
          std::string(name) + "{adapter=\"" + s.adapter + "\"} " + std::to_string(s.*field) + "\n";
    }
  };
  family("pathways_notify_lag_events", "gauge", "Log events not yet routed by the adapter.",
         &AdapterStats::lag_events);
  family("pathways_notify_waiting", "gauge", "Deliveries waiting to be delivered.",
         &AdapterStats::waiting);
  family("pathways_notify_in_flight", "gauge", "Deliveries being attempted now.",
         &AdapterStats::in_flight);
  family("pathways_notify_attempts_total", "counter", "Delivery attempts since start.",
         &AdapterStats::attempts);
  family("pathways_notify_failures_total", "counter", "Failed attempts since start.",
         &AdapterStats::failures);
  family("pathways_notify_delivered_total", "counter", "Deliveries made since start.",
         &AdapterStats::delivered);
  family("pathways_notify_dead_lettered_total", "counter", "Deliveries given up on since start.",
         &AdapterStats::dead_lettered);
  const std::size_t disabled = shared_->health.DisabledCount();
  out +=
      "# HELP pathways_notify_dead_letters Dead letters waiting for a replay.\n"
      "# TYPE pathways_notify_dead_letters gauge\npathways_notify_dead_letters " +
      std::to_string(DeadLetterCount()) +
      "\n# HELP pathways_notify_endpoints_disabled Endpoints disabled.\n"
      "# TYPE pathways_notify_endpoints_disabled gauge\npathways_notify_endpoints_disabled " +
      std::to_string(disabled) + "\n";
  return out;
}

Result<DeadLetterPage> Dispatcher::DeadLetters(const std::string& after, std::size_t max) const {
  return shared_->ledger.DeadLetters(after, max);
}

Result<std::optional<Delivery>> Dispatcher::Get(std::uint64_t id) const {
  return shared_->ledger.Get(id);
}

Result<Delivery> Dispatcher::Replay(std::uint64_t id) {
  Result<Delivery> d = shared_->ledger.Revive(id, shared_->Now());
  if (!d.ok()) return d;
  --shared_->dead_letters;
  if (Adapter* a = shared_->AdapterFor(d->channel)) a->Poke(1);
  return d;
}

std::vector<EndpointView> Dispatcher::Endpoints() const {
  std::vector<EndpointView> out;
  const std::shared_ptr<const Routing> routing = shared_->routing();
  for (const auto& entry : routing->config.parties) {
    const std::string& party = entry.first;  // not a structured binding: clang 14's lambdas
    const config::PartyChannels& p = entry.second;
    auto add = [&](Channel c, std::string target) {
      EndpointView v;
      v.name = EndpointName(party, c);
      v.party = party;
      v.channel = std::string(ChannelName(c));
      v.target = std::move(target);
      v.health = shared_->health.Of(v.name);
      out.push_back(std::move(v));
    };
    if (p.webhook) add(Channel::kWebhook, p.webhook->url);
    if (p.email) {
      std::string to;
      for (const auto& a : p.email->to) to += (to.empty() ? "" : ", ") + a;
      add(Channel::kEmail, to);
    }
  }
  return out;
}

Status Dispatcher::Enable(const std::string& name) {
  bool known = false;
  for (const EndpointView& v : Endpoints()) known = known || v.name == name;
  if (!known) return Status::NotFound("no endpoint " + name + " in the notifications file");
  shared_->health.Enable(name);
  return Status::Ok();
}

bool Dispatcher::WaitIdle(std::chrono::milliseconds timeout, std::int64_t horizon_ms) const {
  const std::uint64_t head = shared_->ledger.CommittedPosition();
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    const TimestampMs until = shared_->Now() + horizon_ms;
    bool idle = true;
    for (const auto& a : adapters_) idle = idle && a->Idle(head, until);
    if (idle) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

nlohmann::json DescribeDelivery(const Delivery& d, bool with_notification) {
  const nlohmann::json& n = d.notification;
  nlohmann::json v = {{"id", d.id},
                      {"channel", ChannelName(d.channel)},
                      {"endpoint", d.endpoint},
                      {"status", DeliveryStatusName(d.status())},
                      {"attempts", d.attempts},
                      {"replays", d.replays},
                      {"created_at", codec::FormatIso8601OrEmpty(d.created_at)},
                      {"last_error", d.last_error},
                      {"notification_id", n.value("notification_id", "")},
                      {"pathway_id", n.value("pathway_id", "")},
                      {"party", n.value("party", "")},
                      {"categories", n.value("categories", nlohmann::json::array())},
                      {"because", n.value("because", "")},
                      {"position", d.position()}};
  if (d.channel == Channel::kWebhook || d.channel == Channel::kEmail) {
    v["message_id"] = MessageId(d);
  }
  if (d.dead) {
    v["dead_at"] = codec::FormatIso8601OrEmpty(d.dead_at);
  } else {
    v["next_attempt_at"] = codec::FormatIso8601OrEmpty(d.next_at);
  }
  if (with_notification) v["notification"] = n;
  return v;
}

std::string Dispatcher::WebhookId(const Delivery& d) { return MessageId(d); }

}  // namespace pathways::notify

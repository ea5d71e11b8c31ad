#pragma once
// Inside the dispatcher (dispatcher.hpp): what its adapters share, and one adapter: a loop
// thread that routes new outbox rows to deliveries, takes the due ones and settles their
// outcomes, and workers for the channels that talk to the network. Internal to
// adapters/notify (dispatcher.cpp, dispatcher_adapter.cpp).

#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <unordered_set>

#include "adapters/notify/attempt.hpp"
#include "adapters/notify/dispatcher.hpp"
#include "adapters/notify/endpoint_health.hpp"
#include "adapters/notify/routing.hpp"

namespace pathways::notify {

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

class Dispatcher::Adapter {
 public:
  Adapter(Shared& shared, std::string name, std::vector<Channel> channels, std::size_t workers)
      : s_(shared), name_(std::move(name)), channels_(std::move(channels)), workers_(workers) {}

  ~Adapter() { Stop(); }

  const std::string& name() const { return name_; }
  bool Handles(Channel c) const;
  Status Start();
  void Stop();

  // Something waiting may be due now (a replay, a reroute): look at the queue again.
  void Poke(std::uint64_t added);
  AdapterStats Stats(std::uint64_t head) const;
  bool Idle(std::uint64_t head, TimestampMs until) const;

 private:
  // ---- the loop: route new outbox rows, take due deliveries, settle outcomes ----
  void Loop();
  void Ingest();
  void LoadDue(TimestampMs now);

  // ---- attempts ----
  void Work();
  void AttemptInline();

  // One attempt on the routing of the moment: over the network with a worker's senders, or
  // here (inbox, re-routing) without.
  Outcome Try(Delivery d, WebhookSender* webhook, EmailSender* email);

  // Delivered and dead letters are recorded in the pathway's history first; the ledger is
  // settled once that is durable (so a crash in between sends again, never loses).
  void Finish(Outcome done);
  void Hand(Outcome done);

  // In the loop: the ledger follows the outcome.
  void Settle(Outcome done);
  void PruneOutbox();

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

}  // namespace pathways::notify

#pragma once
// Dispatcher: the notification adapters of a running server. One adapter per channel
// (webhook, email, inbox) reads the outbox from its own checkpoint, routes each request by
// the notifications file, and delivers at least once:
//
//   outbox row ──► delivery (ledger, waiting) ──► attempt ──► delivered: RecordDelivery
//                                   ▲                 │            (NotificationDelivered)
//                                   └── retry (backoff, jitter) ◄──┤
//                                                     └──► last attempt failed, 410, or
//                                                          endpoint disabled: dead letter
//                                                          (NotificationDeadLettered)
//
// A delivery stays in the ledger until its outcome is in the pathway's history, so a crash
// between sending and recording sends it again with the same webhook-id. Dead letters can be
// listed, inspected and replayed. An endpoint that answers 410, or fails without a success
// for `retry.disable_after`, is disabled: an EndpointDisabled event goes to the `$notify`
// stream and the configured administrators are emailed.
//
// Times (due times, webhook timestamps) come from `clock`: give it the wall clock even when
// the pathways run on a manual one, since retries and signatures are about the transport.
//
// Thread-safe. Stop() (or the destructor) before the store closes.

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "adapters/config/notify_config.hpp"
#include "adapters/notify/delivery_ledger.hpp"
#include "adapters/notify/notice.hpp"
#include "engine/clock.hpp"
#include "engine/definition/catalog.hpp"
#include "engine/ports/store.hpp"
#include "engine/random.hpp"

namespace pathways::notify {

struct DispatcherOptions {
  // The ports the adapters use (REQUIRED; not owned): the outbox and the adapters' rows, the
  // commands that record outcomes, and the log (the `$notify` stream, personal data to send).
  Outbox* outbox = nullptr;
  CommandExecutor* commands = nullptr;
  EventStore* log = nullptr;
  void UseStore(Store& store) {
    outbox = &store;
    commands = &store;
    log = &store;
  }
  std::shared_ptr<const definition::DefinitionCatalog> catalog;  // REQUIRED
  const Clock* clock = nullptr;                                  // REQUIRED; not owned
  RandomSource* random = nullptr;  // retry jitter; null: the system CSPRNG
  config::NotifyConfig config;
  // The users who sign notices as a pathway's contact person, by user id (the users file).
  std::map<std::string, ContactPerson> contact_persons;
  // Who hears of a school's escalations (the inbox word `team_lead`): user ids by school ("":
  // pathways without a school).
  std::map<std::string, std::vector<std::string>> team_leads;
  // Signed links for the parties the file gives `confirm`; empty: their emails carry none.
  ConfirmLinkMaker confirm_link;
  std::size_t max_in_flight = 4096;  // per adapter: deliveries held in memory at once
  std::size_t email_workers = 2;
};

struct AdapterStats {
  std::string adapter;           // webhook | email | inbox
  std::uint64_t checkpoint = 0;  // outbox position routed
  std::uint64_t lag_events = 0;  // log events not yet routed by this adapter
  std::uint64_t waiting = 0;     // deliveries in the ledger, not yet delivered or dead
  std::uint64_t in_flight = 0;
  std::uint64_t attempts = 0;  // since start
  std::uint64_t failures = 0;
  std::uint64_t delivered = 0;
  std::uint64_t dead_lettered = 0;
};

struct EndpointView {
  std::string name;  // party.channel
  std::string party;
  std::string channel;
  std::string target;  // the URL or the addresses
  EndpointHealth health;
};

// A delivery as the API and `pathways dead-letters` show it: its status in the lifecycle, where
// it goes, attempts, errors, times, the notification's ids and (when asked) the outbox row.
nlohmann::json DescribeDelivery(const Delivery& d, bool with_notification = false);

class Dispatcher {
 public:
  explicit Dispatcher(DispatcherOptions options);
  ~Dispatcher();
  Dispatcher(const Dispatcher&) = delete;
  Dispatcher& operator=(const Dispatcher&) = delete;

  // Reads checkpoints and counts from the ledger and starts the adapters' threads.
  Status Start();
  // Stops taking new work, lets attempts in flight finish (each bounded by the timeout) and
  // their outcomes be recorded. What waits stays in the ledger for the next start.
  void Stop();

  // The notifications file in use (a snapshot: a reload does not change it under the caller).
  std::shared_ptr<const config::NotifyConfig> config() const;
  // Replaces the notifications file (SIGHUP). InvalidArgument (naming the file) when its
  // templates do not parse: the running file stays. `workers` keeps its value until restart.
  Status Reload(config::NotifyConfig config);
  std::vector<AdapterStats> Stats() const;
  std::uint64_t DeadLetterCount() const;
  // Prometheus text for /metrics.
  std::string Metrics() const;

  Result<DeadLetterPage> DeadLetters(const std::string& after, std::size_t max) const;
  Result<std::optional<Delivery>> Get(std::uint64_t id) const;
  // Sends a dead letter again, from the first attempt, with the same webhook-id.
  Result<Delivery> Replay(std::uint64_t id);

  std::vector<EndpointView> Endpoints() const;
  // Enables a disabled endpoint (its dead letters stay dead until replayed). NotFound for a
  // name the notifications file does not configure.
  Status Enable(const std::string& name);

  // True once every adapter has routed the log up to its head as of the call, nothing is in
  // flight and nothing waiting is due before `horizon_ms` from now (tests and the benchmark).
  bool WaitIdle(std::chrono::milliseconds timeout, std::int64_t horizon_ms = 0) const;

  // The webhook-id of a delivery: derived from its notification's log position and channel.
  static std::string WebhookId(const Delivery& d);

  struct Shared;
  class Adapter;

 private:
  std::unique_ptr<Shared> shared_;
  std::vector<std::unique_ptr<Adapter>> adapters_;
  bool started_ = false;
};

}  // namespace pathways::notify

#pragma once
// EndpointHealthBook: how each endpoint (a party's webhook or email) fares. A success clears
// its failing streak; a failure starts one; an endpoint that answers 410 Gone, or fails
// without a success for the notifications file's `disable_after`, is disabled: its new
// deliveries become dead letters until an administrator enables it. Each change is kept in
// the delivery ledger; a disabling and an enabling are also recorded on the `$notify` stream
// (EndpointDisabled, EndpointEnabled), and a disabling is emailed to the configured
// administrators.
//
// Thread-safe. REQUIRES: the ledger, the log and the clock outlive the book.

#include <cstddef>
#include <map>
#include <mutex>
#include <string>

#include "adapters/notify/delivery_ledger.hpp"
#include "adapters/notify/routing.hpp"
#include "engine/clock.hpp"
#include "engine/event_store.hpp"
#include "engine/event_types.hpp"

namespace pathways::notify {

class EndpointHealthBook {
 public:
  EndpointHealthBook(DeliveryLedger& ledger, EventStore& log, const Clock& clock)
      : ledger_(ledger), log_(log), clock_(clock) {}

  // Reads what the ledger kept (on start).
  Status Load();

  // Whether deliveries may go to the endpoint; false with `why` (since when, and why) when it
  // is disabled.
  bool Usable(const std::string& endpoint, std::string& why) const;
  void Succeeded(const std::string& endpoint);
  // A failed attempt under `r` (its disable_after, administrators and SMTP); `gone`: the
  // receiver answered 410.
  void Failed(const Routing& r, const std::string& endpoint, bool gone, const std::string& error);
  // Enabled again by an administrator.
  void Enable(const std::string& endpoint);

  // The endpoint's health (empty when nothing happened to it yet).
  EndpointHealth Of(const std::string& endpoint) const;
  std::size_t DisabledCount() const;

 private:
  void Persist(const EndpointHealth& h);
  void Record(const events::SystemEvent& event, const EndpointHealth& h);
  void TellAdministrators(const Routing& r, const EndpointHealth& h);

  DeliveryLedger& ledger_;
  EventStore& log_;
  const Clock& clock_;
  mutable std::mutex mu_;
  std::map<std::string, EndpointHealth> health_;  // guarded by mu_
};

}  // namespace pathways::notify

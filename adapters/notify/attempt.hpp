#pragma once
// Attempts: one try at delivering one notification, and how it ended. The adapter loop
// (dispatcher.cpp) decides when to try and settles the ledger afterwards; this file only
// talks to the receivers — a webhook, an SMTP server, a user's inbox — and judges the answer:
// delivered, retry at a time the retry policy (and a receiver's Retry-After) allows, dead, or
// routed anew.
//
// Attempts run in the adapters' worker threads; everything they share comes in the context.

#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <optional>
#include <string>

#include "adapters/notify/delivery_ledger.hpp"
#include "adapters/notify/email_sender.hpp"
#include "adapters/notify/endpoint_health.hpp"
#include "adapters/notify/notice.hpp"
#include "adapters/notify/routing.hpp"
#include "adapters/notify/webhook_sender.hpp"
#include "engine/clock.hpp"
#include "engine/definition/catalog.hpp"
#include "engine/event_store.hpp"

namespace pathways::notify {

// How an attempt ended, handed from a worker (or a recording callback) to the adapter's loop.
struct Outcome {
  enum class Kind { kDelivered, kRetry, kDead, kRerouted } kind = Kind::kDelivered;
  Delivery delivery;
  std::string detail;              // delivered: the recipients; otherwise the error
  TimestampMs next_at = 0;         // retry: when
  Status recorded = Status::Ok();  // the RecordDelivery command's outcome, when there was one
};

struct AttemptContext {
  const Routing& routing;  // one version of the notifications file for the whole attempt
  EndpointHealthBook& health;
  DeliveryLedger& ledger;  // re-routing queues the new deliveries here
  const EventStore& log;   // personal data for a payload that carries it
  const definition::DefinitionCatalog& catalog;
  const Clock& clock;
  const std::map<std::string, ContactPerson>& contact_persons;        // by user id
  const std::map<std::string, std::vector<std::string>>& team_leads;  // user ids by school
  // The retry policy's delay after `failed` attempts (with jitter), or nullopt: give up.
  std::function<std::optional<std::chrono::milliseconds>(std::size_t failed)> next_delay;
  // Wakes the adapter of a channel a re-routed delivery now waits for.
  std::function<void(Channel)> poke;
  const ConfirmLinkMaker& confirm_link;  // may be empty
};

// A webhook or an email: over the network, with the senders of the calling worker.
Outcome AttemptRemote(Delivery d, const AttemptContext& ctx, WebhookSender& webhook,
                      EmailSender& email);
// An inbox delivery, or a dead letter replayed without a channel (routed anew): no network.
Outcome AttemptLocal(Delivery d, const AttemptContext& ctx);

// The delivery's id as receivers see it: the webhook-id header, and the Message-ID's local
// part. The same for every attempt, so a receiver can drop a repeat.
std::string MessageId(const Delivery& d);

// A new delivery of outbox row `row` (at `position`) over channel `c`, due now.
Delivery NewDelivery(std::uint64_t position, const nlohmann::json& row, Channel c, TimestampMs now);

}  // namespace pathways::notify

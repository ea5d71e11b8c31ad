#pragma once
// Routing: the notifications file made ready to use — the retry policy, each party's webhook
// endpoint with its keys parsed once, the SMTP server and the email templates — and which
// channels reach a notification's party. Replaced whole on a reload, so each attempt works
// on one version of the file from start to end.
//
// Immutable once made; share it with std::shared_ptr<const Routing>. Thread-safe to read.

#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "adapters/config/notify_config.hpp"
#include "adapters/notify/delivery_ledger.hpp"
#include "adapters/notify/email_sender.hpp"
#include "adapters/notify/email_text.hpp"
#include "adapters/notify/retry_policy.hpp"
#include "adapters/notify/webhook_sender.hpp"
#include "engine/definition/catalog.hpp"

namespace pathways::notify {

struct Routing {
  config::NotifyConfig config;
  RetryPolicy policy;
  std::map<std::string, WebhookEndpoint> webhooks;  // by party, keys parsed once
  SmtpServer smtp;
  EmailTemplates templates;
};

// The file made ready. InvalidArgument (naming the file, line and column) for a template that
// does not parse.
Result<std::shared_ptr<const Routing>> MakeRouting(config::NotifyConfig c);

// A webhook target with its keys parsed (the timeout is the caller's).
WebhookEndpoint EndpointOf(const config::WebhookTarget& t);

// "party.channel": the name an endpoint's health and dead letters go by.
std::string EndpointName(const std::string& party, Channel c);

// The definition version an outbox row was requested under, or null when it is not loaded.
definition::DefinitionCatalog::Ptr DefinitionOf(const definition::DefinitionCatalog& catalog,
                                                const nlohmann::json& row);

// The channels that reach an outbox row's party under `r`: a webhook or SMS gateway (external
// parties only), email, the inbox (internal parties; the counsellor's by default); for the
// participant only those they consented to; kNone when nothing does.
// `catalog` says which parties are internal (an unknown definition: external, the stricter).
// Whom the row's notice addresses: the party's `name` in the notifications file, with the
// participant's municipality's name for `{municipality}`; "" (the party's label) when there is
// none, or the municipality is not known.
std::string AddresseeOf(const config::NotifyConfig& config, const nlohmann::json& row);

std::vector<Channel> ChannelsFor(const Routing& r, const definition::DefinitionCatalog& catalog,
                                 const nlohmann::json& row);

}  // namespace pathways::notify

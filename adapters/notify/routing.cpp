#include "adapters/notify/routing.hpp"

#include <algorithm>

#include "adapters/notify/json_fields.hpp"
#include "adapters/notify/webhook_signature.hpp"

namespace pathways::notify {

Result<std::shared_ptr<const Routing>> MakeRouting(config::NotifyConfig c) {
  auto r = std::make_shared<Routing>();
  r->policy.delays = c.retry_delays;
  r->policy.jitter = c.jitter;
  for (const auto& [party, p] : c.parties) {
    if (!p.webhook) continue;
    WebhookEndpoint e = EndpointOf(*p.webhook);
    e.timeout = c.timeout;
    r->webhooks[party] = std::move(e);
  }
  if (c.smtp) {
    r->smtp.url = c.smtp->url;
    r->smtp.directory = c.smtp->directory;
    r->smtp.from = c.smtp->from;
    r->smtp.username = c.smtp->username;
    r->smtp.password = c.smtp->password;
    r->smtp.require_tls = c.smtp->require_tls;
    r->smtp.ca_file = c.smtp->ca_file;
    r->smtp.timeout = c.timeout;
  }
  if (!c.templates_dir.empty()) {
    for (const auto& d : r->templates.Load(c.templates_dir)) {
      return Status::InvalidArgument(d.ToString());
    }
  }
  r->config = std::move(c);
  return std::shared_ptr<const Routing>(std::move(r));
}

WebhookEndpoint EndpointOf(const config::WebhookTarget& t) {
  WebhookEndpoint e;
  e.url = t.url;
  e.ca_file = t.ca_file;
  for (const auto& secret : t.secrets) {
    if (auto key = ParseWebhookSecret(secret); key.ok()) e.keys.push_back(*key);
  }
  return e;
}

std::string EndpointName(const std::string& party, Channel c) {
  return party + "." + std::string(ChannelName(c));
}

namespace {

bool IsInternal(const definition::DefinitionCatalog& catalog, const nlohmann::json& row) {
  auto found = DefinitionOf(catalog, row);
  if (found == nullptr) return false;  // unknown: treated as external, the stricter
  for (const auto& p : found->parties) {
    if (p.id == StringField(row, "party")) return !p.external;
  }
  return false;
}

}  // namespace

definition::DefinitionCatalog::Ptr DefinitionOf(const definition::DefinitionCatalog& catalog,
                                                const nlohmann::json& row) {
  const nlohmann::json def = row.value("definition", nlohmann::json::object());
  return catalog.Find(StringField(def, "id"), def.value("version", std::uint32_t{0}));
}

std::string AddresseeOf(const config::NotifyConfig& config, const nlohmann::json& row) {
  const config::PartyChannels* pc = config.Find(StringField(row, "party"));
  if (pc == nullptr || pc->name.empty()) return "";
  std::string name = pc->name;
  constexpr std::string_view kPlace = "{municipality}";
  if (const std::size_t at = name.find(kPlace); at != std::string::npos) {
    const auto m = config.municipalities.find(StringField(row, "municipality"));
    if (m == config.municipalities.end()) return "";
    name.replace(at, kPlace.size(), m->second.name);
  }
  return name;
}

std::vector<Channel> ChannelsFor(const Routing& r, const definition::DefinitionCatalog& catalog,
                                 const nlohmann::json& row) {
  const std::string party = StringField(row, "party");
  const config::PartyChannels* pc = r.config.Find(party);
  const bool internal = IsInternal(catalog, row);
  // The participant is reached only on the channels they consented to.
  auto consented = [&](const char* channel) {
    if (party != config::kParticipantAddress) return true;
    const nlohmann::json channels =
        row.value("consent", nlohmann::json::object()).value("channels", nlohmann::json::array());
    return std::find(channels.begin(), channels.end(), channel) != channels.end();
  };
  std::vector<Channel> out;
  if (pc != nullptr && pc->webhook && !internal &&
      consented(pc->webhook->sms ? "sms" : "webhook")) {
    out.push_back(Channel::kWebhook);
  }
  if (pc != nullptr && pc->email && consented("email")) out.push_back(Channel::kEmail);
  // The counsellor is reached in the inbox unless configured otherwise.
  if (internal && (pc == nullptr ? party == "counsellor" : !pc->inbox.empty())) {
    out.push_back(Channel::kInbox);
  }
  if (out.empty()) out.push_back(Channel::kNone);
  return out;
}

}  // namespace pathways::notify

#pragma once
// The notifications file (config/notifications.yaml; docs/notifications.md documents every
// key): how each party of the pathway definitions is reached (webhook, email, counsellor
// inbox), which callbacks it may send, the retry schedule, and the SMTP server. *What* a party
// hears, and with which data, is the definition's (its `parties` and `notify` effects).
//
// Every problem is reported as FILE:LINE:COL. Secrets are checked but never echoed.
// Thread-safe: free functions.

#include <chrono>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "workflows/diagnostics.hpp"

namespace pathways::config {

struct WebhookTarget {
  std::string url;                   // http:// or https://
  std::vector<std::string> secrets;  // whsec_…, all used to sign while rotating
  std::string ca_file;               // extra trust for https; empty: the system's
  // An SMS gateway (the participant's `sms`): the body is {to, text} with the participant's
  // phone number and the notice in a few plain words, signed like any webhook.
  bool sms = false;
};

// Words that stand for an address of the pathway's own in an email's `to`: the participant's
// employer, the participant's municipality's address for this party (`municipalities`), and
// the participant's own (identity.email; party `participant` only).
inline constexpr const char* kEmployerAddress = "employer";
inline constexpr const char* kMunicipalityAddress = "municipality";
inline constexpr const char* kParticipantAddress = "participant";

struct EmailTarget {
  std::vector<std::string> to;  // addresses, or the words above
  std::string language = "da";  // da | en: which templates
};

// A municipality of the participants: who hears what for it, by party (e.g. its job centre as
// the referring authority, its youth unit as KUI).
struct Municipality {
  std::string code;  // 3 digits, e.g. 751
  std::string name;
  std::map<std::string, std::vector<std::string>> addresses;  // party -> email addresses
};

// New leads a partner may refer by a signed callback, and where they go: registered with this
// referral source, at this school, with this counsellor (the school's intake) as contact.
struct Referrals {
  std::string referral_source;
  std::string school;  // empty: a partnership without schools
  std::string contact_person;
  int line = 0;  // where it stands, for the check against the users file
  int column = 0;
};

// Signed callbacks a party may send (POST /v1/callbacks/{party}): the secrets it signs with,
// the triggers it may fire, and whether it may refer new leads.
struct InboundTarget {
  std::vector<std::string> secrets;
  std::vector<std::string> triggers;
  std::optional<Referrals> referrals;
};

// Signed links in the party's emails (adapters/auth/links.hpp): a page where whoever received
// the email confirms, without an account, one of `triggers` on the notice's pathway, once,
// until `valid` has passed since it was sent.
struct ConfirmTarget {
  std::vector<std::string> triggers;
  std::chrono::milliseconds valid = std::chrono::hours(24 * 14);
};

// Inbox recipients: user ids, or kContactPerson for the pathway's contact person (or the user
// a request names, such as the counsellor who raised a risk), or kTeamLeads for the team
// leads of the pathway's school.
inline constexpr const char* kContactPerson = "contact_person";
inline constexpr const char* kTeamLeads = "team_lead";

struct PartyChannels {
  std::string party;
  // Whom its notices address ("Til …"): the organisation, where `{municipality}` stands for
  // the name of the participant's municipality ("{municipality}, Jobcenter"). Empty: the
  // party's label.
  std::string name;
  int line = 0;  // where the party's entry stands, for checks against the definitions
  int column = 0;
  std::optional<WebhookTarget> webhook;
  std::optional<EmailTarget> email;
  std::vector<std::string> inbox;
  std::optional<InboundTarget> inbound;
  std::optional<ConfirmTarget> confirm;
};

// A witness of the log's checkpoints (docs/formats/merkle.md, "Witnesses"): where each newly
// signed checkpoint goes (one of a directory, email, a Standard Webhook, a C2SP tlog-witness),
// and the key whose cosignatures over it are kept.
struct WitnessTarget {
  std::string name;
  int line = 0;
  int column = 0;
  std::string key;                       // its verifier key (note or cosignature type); empty: none
  std::string directory;                 // each checkpoint written as SIZE.checkpoint here
  std::vector<std::string> email;        // sent to these addresses (needs `smtp`)
  std::optional<WebhookTarget> webhook;  // posted as a signed webhook
  std::string url;      // a C2SP tlog-witness's submission prefix: add-checkpoint (needs `key`)
  std::string ca_file;  // extra trust for `url`
};

struct SmtpSettings {
  std::string url;  // smtp://host:port (STARTTLS) or smtps://host:port
  // Or no server: each message written as a file (.eml) into this directory, for a demo or a
  // machine without mail; any mail client opens them.
  std::string directory;
  std::string from;
  std::string username;
  std::string password;  // read from `password_file`
  bool require_tls = true;
  std::string ca_file;
};

struct NotifyConfig {
  std::string file;  // where it was read from; empty: no file (nothing external configured)
  // Delays before attempt 2, 3, …: Standard Webhooks' schedule by default.
  std::vector<std::chrono::milliseconds> retry_delays = {
      std::chrono::seconds(5), std::chrono::minutes(5), std::chrono::minutes(30),
      std::chrono::hours(2),   std::chrono::hours(5),   std::chrono::hours(10),
      std::chrono::hours(14),  std::chrono::hours(20),  std::chrono::hours(24)};
  double jitter = 0.2;
  // An endpoint that has failed without a success for this long is disabled.
  std::chrono::milliseconds disable_after = std::chrono::hours(24 * 5);
  std::chrono::milliseconds timeout = std::chrono::seconds(15);
  int workers = 8;  // webhook deliveries in flight at once
  std::optional<SmtpSettings> smtp;
  std::vector<std::string> administrators;  // email addresses told of a disabled endpoint
  std::string templates_dir;                // email templates
  std::map<std::string, PartyChannels> parties;
  std::map<std::string, Municipality> municipalities;  // by code
  std::vector<WitnessTarget> witnesses;

  const PartyChannels* Find(const std::string& party) const {
    auto it = parties.find(party);
    return it == parties.end() ? nullptr : &it->second;
  }
};

struct NotifyConfigResult {
  NotifyConfig config;
  std::vector<workflows::Diagnostic> diagnostics;  // non-empty: do not start
};

NotifyConfigResult LoadNotifyConfig(const std::string& path);

// Checks the file against the parties the loaded definitions declare: every configured party
// exists somewhere, and the inbox is only for internal parties (`external` maps each known
// party to whether it is external).
std::vector<workflows::Diagnostic> CheckParties(const NotifyConfig& c,
                                                const std::map<std::string, bool>& external);

// Checks that every trigger a party may fire (`inbound.triggers`, `confirm.triggers`) is one
// of the loaded definitions' `triggers`.
std::vector<workflows::Diagnostic> CheckTriggers(const NotifyConfig& c,
                                                 const std::set<std::string>& triggers);

// "250ms", "5s", "5m", "2h", "5d" as milliseconds; nullopt when malformed.
std::optional<std::chrono::milliseconds> ParseInterval(std::string_view text);

}  // namespace pathways::config

#pragma once
// The event envelope: what every stored event carries (docs/formats/event_log.md).
//
// Plain value types, no behaviour. An event is proposed as a NewEvent inside an AppendRequest;
// the store assigns position, version, time and hashes, encrypts the personal part, and hands
// back RecordedEvents.

#include <array>
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "engine/clock.hpp"

namespace pathways {

using Hash256 = std::array<std::uint8_t, 32>;

// Which key a personal field is encrypted under. Guidance data can be erased earlier than the
// identity data that funders' audits require; special-category data (GDPR art. 9) has a key of
// its own so no reader of identity data ever decrypts it. Values are stored on disk.
enum class PersonalScope : std::uint8_t {
  kIdentity = 1,  // name, CPR, contact details
  kGuidance = 2,  // barriers, free-text notes
  kSpecial = 3,   // ESF's sensitive items, union membership: counsellors and auditors only
};
std::string_view PersonalScopeName(PersonalScope scope);
std::optional<PersonalScope> ParsePersonalScope(std::string_view name);

// Ids of streams, participants and commands: printable ASCII without spaces, 1..200 bytes.
// They appear in the store's keys, which use 0x00 as a separator.
inline constexpr std::size_t kMaxIdLength = 200;
bool IsValidId(std::string_view id);

// Streams whose id starts with `$` are not pathways: no command runs on them, and no pathway
// may take such an id.
inline constexpr char kSystemStreamMark = '$';
// `$access:<participant>` records who read that participant's personal data
// (PersonalDataViewed), chained like every event.
inline std::string AccessStreamId(const std::string& participant_id) {
  return std::string(1, kSystemStreamMark) + "access:" + participant_id;
}

struct Actor {
  std::string user;
  std::string role;
};

// The pathway definition an event was decided under (empty until definitions exist).
struct DefinitionRef {
  std::string id;
  std::uint32_t version = 0;
  std::string hash;  // lower-case hex of the definition's content hash, or empty
};

// Optimistic concurrency for an append.
struct ExpectedVersion {
  enum class Kind : std::uint8_t { kAny, kNoStream, kExact };
  Kind kind = Kind::kAny;
  std::uint64_t version = 0;  // with kExact: the stream's current last version (>= 1)

  static ExpectedVersion Any() { return {}; }
  static ExpectedVersion NoStream() { return {Kind::kNoStream, 0}; }
  static ExpectedVersion Exact(std::uint64_t v) { return {Kind::kExact, v}; }
};

// One event as a caller proposes it.
struct NewEvent {
  std::string type;  // past tense, e.g. "LeadRegistered"
  std::uint16_t schema_version = 1;
  nlohmann::json data = nlohmann::json::object();  // plain fields; never personal data
  // Personal fields by scope, in plaintext; the store encrypts them before anything is written.
  std::map<PersonalScope, nlohmann::json> personal;
};

struct AppendRequest {
  std::string stream_id;       // one stream per pathway
  std::string participant_id;  // pseudonymous; fixed for a stream at its first event
  ExpectedVersion expected;
  std::string command_id;  // required; the same id again returns the original result
  std::string correlation_id;
  std::string causation_id;
  Actor actor;
  DefinitionRef definition;
  std::vector<NewEvent> events;  // at least one
};

struct AppendResult {
  std::string stream_id;
  std::uint64_t first_version = 0;
  std::uint64_t last_version = 0;
  std::uint64_t first_position = 0;
  std::uint64_t last_position = 0;
  bool duplicate = false;  // true when the command id had been seen and nothing was written
};

// A personal-data part as stored: AES-256-GCM ciphertext of the canonical JSON object.
struct SealedPersonal {
  PersonalScope scope = PersonalScope::kIdentity;
  std::uint32_t key_generation = 0;
  std::array<std::uint8_t, 12> nonce{};
  std::string ciphertext;  // ciphertext followed by the 16-byte tag
};

// An event as stored, owning its fields.
struct RecordedEvent {
  std::uint64_t position = 0;  // global, from 1, no gaps
  std::string stream_id;
  std::uint64_t version = 0;  // within the stream, from 1, no gaps
  std::string participant_id;
  std::string type;
  std::uint16_t schema_version = 1;
  TimestampMs occurred_at = 0;
  Actor actor;
  std::string command_id;
  std::string correlation_id;
  std::string causation_id;
  DefinitionRef definition;
  std::string data;  // canonical JSON text (sorted keys, no insignificant whitespace)
  std::vector<SealedPersonal> personal;
  Hash256 prev_hash{};
  Hash256 hash{};
};

// The chain's head: the last committed position and its hash (zeros for an empty store).
struct ChainHead {
  std::uint64_t position = 0;
  Hash256 hash{};
};

}  // namespace pathways

#pragma once
// Column families, key layouts and format constants of a Pathways store.
// The byte-level description with a worked example is docs/formats/event_log.md; change the
// two together.

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>

#include "engine/codec/bytes.hpp"
#include "engine/event.hpp"

namespace pathways::storage {

// Bumped when a store written by this build cannot be read by an older one.
// 3: state rows of format 3 (schools, partners, appointments, consent).
// 4: state rows of format 4 (the path so far) and the report rows (`reports`,
//    `report_history`).
// 5: the stream index holds one row per append or command (a run of versions at consecutive
//    positions), not one per event; rows of format 4 read as runs of one. State and report rows
//    of format 5 (the data as MessagePack); those of format 4 are still read.
// 6: state rows of format 6 (a company's record after the path so far), the company events.
// 7: the company links (`company_links`): a company's employees and the leads it brought.
// 8: the log's Merkle tree (`tree`) and its signed checkpoints (`checkpoints`).
// 9: the tree without its leaves (level 0): each is the hash of its event's stored value, so
//    storing it cost a key per event for nothing a proof could not read from the event.
inline constexpr std::uint32_t kStoreFormatVersion = 9;

// Value format bytes (first byte of the value) of the non-event column families.
inline constexpr std::uint8_t kCommandValueFormat = 1;
inline constexpr std::uint8_t kKeyValueFormat = 1;

namespace cf {
inline constexpr const char* kEvents = "events";  // BE64 position -> event value
// stream 00 BE64 first version -> BE64 first position [LE32 count] (StreamRun)
inline constexpr const char* kStreams = "streams";
inline constexpr const char* kParticipants = "participants";  // participant 00 stream -> ""
inline constexpr const char* kCommands = "commands";          // command id -> append result
inline constexpr const char* kKeys = "keys";                  // participant 00 scope -> data key
inline constexpr const char* kMeta = "meta";                  // name -> value
inline constexpr const char* kPathways = "pathways";          // pathway -> state
inline constexpr const char* kTimers = "timers";              // BE64 due pathway 00 timer -> ""
inline constexpr const char* kCaseload = "caseload";          // counsellor 00 pathway -> summary
inline constexpr const char* kInbox = "inbox";                // assignee 00 pathway 00 task -> task
inline constexpr const char* kCounts = "counts";  // "state:" id | "milestone:" id -> LE64
inline constexpr const char* kOutbox = "outbox";  // BE64 position -> notification
// pathway 00 BE64 at command id -> format byte, canonical JSON of the refusal
inline constexpr const char* kRejections = "rejections";
// The notification adapters' own rows (DeliveryLedger): checkpoints, deliveries between
// attempts, their due-time queue, dead letters and endpoint health; see delivery_ledger.hpp.
inline constexpr const char* kDeliveries = "deliveries";
// What the funder's reports read of each pathway (a state row without what comes and goes:
// tasks, timers, appointments, risks), as it stands and as of each change:
inline constexpr const char* kReports = "reports";               // pathway -> report row
inline constexpr const char* kReportHistory = "report_history";  // pathway 00 BE64 pos -> row
// The special-category part of each event that has one, as sealed in the event
// (EncodeKeptSpecial), so a report opens a row's sensitive items without reading the event:
inline constexpr const char* kReportSealed = "report_sealed";  // pathway 00 BE64 version -> part
// A participant's pathway under each company it is linked to (its employer's CVR, the CVR of the
// company whose visit brought the lead): format byte, then CompanyLink flags.
inline constexpr const char* kCompanyLinks = "company_links";  // cvr 00 pathway -> flags
// The log's Merkle tree (docs/formats/merkle.md): the hash of each complete subtree at every
// kTreeStride-th level above the leaves (4, 8, …; format 8 kept level 0 too).
inline constexpr const char* kTree = "tree";  // u8 level BE64 index -> hash[32]
// The checkpoints the log signed, by tree size: the signed note, with any cosignatures added.
inline constexpr const char* kCheckpoints = "checkpoints";  // BE64 size -> signed note
}  // namespace cf

// The levels of the tree that are stored: 4, 8, ... A proof's node of another level is
// hashed up from at most 2^(kTreeStride - 1) stored ones (below level 4: from the events).
inline constexpr std::uint32_t kTreeStride = 4;

inline std::string TreeKey(std::uint32_t level, std::uint64_t index) {
  std::string k(1, static_cast<char>(level));
  codec::PutBigU64(k, index);
  return k;
}

// A `pathways` (and report) row: format 6 is binary with the data as MessagePack and a
// company's record at its end (state_row.hpp); format 5, the same without the record; format 4,
// the same with the data as JSON text, format 3, without the path so
// far either, format 2, without the school, partners, appointments and consent either, and
// format 1, canonical JSON, are still read.
inline constexpr std::uint8_t kPathwayValueFormat = 6;
inline constexpr std::uint8_t kPathwayValueFormatV5 = 5;
inline constexpr std::uint8_t kPathwayValueFormatV4 = 4;
inline constexpr std::uint8_t kPathwayValueFormatV3 = 3;
inline constexpr std::uint8_t kPathwayValueFormatV2 = 2;
inline constexpr std::uint8_t kPathwayValueFormatJson = 1;
inline constexpr std::uint8_t kRejectionValueFormat = 1;     // then the refusal's canonical JSON
inline constexpr std::uint8_t kReportSealedValueFormat = 1;  // then EncodeKeptSpecial's bytes
inline constexpr std::uint8_t kCompanyLinkValueFormat = 1;   // then the flags byte

inline std::string RejectionKey(std::string_view pathway_id, std::int64_t at,
                                std::string_view command_id) {
  std::string k(pathway_id);
  k.push_back('\0');
  codec::PutBigU64(k, static_cast<std::uint64_t>(at));
  k.append(command_id);
  return k;
}

inline std::string TimerKey(std::int64_t due_at, std::string_view pathway_id,
                            std::string_view timer_id) {
  std::string k = codec::BigU64(static_cast<std::uint64_t>(due_at));
  k.append(pathway_id);
  k.push_back('\0');
  k.append(timer_id);
  return k;
}
inline std::string CaseloadKey(std::string_view counsellor, std::string_view pathway_id) {
  std::string k(counsellor);
  k.push_back('\0');
  k.append(pathway_id);
  return k;
}
inline std::string CompanyLinkKey(std::string_view cvr, std::string_view pathway_id) {
  return CaseloadKey(cvr, pathway_id);
}
inline std::string EncodeCompanyLink(std::uint8_t flags) {
  return {static_cast<char>(kCompanyLinkValueFormat), static_cast<char>(flags)};
}
inline std::string InboxKey(std::string_view assignee, std::string_view pathway_id,
                            std::string_view task_id) {
  std::string k = CaseloadKey(assignee, pathway_id);
  k.push_back('\0');
  k.append(task_id);
  return k;
}

namespace meta {
inline constexpr std::string_view kFormatVersion = "format_version";  // LE32
inline constexpr std::string_view kHead = "head";                     // LE64 position, hash[32]
inline constexpr std::string_view kKeyCheck = "master_key_check";     // nonce[12] sealed
}  // namespace meta

// AAD and plaintext of the master-key check value in meta.
inline constexpr std::string_view kKeyCheckAad = "pathways master key check v1";
inline constexpr std::string_view kKeyCheckPlain = "pathways";

// Ids in keys are IsValidId (engine/event.hpp): they never contain the 0x00 separator.

inline std::string EventKey(std::uint64_t position) { return codec::BigU64(position); }

inline std::string StreamPrefix(std::string_view stream_id) {
  std::string k(stream_id);
  k.push_back('\0');
  return k;
}
inline std::string StreamKey(std::string_view stream_id, std::uint64_t version) {
  std::string k = StreamPrefix(stream_id);
  codec::PutBigU64(k, version);
  return k;
}

// A row of the stream index: `count` versions of a stream from `first_version`, at consecutive
// positions from `first_position` (an append's or a command's events, which are consecutive in
// both). The count is left out when it is 1, so a row of format 4 (one per event) is a run of
// one, byte for byte.
struct StreamRun {
  std::uint64_t first_version = 0;
  std::uint64_t first_position = 0;
  std::uint32_t count = 0;

  std::uint64_t last_version() const { return first_version + count - 1; }
  bool Holds(std::uint64_t version) const {
    return version >= first_version && version - first_version < count;
  }
  std::uint64_t PositionOf(std::uint64_t version) const {
    return first_position + (version - first_version);
  }
};

inline std::string EncodeStreamRun(std::uint64_t first_position, std::uint32_t count) {
  std::string v = codec::BigU64(first_position);
  if (count != 1) codec::PutU32(v, count);
  return v;
}

// A stream index row of `prefix` (StreamPrefix of its stream); false when it is not one of that
// stream's or is malformed (a value of neither 8 nor 12 bytes, a count or version of 0).
inline bool DecodeStreamRun(std::string_view prefix, std::string_view key, std::string_view value,
                            StreamRun& out) {
  if (key.size() != prefix.size() + 8 || !key.starts_with(prefix)) return false;
  if (value.size() != 8 && value.size() != 12) return false;
  out.first_version = codec::GetBigU64(key.data() + prefix.size());
  out.first_position = codec::GetBigU64(value.data());
  out.count = 1;
  if (value.size() == 12) {
    codec::ByteReader r(value.substr(8));
    if (!r.GetLittle(out.count)) return false;
  }
  return out.count != 0 && out.first_version != 0 && out.first_position != 0;
}

// A `report_sealed` value: the special-category part of the event at its key's version, the
// same bytes as in the event (key generation, nonce, ciphertext and tag), opened with the same
// key and associated data. Nothing is sealed again: erasing the key erases both.
inline std::string EncodeKeptSpecial(const SealedPersonal& part) {
  std::string v;
  v.reserve(1 + 4 + part.nonce.size() + part.ciphertext.size());
  codec::PutU8(v, kReportSealedValueFormat);
  codec::PutU32(v, part.key_generation);
  v.append(reinterpret_cast<const char*>(part.nonce.data()), part.nonce.size());
  v.append(part.ciphertext);
  return v;
}

// False when `value` is not one (another format byte, or too short for a tag).
inline bool DecodeKeptSpecial(std::string_view value, SealedPersonal& out) {
  codec::ByteReader r(value);
  std::uint8_t format = 0;
  std::string_view nonce;
  if (!r.GetLittle(format) || format != kReportSealedValueFormat ||
      !r.GetLittle(out.key_generation) || !r.GetBytes(out.nonce.size(), nonce) ||
      r.remaining() < 16) {
    return false;
  }
  out.scope = PersonalScope::kSpecial;
  std::copy(nonce.begin(), nonce.end(), reinterpret_cast<char*>(out.nonce.data()));
  out.ciphertext.assign(value.substr(r.offset()));
  return true;
}

inline std::string ParticipantPrefix(std::string_view participant_id) {
  std::string k(participant_id);
  k.push_back('\0');
  return k;
}
inline std::string ParticipantKey(std::string_view participant_id, std::string_view stream_id) {
  return ParticipantPrefix(participant_id) + std::string(stream_id);
}

inline std::string DataKeyKey(std::string_view participant_id, PersonalScope scope) {
  std::string k = ParticipantPrefix(participant_id);
  k.push_back(static_cast<char>(scope));
  return k;
}

// AAD that binds a sealed personal part or a wrapped data key to its owner.
std::string PersonalAad(std::string_view participant_id, PersonalScope scope,
                        std::uint32_t generation);
std::string WrapAad(std::string_view participant_id, PersonalScope scope, std::uint32_t generation);

}  // namespace pathways::storage

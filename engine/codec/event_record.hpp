#pragma once
// The binary event record: encoding, zero-copy decoding, and the chain hash over it.
//
// Layout (docs/formats/event_log.md has the grammar and a worked example):
//   value  := record prev_hash[32] hash[32]
//   hash   := SHA-256(prev_hash || record)
// The record is "the canonical bytes of the event": hashing and verifying read exactly the
// stored bytes and never re-serialize anything.
//
// Thread-safe: free functions over caller-owned buffers.

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "engine/event.hpp"
#include "engine/result.hpp"

namespace pathways::codec {

inline constexpr std::uint8_t kRecordFormat = 1;  // first byte of every record
inline constexpr std::size_t kHashSize = 32;
inline constexpr std::size_t kMaxPersonalParts = 4;
inline constexpr std::size_t kMaxShortString = 1024;  // ids, types, actor fields

struct PersonalPartView {
  PersonalScope scope = PersonalScope::kIdentity;
  std::uint32_t key_generation = 0;
  std::string_view nonce;       // 12 bytes
  std::string_view ciphertext;  // ciphertext || 16-byte tag
};

// A decoded event whose strings point into the value it was decoded from.
// Valid only while that buffer lives.
struct EventView {
  std::uint64_t position = 0;
  std::uint64_t version = 0;
  TimestampMs occurred_at = 0;
  std::uint16_t schema_version = 0;
  std::string_view stream_id, participant_id, type, actor_user, actor_role;
  std::string_view command_id, correlation_id, causation_id;
  std::string_view definition_id;
  std::uint32_t definition_version = 0;
  std::string_view definition_hash;
  std::string_view data;
  std::array<PersonalPartView, kMaxPersonalParts> personal{};
  std::size_t personal_count = 0;
  std::string_view record;     // the canonical bytes that were hashed
  std::string_view prev_hash;  // 32 bytes
  std::string_view hash;       // 32 bytes
};

// Appends the record bytes of `e` (everything but the two hashes) to `out`.
// REQUIRES: string fields within the limits ValidateShortString checks.
void EncodeRecord(const RecordedEvent& e, std::string& out);

// Appends prev_hash and SHA-256(prev_hash || record) to a value that holds just the record,
// and returns the new hash.
Hash256 SealValue(std::string& value, const Hash256& prev_hash);

// Decodes a full stored value. Corruption names what is wrong; it never reads out of bounds.
Status DecodeValue(std::string_view value, EventView& out);

RecordedEvent ToRecordedEvent(const EventView& v);

// Recomputes SHA-256(prev_hash || record) of a decoded value.
Hash256 ComputeHash(const EventView& v);

std::string HexEncode(std::string_view bytes);
inline std::string HexEncode(const Hash256& h) {
  return HexEncode(std::string_view(reinterpret_cast<const char*>(h.data()), h.size()));
}
Hash256 ToHash(std::string_view bytes32);

}  // namespace pathways::codec

#include "engine/codec/event_record.hpp"

#include <cstring>

#include "engine/audit/sha256.hpp"
#include "engine/codec/bytes.hpp"

namespace pathways::codec {

void EncodeRecord(const RecordedEvent& e, std::string& out) {
  PutU8(out, kRecordFormat);
  PutU64(out, e.position);
  PutU64(out, e.version);
  PutU64(out, static_cast<std::uint64_t>(e.occurred_at));
  PutU16(out, e.schema_version);
  PutStr16(out, e.stream_id);
  PutStr16(out, e.participant_id);
  PutStr16(out, e.type);
  PutStr16(out, e.actor.user);
  PutStr16(out, e.actor.role);
  PutStr16(out, e.command_id);
  PutStr16(out, e.correlation_id);
  PutStr16(out, e.causation_id);
  PutStr16(out, e.definition.id);
  PutU32(out, e.definition.version);
  PutStr16(out, e.definition.hash);
  PutStr32(out, e.data);
  PutU8(out, static_cast<std::uint8_t>(e.personal.size()));
  for (const SealedPersonal& p : e.personal) {
    PutU8(out, static_cast<std::uint8_t>(p.scope));
    PutU32(out, p.key_generation);
    out.append(reinterpret_cast<const char*>(p.nonce.data()), p.nonce.size());
    PutStr32(out, p.ciphertext);
  }
}

Hash256 SealValue(std::string& value, const Hash256& prev_hash) {
  audit::Sha256 sha;
  sha.Update(prev_hash.data(), prev_hash.size());
  sha.Update(value.data(), value.size());
  Hash256 hash = sha.Final();
  value.append(reinterpret_cast<const char*>(prev_hash.data()), prev_hash.size());
  value.append(reinterpret_cast<const char*>(hash.data()), hash.size());
  return hash;
}

Status DecodeValue(std::string_view value, EventView& out) {
  if (value.size() < 1 + 2 * kHashSize) {
    return Status::Corruption("event value too short (" + std::to_string(value.size()) + " bytes)");
  }
  out.record = value.substr(0, value.size() - 2 * kHashSize);
  out.prev_hash = value.substr(out.record.size(), kHashSize);
  out.hash = value.substr(out.record.size() + kHashSize, kHashSize);

  ByteReader r(out.record);
  std::uint8_t format = 0;
  if (!r.GetLittle(format)) return Status::Corruption("empty event record");
  if (format != kRecordFormat) {
    return Status::Corruption("unknown event record format " + std::to_string(format));
  }
  std::uint64_t occurred = 0;
  std::uint8_t personal_count = 0;
  bool ok = r.GetLittle(out.position) && r.GetLittle(out.version) && r.GetLittle(occurred) &&
            r.GetLittle(out.schema_version) && r.GetStr16(out.stream_id) &&
            r.GetStr16(out.participant_id) && r.GetStr16(out.type) && r.GetStr16(out.actor_user) &&
            r.GetStr16(out.actor_role) && r.GetStr16(out.command_id) &&
            r.GetStr16(out.correlation_id) && r.GetStr16(out.causation_id) &&
            r.GetStr16(out.definition_id) && r.GetLittle(out.definition_version) &&
            r.GetStr16(out.definition_hash) && r.GetStr32(out.data) && r.GetLittle(personal_count);
  if (!ok) return Status::Corruption("event record truncated");
  out.occurred_at = static_cast<TimestampMs>(occurred);
  if (personal_count > kMaxPersonalParts) {
    return Status::Corruption("event record claims " + std::to_string(personal_count) +
                              " personal parts");
  }
  out.personal_count = personal_count;
  for (std::size_t i = 0; i < personal_count; ++i) {
    PersonalPartView& p = out.personal[i];
    std::uint8_t scope = 0;
    if (!(r.GetLittle(scope) && r.GetLittle(p.key_generation) && r.GetBytes(12, p.nonce) &&
          r.GetStr32(p.ciphertext))) {
      return Status::Corruption("event record truncated in its personal part");
    }
    if (scope < static_cast<std::uint8_t>(PersonalScope::kIdentity) ||
        scope > static_cast<std::uint8_t>(PersonalScope::kSpecial)) {
      return Status::Corruption("unknown personal scope " + std::to_string(scope));
    }
    p.scope = static_cast<PersonalScope>(scope);
  }
  if (r.remaining() != 0) return Status::Corruption("trailing bytes after event record");
  return Status::Ok();
}

Hash256 ToHash(std::string_view bytes32) {
  Hash256 h{};
  std::memcpy(h.data(), bytes32.data(), std::min(bytes32.size(), h.size()));
  return h;
}

RecordedEvent ToRecordedEvent(const EventView& v) {
  RecordedEvent e;
  e.position = v.position;
  e.stream_id = v.stream_id;
  e.version = v.version;
  e.participant_id = v.participant_id;
  e.type = v.type;
  e.schema_version = v.schema_version;
  e.occurred_at = v.occurred_at;
  e.actor = {std::string(v.actor_user), std::string(v.actor_role)};
  e.command_id = v.command_id;
  e.correlation_id = v.correlation_id;
  e.causation_id = v.causation_id;
  e.definition = {std::string(v.definition_id), v.definition_version,
                  std::string(v.definition_hash)};
  e.data = v.data;
  for (std::size_t i = 0; i < v.personal_count; ++i) {
    const PersonalPartView& p = v.personal[i];
    SealedPersonal s;
    s.scope = p.scope;
    s.key_generation = p.key_generation;
    std::memcpy(s.nonce.data(), p.nonce.data(), s.nonce.size());
    s.ciphertext = p.ciphertext;
    e.personal.push_back(std::move(s));
  }
  e.prev_hash = ToHash(v.prev_hash);
  e.hash = ToHash(v.hash);
  return e;
}

Hash256 ComputeHash(const EventView& v) {
  audit::Sha256 sha;
  sha.Update(v.prev_hash.data(), v.prev_hash.size());
  sha.Update(v.record.data(), v.record.size());
  return sha.Final();
}

std::string HexEncode(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 0xF]);
  }
  return out;
}

}  // namespace pathways::codec

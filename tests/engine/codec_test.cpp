// The byte formats: event records round-trip, damaged values are reported (never read out
// of bounds), AES-GCM refuses the wrong context, times format as ISO 8601.

#include <doctest/doctest.h>

#include "engine/audit/aead.hpp"
#include "engine/codec/event_json.hpp"
#include "engine/codec/event_record.hpp"

namespace pathways {
namespace {

RecordedEvent Sample() {
  RecordedEvent e;
  e.position = 42;
  e.stream_id = "pw-7";
  e.version = 3;
  e.participant_id = "p-7";
  e.type = "RkvCompleted";
  e.schema_version = 2;
  e.occurred_at = 1772438400123;
  e.actor = {"vejleder-1", "counsellor"};
  e.command_id = "cmd-1";
  e.correlation_id = "corr-1";
  e.causation_id = "cause-1";
  e.definition = {"amigo", 3, "ab12"};
  e.data = R"({"credit_weeks":4,"track":"EUV2"})";
  SealedPersonal p;
  p.scope = PersonalScope::kGuidance;
  p.key_generation = 2;
  p.nonce.fill(7);
  p.ciphertext = std::string(40, 'c');
  e.personal.push_back(p);
  return e;
}

TEST_CASE("an event record round-trips and its hash covers exactly the stored bytes") {
  RecordedEvent e = Sample();
  std::string value;
  codec::EncodeRecord(e, value);
  Hash256 prev{};
  prev.fill(9);
  const Hash256 hash = codec::SealValue(value, prev);

  codec::EventView v;
  REQUIRE(codec::DecodeValue(value, v).ok());
  CHECK(codec::ComputeHash(v) == hash);
  RecordedEvent back = codec::ToRecordedEvent(v);
  CHECK(back.position == 42);
  CHECK(back.stream_id == "pw-7");
  CHECK(back.version == 3);
  CHECK(back.type == "RkvCompleted");
  CHECK(back.schema_version == 2);
  CHECK(back.occurred_at == 1772438400123);
  CHECK(back.actor.user == "vejleder-1");
  CHECK(back.definition.version == 3);
  CHECK(back.data == e.data);
  REQUIRE(back.personal.size() == 1);
  CHECK(back.personal[0].scope == PersonalScope::kGuidance);
  CHECK(back.personal[0].key_generation == 2);
  CHECK(back.personal[0].ciphertext == std::string(40, 'c'));
  CHECK(back.prev_hash == prev);
  CHECK(back.hash == hash);
}

TEST_CASE("every truncation of a value is reported as corruption") {
  std::string value;
  codec::EncodeRecord(Sample(), value);
  codec::SealValue(value, Hash256{});
  for (std::size_t n = 0; n < value.size(); ++n) {
    codec::EventView v;
    Status s = codec::DecodeValue(std::string_view(value).substr(0, n), v);
    CHECK_MESSAGE(s.code() == StatusCode::kCorruption, "length " << n);
  }
}

TEST_CASE("AES-256-GCM opens only with the same key, nonce and context") {
  audit::Key256 key{};
  key.fill(1);
  audit::Nonce nonce{};
  nonce.fill(2);
  const std::string sealed = audit::Seal(key, nonce, "participant p-1", "secret text");
  CHECK(sealed.size() == std::string("secret text").size() + audit::kTagSize);
  CHECK(sealed.find("secret") == std::string::npos);
  CHECK(audit::Open(key, nonce, "participant p-1", sealed) ==
        std::optional<std::string>("secret text"));
  CHECK_FALSE(audit::Open(key, nonce, "participant p-2", sealed).has_value());
  audit::Key256 other = key;
  other[0] ^= 1;
  CHECK_FALSE(audit::Open(other, nonce, "participant p-1", sealed).has_value());
  std::string tampered = sealed;
  tampered[3] ^= 1;
  CHECK_FALSE(audit::Open(key, nonce, "participant p-1", tampered).has_value());
}

TEST_CASE("times are ISO 8601 in UTC with milliseconds") {
  CHECK(codec::FormatIso8601(0) == "1970-01-01T00:00:00.000Z");
  CHECK(codec::FormatIso8601(1772438400123) == "2026-03-02T08:00:00.123Z");
  CHECK(codec::FormatIso8601(951782400000) == "2000-02-29T00:00:00.000Z");
  CHECK(codec::FormatIso8601(-1) == "1969-12-31T23:59:59.999Z");
}

TEST_CASE("JSON strings are escaped") {
  std::string out;
  codec::AppendJsonString(out, std::string("a\"b\\c\n\x01\xC3\xA6", 9));
  CHECK(out == "\"a\\\"b\\\\c\\n\\u0001\xC3\xA6\"");
  CHECK(nlohmann::json::parse(out) == std::string("a\"b\\c\n\x01\xC3\xA6", 9));
}

}  // namespace
}  // namespace pathways

namespace pathways {
namespace {

TEST_CASE("ISO 8601 times parse, with and without offsets") {
  TimestampMs t = 0;
  REQUIRE(codec::ParseIso8601("2026-03-02", t));
  CHECK(t == 1772409600000);
  REQUIRE(codec::ParseIso8601("2026-03-02T08:00:00.123Z", t));
  CHECK(t == 1772438400123);
  REQUIRE(codec::ParseIso8601("2026-03-02T09:00:00+01:00", t));
  CHECK(t == 1772438400000);
  REQUIRE(codec::ParseIso8601("2026-03-02T08:00:00", t));
  CHECK(t == 1772438400000);
  CHECK(codec::FormatIso8601(t) == "2026-03-02T08:00:00.000Z");
  CHECK_FALSE(codec::ParseIso8601("2026-02-30", t));
  CHECK_FALSE(codec::ParseIso8601("2026-03-02T25:00:00Z", t));
  CHECK_FALSE(codec::ParseIso8601("yesterday", t));
  CHECK_FALSE(codec::ParseIso8601("2026-03-02T08:00:00Zjunk", t));
}

}  // namespace
}  // namespace pathways

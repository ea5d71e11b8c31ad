// The `pathways` row: the binary format round-trips every field, rows of the formats earlier
// builds wrote (JSON, binary without schools and appointments, without the path, with the data
// as JSON text, without company records) are still read,
// and a damaged row is Corruption naming its pathway.

#include "engine/storage/state_row.hpp"

#include <doctest/doctest.h>

#include "engine/codec/bytes.hpp"
#include "engine/codec/msgpack.hpp"
#include "engine/storage/store_format.hpp"

namespace pathways::storage {
namespace {

runtime::PathwayState Rich() {
  runtime::PathwayState s;
  s.pathway_id = "p-1";
  s.participant_id = "deltager-1";
  s.definition_id = "amigo";
  s.definition_version = 3;
  s.definition_hash = std::string(64, 'a');
  s.version = 17;
  s.state = "in_basic_course";
  s.status = runtime::PathwayStatus::kPaused;
  s.contact_person = "anne";
  s.data = {{"track", "EUV2"}, {"age_at_entry", 31}, {"note", "æøå \"quoted\""}};
  s.milestones = {{"enrolment_confirmed", 1772442000000}, {"lead_registered", 1772000000000}};
  s.open_risks["r1"] = {"r1", "absence", "high", "system", 1772443000000};
  s.open_tasks["t2"] = {"t2",   "call_back",   "Ring tilbage", "Call back",
                        "anne", 1772444000000, "escalated"};
  s.timers["follow_up_4_weeks"] = {1772442000000, 1774861200000};
  s.spent_timers["subsidy_reminder"] = 1772443000000;
  s.created_at = 1772000000000;
  s.last_contact_at = 1772440000000;
  s.sequence = 9;
  s.school = "teknisk-skole";
  s.employer = {"Smedje A/S", "12345678", "Ole Smed", "ole@smedje.example", "", true};
  s.municipality = "751";
  s.appointments["m1"] = {"m1", 1772450000000, 1772453600000, "Lokale 2", false, "Plan", true};
  s.appointments["m2"] = {"m2", 1772550000000, 1772553600000, "https://møde.example/x", true,
                          "",   false};
  s.consent = {"2026-09", true, {"email", "sms"}};
  s.entered = {{"lead", {1772000000000, ""}},
               {"in_basic_course", {1772442000000, "enrolment_pending"}}};
  s.contacts = 4;
  s.personal_at = {{"identity.disability", 12}};
  return s;
}

// The bytes format 3 adds after format 2's for a state without a school, partners,
// appointments or consent: 8 empty strings, 2 flags and 2 counts.
constexpr std::size_t kEmptyFormat3Tail = 8 * 4 + 2 + 2 * 4;
// And format 4 after format 3's, for a state without a path: 3 counts.
constexpr std::size_t kEmptyFormat4Tail = 3 * 4;
// What format 6 adds for a participant: no referring company (an empty string), no record.
constexpr std::size_t kEmptyFormat6Tail = 4 + 1;

runtime::PathwayState WithoutPath(runtime::PathwayState s) {
  s.entered.clear();
  s.contacts = 0;
  s.personal_at.clear();
  return s;
}

TEST_CASE("a pathway's state row keeps every field through encoding and decoding") {
  const runtime::PathwayState s = Rich();
  const std::string row = EncodeStateRow(s);
  CHECK(static_cast<std::uint8_t>(row[0]) == kPathwayValueFormat);
  Result<runtime::PathwayState> back = DecodeStateRow(s.pathway_id, row);
  REQUIRE(back.ok());
  CHECK(back->ToJson().dump() == s.ToJson().dump());
  CHECK(EncodeStateRow(*back) == row);
  CHECK(EncodeStateRow(runtime::PathwayState{}).size() < row.size());
}

// A company's record, as a `kind: company` pathway holds it.
runtime::PathwayState Company() {
  runtime::PathwayState s = Rich();
  s.pathway_id = "company-12345674";
  s.participant_id = s.pathway_id;
  s.company.cvr = "12345674";
  s.company.name = "Smedjen ApS";
  s.company.p_number = "1012345678";
  s.company.size_band = "small";
  s.company.industry = "25";
  s.company.green = {"energy_efficiency", "green_jobs"};
  s.company.first_contact_at = 1772000000000;
  s.company.persons["p3"] = {"Værkfører", 1772000100000};
  s.company.needs["n4"] = {"Svejsning efter ny norm", {"40275"},    3, "2027-02-01", "2027-03-31",
                           {"green_competences"},     1772000200000};
  return s;
}

// `row` of format 6 as format 5 held it: without the referring company (empty) and the byte
// that says there is no company's record.
std::string AsFormat5(std::string row) {
  REQUIRE(row.ends_with(std::string(5, '\0')));
  row.resize(row.size() - 5);
  row[0] = static_cast<char>(kPathwayValueFormatV5);
  return row;
}

TEST_CASE("a company's record in a state row keeps every field, and a participant's row has none") {
  const runtime::PathwayState s = Company();
  const std::string row = EncodeStateRow(s);
  Result<runtime::PathwayState> back = DecodeStateRow(s.pathway_id, row);
  REQUIRE_MESSAGE(back.ok(), back.status().ToString());
  CHECK(back->company == s.company);
  CHECK(back->ToJson().dump() == s.ToJson().dump());
  CHECK(EncodeStateRow(*back) == row);
  // Cut anywhere in the record, the row is Corruption, never a shorter record.
  for (std::size_t cut = EncodeStateRow(Rich()).size(); cut < row.size(); cut += 7) {
    CHECK_FALSE(DecodeStateRow(s.pathway_id, row.substr(0, cut)).ok());
  }
  runtime::PathwayState referred = Rich();
  referred.referred_by_company = "12345674";
  Result<runtime::PathwayState> participant = DecodeStateRow("p-1", EncodeStateRow(referred));
  REQUIRE(participant.ok());
  CHECK_FALSE(participant->is_company());
  CHECK(participant->referred_by_company == "12345674");
  CHECK_FALSE(participant->ToJson().contains("company"));
}

TEST_CASE("a state row of binary format 5 (before company records) is still read") {
  const runtime::PathwayState s = Rich();
  Result<runtime::PathwayState> back = DecodeStateRow(s.pathway_id, AsFormat5(EncodeStateRow(s)));
  REQUIRE_MESSAGE(back.ok(), back.status().ToString());
  CHECK(back->ToJson().dump() == s.ToJson().dump());
}

// The bytes of a length-prefixed string, as the row holds them.
std::string Str32(std::string_view text) {
  std::string out;
  codec::PutStr32(out, text);
  return out;
}

// `row`, s's row of the current format, with the data as JSON text, as formats 2 to 4 held it.
std::string WithDataAsText(std::string row, const runtime::PathwayState& s) {
  std::string packed;
  codec::AppendMsgpack(packed, s.data);
  const std::size_t at = row.find(Str32(packed));
  REQUIRE(at != std::string::npos);
  return row.replace(at, 4 + packed.size(), Str32(s.data.dump()));
}

TEST_CASE("a state row of binary format 4 (the data as JSON text) is still read") {
  const runtime::PathwayState s = Rich();
  std::string row = WithDataAsText(AsFormat5(EncodeStateRow(s)), s);
  row[0] = static_cast<char>(kPathwayValueFormatV4);
  Result<runtime::PathwayState> back = DecodeStateRow(s.pathway_id, row);
  REQUIRE_MESSAGE(back.ok(), back.status().ToString());
  CHECK(back->ToJson().dump() == s.ToJson().dump());
  // Text that is not JSON there is unreadable data, as before.
  const std::size_t at = row.find(s.data.dump());
  row[at] = '[';
  CHECK(DecodeStateRow(s.pathway_id, row).status().message().find("unreadable data") !=
        std::string::npos);
}

TEST_CASE("a state row of binary format 3 (before the path was kept) is still read") {
  const runtime::PathwayState s = WithoutPath(Rich());
  std::string row = WithDataAsText(AsFormat5(EncodeStateRow(s)), s);
  row.resize(row.size() - kEmptyFormat4Tail);
  row[0] = static_cast<char>(kPathwayValueFormatV3);
  Result<runtime::PathwayState> back = DecodeStateRow(s.pathway_id, row);
  REQUIRE_MESSAGE(back.ok(), back.status().ToString());
  CHECK(back->ToJson().dump() == s.ToJson().dump());
}

TEST_CASE("a state row of binary format 2 (before schools and appointments) is still read") {
  runtime::PathwayState s = WithoutPath(Rich());
  s.school.clear();
  s.employer = {};
  s.municipality.clear();
  s.appointments.clear();
  s.consent = {};
  std::string row = WithDataAsText(AsFormat5(EncodeStateRow(s)), s);
  row.resize(row.size() - kEmptyFormat4Tail - kEmptyFormat3Tail);
  row[0] = static_cast<char>(kPathwayValueFormatV2);
  Result<runtime::PathwayState> back = DecodeStateRow(s.pathway_id, row);
  REQUIRE_MESSAGE(back.ok(), back.status().ToString());
  CHECK(back->ToJson().dump() == s.ToJson().dump());
}

TEST_CASE("a state row of the JSON format earlier builds wrote is still read") {
  const runtime::PathwayState s = Rich();
  std::string row(1, static_cast<char>(kPathwayValueFormatJson));
  row += s.ToJson().dump();
  Result<runtime::PathwayState> back = DecodeStateRow(s.pathway_id, row);
  REQUIRE(back.ok());
  CHECK(back->ToJson().dump() == s.ToJson().dump());
}

TEST_CASE("a damaged state row is corruption naming its pathway") {
  const std::string row = EncodeStateRow(Rich());
  SUBCASE("every truncation") {
    for (std::size_t n = 0; n < row.size(); ++n) {
      Result<runtime::PathwayState> r = DecodeStateRow("p-1", row.substr(0, n));
      REQUIRE_FALSE(r.ok());
      CHECK(r.status().code() == StatusCode::kCorruption);
    }
  }
  SUBCASE("bytes after the end") {
    Result<runtime::PathwayState> r = DecodeStateRow("p-1", row + "x");
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().message().find("pathway p-1") != std::string::npos);
  }
  SUBCASE("an unknown format") {
    std::string other = row;
    other[0] = 9;
    CHECK(DecodeStateRow("p-1", other).status().message().find("unknown format") !=
          std::string::npos);
  }
  SUBCASE("a count far beyond the row") {
    runtime::PathwayState empty;
    std::string bare = EncodeStateRow(empty);
    // The milestones' count is the first of format 2's five counts, 20 bytes before its end.
    bare[bare.size() - kEmptyFormat6Tail - kEmptyFormat4Tail - kEmptyFormat3Tail - 20] = '\xff';
    CHECK(DecodeStateRow("p-1", bare).status().code() == StatusCode::kCorruption);
    // And the appointments' count, the second to last of format 3's.
    bare = EncodeStateRow(empty);
    bare[bare.size() - kEmptyFormat6Tail - kEmptyFormat4Tail - 4 - 1 - 4 - 4] = '\xff';
    CHECK(DecodeStateRow("p-1", bare).status().code() == StatusCode::kCorruption);
    // And the path's first count, format 4's.
    bare = EncodeStateRow(empty);
    bare[bare.size() - kEmptyFormat6Tail - kEmptyFormat4Tail] = '\xff';
    CHECK(DecodeStateRow("p-1", bare).status().code() == StatusCode::kCorruption);
  }
  SUBCASE("unreadable data") {
    runtime::PathwayState odd;
    std::string bare = EncodeStateRow(odd);
    // The data `{}` is one byte (a MessagePack fixmap of none) after its length: make it the
    // byte MessagePack never uses.
    const std::size_t at = bare.find(std::string("\x01\x00\x00\x00\x80", 5));
    REQUIRE(at != std::string::npos);
    bare[at + 4] = '\xc1';
    CHECK(DecodeStateRow("p-1", bare).status().message().find("unreadable data") !=
          std::string::npos);
  }
}

}  // namespace
}  // namespace pathways::storage

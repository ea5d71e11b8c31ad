// Golden bytes of the event record, format 1: a change to the encoding or to what the hash
// covers fails here. docs/formats/event_log.md walks through the same bytes.

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "engine/codec/event_record.hpp"

namespace pathways {
namespace {

std::string ReadGolden(const std::string& name) {
  // (a path, not string concatenation: GCC 12 warns falsely about the latter here)
  std::ifstream in(std::filesystem::path(PATHWAYS_TEST_DATA) / "golden" / name);
  std::string text;
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#') continue;
    for (char c : line) {
      if (std::isxdigit(static_cast<unsigned char>(c))) text.push_back(c);
    }
  }
  return text;
}

// The worked example of docs/formats/event_log.md.
RecordedEvent WorkedExample() {
  RecordedEvent e;
  e.position = 1;
  e.stream_id = "pw-1";
  e.version = 1;
  e.participant_id = "p-1";
  e.type = "LeadRegistered";
  e.schema_version = 1;
  e.occurred_at = 1772438400000;  // 2026-03-02T08:00:00.000Z
  e.actor = {"v1", "counsellor"};
  e.command_id = "c-1";
  e.data = R"({"source":"jobcenter"})";
  return e;
}

TEST_CASE("event record format 1 encodes the worked example byte for byte") {
  std::string value;
  codec::EncodeRecord(WorkedExample(), value);
  codec::SealValue(value, Hash256{});  // the first event links to 32 zero bytes
  const std::string golden = ReadGolden("event_record_v1.hex");
  REQUIRE_FALSE(golden.empty());
  CHECK_MESSAGE(codec::HexEncode(value) == golden, "actual: " << codec::HexEncode(value));
}

}  // namespace
}  // namespace pathways

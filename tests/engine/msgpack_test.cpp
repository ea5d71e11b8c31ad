// The state rows' MessagePack: what nlohmann's encoder writes, our decoder reads back as the
// same value nlohmann's own reader would, and it refuses, rather than guesses at, anything
// else: truncations, bytes after the value, text that is not UTF-8, values JSON has no word
// for, keys out of order and nesting without end.

#include "engine/codec/msgpack.hpp"

#include <doctest/doctest.h>

#include <limits>

namespace pathways::codec {
namespace {

using Json = nlohmann::json;

std::string Pack(const Json& v) {
  std::string out;
  AppendMsgpack(out, v);
  return out;
}

// Each integer at both ends of each width the encoder chooses from, both signs.
Json Integers() {
  Json out = Json::array();
  for (std::int64_t v :
       std::initializer_list<std::int64_t>{0, 1, 127, 128, 255, 256, 65535, 65536, 4294967295,
                                           4294967296, std::numeric_limits<std::int64_t>::max()}) {
    out.push_back(v);
    out.push_back(-v);
  }
  for (std::int64_t v :
       std::initializer_list<std::int64_t>{-31, -32, -33, -128, -129, -32768, -32769, -2147483648,
                                           -2147483649, std::numeric_limits<std::int64_t>::min()}) {
    out.push_back(v);
  }
  out.push_back(std::numeric_limits<std::uint64_t>::max());
  return out;
}

std::vector<Json> Values() {
  return {
      Json::object(),
      Json::array(),
      nullptr,
      true,
      false,
      Integers(),
      Json::array({0.5, -1.25e300, 3.0, 1e-7, 0.1}),
      "",
      "æøå \"citeret\" \u00e9\U0001F600",
      std::string(31, 'a'),
      std::string(32, 'b'),
      std::string(255, 'c'),
      std::string(256, 'd'),
      std::string(70000, 'e'),
      {{"age_at_entry", 50},
       {"gender", "woman"},
       {"leaving_employed", true},
       {"courses", {"AMU 1", "AMU 2"}},
       {"nested", {{"b", {{"c", nullptr}}}, {"a", Json::array({Json::object()})}}}},
  };
}

TEST_CASE("MessagePack: every value reads back as nlohmann's reader reads it") {
  std::vector<Json> values = Values();
  Json wide = Json::object();  // more members than a fixmap, and more than a map16
  for (int i = 0; i < 70000; ++i) wide["k" + std::to_string(i)] = i;
  values.push_back(wide);
  Json long_list = Json::array();
  for (int i = 0; i < 70000; ++i) long_list.push_back(i % 3 == 0 ? Json(i) : Json("x"));
  values.push_back(long_list);
  for (const Json& v : values) {
    const std::string packed = Pack(v);
    Json ours;
    REQUIRE_MESSAGE(ReadMsgpack(packed, ours), v.dump().substr(0, 80));
    const Json theirs = Json::from_msgpack(packed);
    CHECK(ours == theirs);
    CHECK(ours.dump() == theirs.dump());
    CHECK(ours.dump() == v.dump());
    // Integers keep their kind, signed or not, as the text parser gives it.
    if (v.is_array() && !v.empty() && v[0].is_number()) {
      for (std::size_t i = 0; i < v.size(); ++i) {
        CHECK(ours[i].type() == theirs[i].type());
      }
    }
  }
}

TEST_CASE("MessagePack: a damaged value is refused") {
  const Json v = {{"a", 1}, {"b", {"x", 2.5, nullptr}}, {"c", "tekst"}};
  const std::string packed = Pack(v);
  Json out;
  SUBCASE("every truncation, and bytes after the end") {
    for (std::size_t n = 0; n < packed.size(); ++n)
      CHECK_FALSE(ReadMsgpack(packed.substr(0, n), out));
    CHECK_FALSE(ReadMsgpack(packed + '\xc0', out));
  }
  SUBCASE("text that is not UTF-8, in a value and in a key") {
    CHECK_FALSE(ReadMsgpack(std::string("\xa2\xc3\x28", 3), out));
    CHECK_FALSE(ReadMsgpack(std::string("\x81\xa1\xff\x01", 4), out));
  }
  SUBCASE("values JSON has no word for") {
    for (const char* bytes : {"\xc1", "\xc4\x01x", "\xc7\x01\x01x", "\xd4\x01x"}) {
      CHECK_FALSE(ReadMsgpack(bytes, out));
    }
  }
  SUBCASE("keys that are not strings, out of order, or twice") {
    CHECK_FALSE(ReadMsgpack(std::string("\x81\x01\x02", 3), out));
    CHECK_FALSE(ReadMsgpack(std::string("\x82\xa1\x62\x01\xa1\x61\x02", 7), out));
    CHECK_FALSE(ReadMsgpack(std::string("\x82\xa1\x61\x01\xa1\x61\x02", 7), out));
    CHECK(ReadMsgpack(std::string("\x82\xa1\x61\x01\xa1\x62\x02", 7), out));
    CHECK(out == Json{{"a", 1}, {"b", 2}});
  }
  SUBCASE("a count far beyond the input") {
    CHECK_FALSE(ReadMsgpack(std::string("\xdd\xff\xff\xff\xff\x01", 6), out));
    CHECK_FALSE(ReadMsgpack(std::string("\xdf\xff\xff\xff\xff\xa1\x61\x01", 8), out));
    CHECK_FALSE(ReadMsgpack(std::string("\xdb\xff\xff\xff\xff"
                                        "abc",
                                        8),
                            out));
  }
  SUBCASE("nesting deeper than 64") {
    Json deep = 1;
    for (int i = 0; i < 64; ++i) deep = Json::array({deep});
    CHECK(ReadMsgpack(Pack(deep), out));
    deep = Json::array({deep});
    CHECK_FALSE(ReadMsgpack(Pack(deep), out));
    // A run of array tags with nothing after them is refused, never recursed into without end.
    CHECK_FALSE(ReadMsgpack(std::string(100000, '\x91'), out));
  }
}

}  // namespace
}  // namespace pathways::codec

#pragma once
// JSON values as MessagePack (msgpack.org), for rows the store reads far more often than it
// writes: a state row's `data`. Written with nlohmann's encoder (objects in key order, each
// number in its smallest form); read back by a decoder of our own that builds the value
// directly, each object's members inserted at its end, because nlohmann's reader (and its text
// parser) spend most of a row's decoding on looking members up as they insert them.

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace pathways::codec {

// Appends `value` as MessagePack.
void AppendMsgpack(std::string& out, const nlohmann::json& value);

// Decodes exactly one value filling `in`, as nlohmann::json::from_msgpack would, but strictly:
// false (leaving `out` unspecified) for a truncated or overlong input, strings that are not
// UTF-8, binary or extension values (JSON has none), object keys that are not strings in
// strictly increasing order, or nesting deeper than 64.
bool ReadMsgpack(std::string_view in, nlohmann::json& out);

}  // namespace pathways::codec

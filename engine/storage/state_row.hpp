#pragma once
// The `pathways` row: a pathway's state as the writer stages it with every command and reads
// it back whenever the state is not cached. Format 3 is binary (docs/formats/event_log.md): the
// writer encodes it for every command and the timer sweep decodes one per firing, and through
// JSON these were a fifth of the writer's work. Rows of format 2 (binary, without the school,
// partners, appointments and consent) and format 1 (canonical JSON) written by earlier builds
// are still read.

#include <string>
#include <string_view>

#include "engine/result.hpp"
#include "engine/runtime/pathway_state.hpp"

namespace pathways::storage {

std::string EncodeStateRow(const runtime::PathwayState& state);

// Corruption, naming the pathway, when `value` is not a row EncodeStateRow (or a build writing
// format 1) wrote.
Result<runtime::PathwayState> DecodeStateRow(std::string_view pathway_id, std::string_view value);

}  // namespace pathways::storage

#pragma once
// JSON text for events at the edges: ISO 8601 times, escaped strings, and the export line
// (docs/formats/export.md). Hand-written rather than through nlohmann::json so a full export
// formats events at the speed the log can be read.
//
// Thread-safe: free functions.

#include <string>
#include <string_view>
#include <vector>

#include "engine/clock.hpp"
#include "engine/codec/event_record.hpp"
#include "engine/event_store.hpp"

namespace pathways::codec {

// "2026-11-27T09:30:00.000Z" for a UTC millisecond timestamp.
std::string FormatIso8601(TimestampMs ms);
// The same, or "" for 0 (a time not yet set, as rows store it).
std::string FormatIso8601OrEmpty(TimestampMs ms);
void AppendIso8601(std::string& out, TimestampMs ms);

// Parses "2026-03-02", "2026-03-02T09:30:00Z", "2026-03-02T09:30:00.250+01:00" (UTC when no
// offset is given). False when malformed.
bool ParseIso8601(std::string_view text, TimestampMs& out);

// Appends `s` as a JSON string (quoted, escaped). Bytes >= 0x80 pass through: callers hand
// in valid UTF-8 (the store validates what it writes).
void AppendJsonString(std::string& out, std::string_view s);

// How the `personal` member of an export line reads.
enum class PersonalMode {
  kSealed,    // {"identity":{"encrypted":true}} per scope: nothing decrypted
  kRevealed,  // decrypted fields per scope, {"erased":true} where the key is gone
};

// Appends one export line (with its trailing newline). With kRevealed, `revealed` holds the
// decrypted parts in the order of the event's personal parts.
void AppendExportLine(std::string& out, const EventView& e, PersonalMode mode,
                      const std::vector<RevealedPersonal>* revealed);

// The same as one CSV row (RFC 4180, `\n` line ends) under kCsvHeader's columns: data and
// personal as JSON text in their cells.
extern const char* const kCsvHeader;
// One CSV cell (RFC 4180) and its separator (`,`, or `\n` when `last`): quoted when it holds a
// separator, quote or line break. A text that a spreadsheet would run as a formula (= + - @ at
// the start) gets a leading apostrophe.
void AppendCsvCell(std::string& out, std::string_view text, bool last = false);

void AppendCsvLine(std::string& out, const EventView& e, PersonalMode mode,
                   const std::vector<RevealedPersonal>* revealed);

}  // namespace pathways::codec

#include "engine/codec/event_json.hpp"

#include <chrono>
#include <cstdio>

namespace pathways::codec {

void AppendIso8601(std::string& out, TimestampMs ms) {
  namespace ch = std::chrono;
  const std::int64_t day_ms = 86'400'000;
  std::int64_t days = ms / day_ms;
  std::int64_t rest = ms % day_ms;
  if (rest < 0) {
    rest += day_ms;
    --days;
  }
  const ch::year_month_day ymd{ch::sys_days{ch::days{days}}};
  char buf[40];
  const int n = std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ",
                              static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                              static_cast<unsigned>(ymd.day()), static_cast<int>(rest / 3'600'000),
                              static_cast<int>(rest / 60'000 % 60),
                              static_cast<int>(rest / 1000 % 60), static_cast<int>(rest % 1000));
  out.append(buf, static_cast<std::size_t>(n));
}

bool ParseIso8601(std::string_view text, TimestampMs& out) {
  namespace ch = std::chrono;
  auto digits = [&](std::size_t at, std::size_t n, int& value) {
    if (at + n > text.size()) return false;
    value = 0;
    for (std::size_t i = at; i < at + n; ++i) {
      if (text[i] < '0' || text[i] > '9') return false;
      value = value * 10 + (text[i] - '0');
    }
    return true;
  };
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0, ms = 0;
  if (!digits(0, 4, y) || text.size() < 10 || text[4] != '-' || !digits(5, 2, mo) ||
      text[7] != '-' || !digits(8, 2, d)) {
    return false;
  }
  const ch::year_month_day ymd{ch::year{y}, ch::month{static_cast<unsigned>(mo)},
                               ch::day{static_cast<unsigned>(d)}};
  if (!ymd.ok()) return false;
  std::size_t at = 10;
  std::int64_t offset_minutes = 0;
  if (at < text.size()) {
    if ((text[at] != 'T' && text[at] != ' ') || !digits(at + 1, 2, h) || text.size() < at + 9 ||
        text[at + 3] != ':' || !digits(at + 4, 2, mi) || text[at + 6] != ':' ||
        !digits(at + 7, 2, sec) || h > 23 || mi > 59 || sec > 60) {
      return false;
    }
    at += 9;
    if (at < text.size() && text[at] == '.') {
      std::size_t n = 0;
      while (at + 1 + n < text.size() && text[at + 1 + n] >= '0' && text[at + 1 + n] <= '9') ++n;
      if (n == 0) return false;
      int frac = 0;
      digits(at + 1, std::min<std::size_t>(n, 3), frac);
      for (std::size_t k = n; k < 3; ++k) frac *= 10;
      ms = frac;
      at += 1 + n;
    }
    if (at < text.size() && text[at] == 'Z') {
      ++at;
    } else if (at < text.size() && (text[at] == '+' || text[at] == '-')) {
      int oh = 0, om = 0;
      if (!digits(at + 1, 2, oh) || text.size() < at + 6 || text[at + 3] != ':' ||
          !digits(at + 4, 2, om)) {
        return false;
      }
      offset_minutes = (text[at] == '-' ? -1 : 1) * (oh * 60 + om);
      at += 6;
    }
    if (at != text.size()) return false;
  }
  const std::int64_t days = ch::sys_days{ymd}.time_since_epoch().count();
  out = days * 86'400'000 + ((h * 60 + mi - offset_minutes) * 60 + sec) * 1000LL + ms;
  return true;
}

std::string FormatIso8601(TimestampMs ms) {
  std::string out;
  AppendIso8601(out, ms);
  return out;
}

std::string FormatIso8601OrEmpty(TimestampMs ms) { return ms == 0 ? "" : FormatIso8601(ms); }

void AppendJsonString(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.push_back('"');
  std::size_t run = 0;  // start of the pending run of bytes that need no escape
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out.append(s.data() + run, i - run);
    run = i + 1;
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        out += "\\u00";
        out.push_back(kHex[c >> 4]);
        out.push_back(kHex[c & 0xF]);
    }
  }
  out.append(s.data() + run, s.size() - run);
  out.push_back('"');
}

namespace {

// ,"name": — every member after the first.
void Key(std::string& out, std::string_view name) {
  out += ",\"";
  out.append(name);
  out += "\":";
}

void AppendPersonal(std::string& out, const EventView& e, PersonalMode mode,
                    const std::vector<RevealedPersonal>* revealed) {
  if (e.personal_count == 0) {
    out += "null";
    return;
  }
  for (std::size_t i = 0; i < e.personal_count; ++i) {
    out += i == 0 ? "{\"" : ",\"";
    out += PersonalScopeName(e.personal[i].scope);
    out += "\":";
    if (mode == PersonalMode::kSealed || revealed == nullptr || i >= revealed->size()) {
      out += "{\"encrypted\":true}";
    } else if (!(*revealed)[i].fields.has_value()) {
      out += "{\"erased\":true}";
    } else {
      out += (*revealed)[i].fields->dump();
    }
  }
  out.push_back('}');
}

}  // namespace

void AppendExportLine(std::string& out, const EventView& e, PersonalMode mode,
                      const std::vector<RevealedPersonal>* revealed) {
  out += "{\"position\":";
  out += std::to_string(e.position);
  Key(out, "stream_id");
  AppendJsonString(out, e.stream_id);
  Key(out, "version");
  out += std::to_string(e.version);
  Key(out, "participant_id");
  AppendJsonString(out, e.participant_id);
  Key(out, "type");
  AppendJsonString(out, e.type);
  Key(out, "schema_version");
  out += std::to_string(e.schema_version);
  Key(out, "occurred_at");
  out.push_back('"');
  AppendIso8601(out, e.occurred_at);
  out.push_back('"');
  Key(out, "actor");
  out += "{\"user\":";
  AppendJsonString(out, e.actor_user);
  out += ",\"role\":";
  AppendJsonString(out, e.actor_role);
  out.push_back('}');
  Key(out, "command_id");
  AppendJsonString(out, e.command_id);
  Key(out, "correlation_id");
  AppendJsonString(out, e.correlation_id);
  Key(out, "causation_id");
  AppendJsonString(out, e.causation_id);
  Key(out, "definition");
  out += "{\"id\":";
  AppendJsonString(out, e.definition_id);
  out += ",\"version\":";
  out += std::to_string(e.definition_version);
  out += ",\"hash\":";
  AppendJsonString(out, e.definition_hash);
  out.push_back('}');
  Key(out, "data");
  out.append(e.data);  // canonical JSON as stored
  Key(out, "personal");
  AppendPersonal(out, e, mode, revealed);
  Key(out, "prev_hash");
  out.push_back('"');
  out += HexEncode(e.prev_hash);
  out.push_back('"');
  Key(out, "hash");
  out.push_back('"');
  out += HexEncode(e.hash);
  out += "\"}\n";
}

void AppendCsvCell(std::string& out, std::string_view text, bool last) {
  std::string cell;
  if (!text.empty() && (text[0] == '=' || text[0] == '+' || text[0] == '-' || text[0] == '@' ||
                        text[0] == '\t' || text[0] == '\r')) {
    cell.push_back('\'');
  }
  cell.append(text);
  if (cell.find_first_of(",\"\r\n") != std::string::npos) {
    out.push_back('"');
    for (char c : cell) {
      if (c == '"') out.push_back('"');
      out.push_back(c);
    }
    out.push_back('"');
  } else {
    out += cell;
  }
  out.push_back(last ? '\n' : ',');
}

const char* const kCsvHeader =
    "position,stream_id,version,participant_id,type,schema_version,occurred_at,actor_user,"
    "actor_role,command_id,correlation_id,causation_id,definition_id,definition_version,"
    "definition_hash,data,personal,prev_hash,hash\n";

void AppendCsvLine(std::string& out, const EventView& e, PersonalMode mode,
                   const std::vector<RevealedPersonal>* revealed) {
  std::string time;
  AppendIso8601(time, e.occurred_at);
  std::string personal;
  AppendPersonal(personal, e, mode, revealed);
  AppendCsvCell(out, std::to_string(e.position));
  AppendCsvCell(out, e.stream_id);
  AppendCsvCell(out, std::to_string(e.version));
  AppendCsvCell(out, e.participant_id);
  AppendCsvCell(out, e.type);
  AppendCsvCell(out, std::to_string(e.schema_version));
  AppendCsvCell(out, time);
  AppendCsvCell(out, e.actor_user);
  AppendCsvCell(out, e.actor_role);
  AppendCsvCell(out, e.command_id);
  AppendCsvCell(out, e.correlation_id);
  AppendCsvCell(out, e.causation_id);
  AppendCsvCell(out, e.definition_id);
  AppendCsvCell(out, std::to_string(e.definition_version));
  AppendCsvCell(out, e.definition_hash);
  AppendCsvCell(out, e.data);
  AppendCsvCell(out, personal);
  AppendCsvCell(out, HexEncode(e.prev_hash));
  AppendCsvCell(out, HexEncode(e.hash), /*last=*/true);
}

}  // namespace pathways::codec

#include "engine/storage/export.hpp"

#include "engine/codec/event_json.hpp"

namespace pathways::storage {

ExportCursor RocksEventStore::StartExport(const ExportOptions& options) const {
  ExportCursor c;
  c.next = std::max<std::uint64_t>(options.from_position, 1);
  const std::uint64_t head = Head().position;
  c.last = options.to_position == 0 ? head : std::min(options.to_position, head);
  return c;
}

Status RocksEventStore::ExportChunk(const ExportOptions& options, ExportCursor& cursor,
                                    std::size_t max_bytes, std::string& out) const {
  const bool csv = options.format == ExportFormat::kCsv;
  if (!cursor.started && csv) out += codec::kCsvHeader;
  cursor.started = true;
  if (cursor.done()) return Status::Ok();
  Status failure = Status::Ok();
  // Whether an event's stream is a pathway of the school asked for.
  auto wanted = [&](std::string_view stream) -> Result<bool> {
    if (options.school.empty()) return true;
    if (stream.empty() || stream.front() == kSystemStreamMark) return false;
    if (auto known = cursor.in_school.find(stream); known != cursor.in_school.end()) {
      return known->second;
    }
    Result<std::optional<runtime::PathwayState>> s = LoadPathway(std::string(stream));
    if (!s.ok()) return s.status();
    const bool in = s->has_value() && (*s)->school == options.school;
    cursor.in_school.emplace(std::string(stream), in);
    return in;
  };
  Status s = Scan(cursor.next, [&](const codec::EventView& e) {
    if (e.position > cursor.last) return false;
    Result<bool> in = wanted(e.stream_id);
    if (!in.ok()) {
      failure = in.status();
      return false;
    }
    if (!*in) {
      cursor.next = e.position + 1;
      return true;
    }
    std::vector<RevealedPersonal> revealed;
    const std::vector<RevealedPersonal>* parts = nullptr;
    codec::PersonalMode mode = codec::PersonalMode::kSealed;
    if (options.include_personal && e.personal_count > 0) {
      Result<std::vector<RevealedPersonal>> r = RevealPersonal(e);
      if (!r.ok()) {
        failure = r.status();
        return false;
      }
      revealed = std::move(*r);
      parts = &revealed;
      mode = codec::PersonalMode::kRevealed;
    }
    if (csv) {
      codec::AppendCsvLine(out, e, mode, parts);
    } else {
      codec::AppendExportLine(out, e, mode, parts);
    }
    cursor.next = e.position + 1;
    ++cursor.lines;
    return out.size() < max_bytes;
  });
  if (!s.ok()) return s;
  if (!failure.ok()) return failure;
  // A scan that ends before `last` found no more events: the log is shorter than the cursor
  // said (it never is, positions have no gaps), so stop rather than loop.
  if (!cursor.done() && out.size() < max_bytes) cursor.next = cursor.last + 1;
  return Status::Ok();
}

Result<std::uint64_t> ExportLog(const StoreAdmin& store, const ExportOptions& options,
                                std::FILE* out) {
  constexpr std::size_t kChunk = 1u << 20;
  std::string buffer;
  buffer.reserve(kChunk + (64u << 10));
  ExportCursor cursor = store.StartExport(options);
  do {
    buffer.clear();
    if (Status s = store.ExportChunk(options, cursor, kChunk, buffer); !s.ok()) return s;
    if (!buffer.empty() && std::fwrite(buffer.data(), 1, buffer.size(), out) != buffer.size()) {
      return Status::IOError("cannot write the export");
    }
  } while (!cursor.done());
  if (std::fflush(out) != 0) return Status::IOError("cannot write the export");
  return cursor.lines;
}

}  // namespace pathways::storage

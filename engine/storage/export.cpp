#include "engine/storage/export.hpp"

#include "engine/codec/event_json.hpp"

namespace pathways::storage {

Result<std::uint64_t> ExportJsonLines(const RocksEventStore& store, const ExportOptions& options,
                                      std::FILE* out) {
  constexpr std::size_t kFlushAt = 1u << 20;
  std::string buffer;
  buffer.reserve(kFlushAt + (64u << 10));
  std::uint64_t lines = 0;
  Status failure = Status::Ok();
  auto flush = [&] {
    if (!buffer.empty() && std::fwrite(buffer.data(), 1, buffer.size(), out) != buffer.size()) {
      failure = Status::IOError("cannot write the export");
    }
    buffer.clear();
    return failure.ok();
  };
  Status s = store.Scan(options.from_position, [&](const codec::EventView& e) {
    if (options.include_personal && e.personal_count > 0) {
      Result<std::vector<RevealedPersonal>> revealed = store.RevealPersonal(e);
      if (!revealed.ok()) {
        failure = revealed.status();
        return false;
      }
      codec::AppendExportLine(buffer, e, codec::PersonalMode::kRevealed, &*revealed);
    } else {
      codec::AppendExportLine(buffer, e, codec::PersonalMode::kSealed, nullptr);
    }
    ++lines;
    return buffer.size() < kFlushAt || flush();
  });
  if (!s.ok()) return s;
  if (failure.ok()) flush();
  if (failure.ok() && std::fflush(out) != 0) failure = Status::IOError("cannot write the export");
  if (!failure.ok()) return failure;
  return lines;
}

}  // namespace pathways::storage

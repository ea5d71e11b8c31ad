#include "adapters/api/export_stream.hpp"

#include <atomic>
#include <memory>
#include <string>

namespace pathways::api {

http::Response ExportResponse(const StoreAdmin& store, const ExportOptions& options,
                              RunInBackground run) {
  struct State {
    ExportOptions options;
    ExportCursor cursor;
    std::atomic<bool> cancelled{false};
  };
  auto state = std::make_shared<State>();
  state->options = options;
  state->cursor = store.StartExport(options);
  auto stream = std::make_shared<http::Stream>();
  stream->next = [&store, run, state](http::Stream::Emit emit) {
    run([&store, state, emit = std::move(emit)] {
      if (state->cancelled || state->cursor.done()) return emit({}, true);
      std::string chunk;
      if (!store.ExportChunk(state->options, state->cursor, 256 * 1024, chunk).ok()) {
        return emit({}, true);  // cut short: ends before X-Pathways-Export-Last
      }
      emit(std::move(chunk), false);
    });
  };
  stream->cancel = [state] { state->cancelled = true; };
  const bool csv = options.format == ExportFormat::kCsv;
  http::Response r;
  r.content_type = csv ? "text/csv; charset=utf-8" : "application/x-ndjson";
  r.stream = std::move(stream);
  r.With("X-Pathways-Export-Last", std::to_string(state->cursor.last));
  r.With("Content-Disposition",
         std::string("attachment; filename=\"pathways-export.") + (csv ? "csv" : "jsonl") + "\"");
  return r;
}

}  // namespace pathways::api

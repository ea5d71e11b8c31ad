// The routes that answer with a stream: the live feed (Server-Sent Events) and the audit
// export (JSON Lines or CSV).

#include <set>
#include <unordered_map>

#include "adapters/api/api_impl.hpp"

namespace pathways::api {
namespace {

// Events after which a counsellor may start or stop seeing a pathway.
bool ChangesWhoSees(const std::string& type) {
  static const std::set<std::string, std::less<>> kTypes = {
      "LeadRegistered", "ContactPersonAssigned", "TaskCreated",
      "TaskReassigned", "TaskCompleted",         "TaskCancelled"};
  return kTypes.count(type) != 0;
}

}  // namespace

void Api::Impl::Live(Call& c) {
  if (!live_running) {
    return c.respond(Problem(503, "unavailable", "live updates are not running on this server"));
  }
  // Resume after Last-Event-ID (what EventSource sends on reconnecting), else ?after=, else
  // from now.
  std::uint64_t after = options.store->Head().position;
  const std::string& last = c.req.Header("last-event-id");
  const std::string* after_query = c.req.Query("after");
  if (!last.empty() || after_query != nullptr) {
    auto p = ParseUnsigned(!last.empty() ? last : *after_query);
    if (!p) {
      return c.respond(Problem(400, "invalid-request",
                               "Last-Event-ID and `after` must be a log position (digits)"));
    }
    after = *p;
  }
  const std::string* pathway = c.req.Query("pathway");
  if (pathway != nullptr && !VisiblePathway(c, *pathway)) return;

  LiveFeed::Filter filter;
  if (pathway != nullptr) {
    filter = [id = *pathway](const RecordedEvent& e) { return e.stream_id == id; };
  } else if (!workspace.SeesAll(*c.user)) {
    // Whether the counsellor sees a pathway, looked up once and again after the events that
    // can change it.
    filter = [this, user = c.user,
              seen = std::unordered_map<std::string, bool>()](const RecordedEvent& e) mutable {
      auto it = seen.find(e.stream_id);
      if (it == seen.end() || ChangesWhoSees(e.type)) {
        auto s = options.store->LoadPathway(e.stream_id);
        const bool sees = s.ok() && s->has_value() && workspace.Sees(*user, **s);
        it = seen.insert_or_assign(e.stream_id, sees).first;
      }
      return it->second;
    };
  } else {
    filter = [](const RecordedEvent&) { return true; };
  }
  auto format = [](const RecordedEvent& e) {
    nlohmann::json view = EventView(e);
    view["pathway_id"] = e.stream_id;
    return view.dump();
  };
  std::shared_ptr<http::Stream> stream = live.Open(after, std::move(filter), std::move(format));
  if (!stream) {
    return c.respond(Problem(503, "too-many-streams",
                             "the server has as many live streams open as it allows; retry later")
                         .With("Retry-After", "5"));
  }
  http::Response r;
  r.content_type = "text/event-stream";
  r.stream = std::move(stream);
  r.With("X-Accel-Buffering", "no");  // a proxy in front must not hold events back
  c.respond(std::move(r));
}

void Api::Impl::Export(Call& c) {
  ExportOptions o;
  QueryParams q(c.req);
  o.from_position = q.Number("from", o.from_position);
  o.to_position = q.Number("to", o.to_position);
  if (!q.ok()) return c.respond(q.Problem());
  const std::string* format = c.req.Query("format");
  if (format != nullptr && *format != "jsonl" && *format != "csv") {
    return c.respond(Problem(400, "invalid-request", "`format` is jsonl or csv"));
  }
  o.format = format != nullptr && *format == "csv" ? ExportFormat::kCsv : ExportFormat::kJsonLines;
  // A school's administrator exports their school's pathways; others may ask for one.
  const std::string* school = c.req.Query("school");
  o.school = school != nullptr ? *school : c.user->school;
  if (!workspace.SeesSchool(*c.user, o.school)) {
    return c.respond(Problem(403, "forbidden", "you export the pathways of " + c.user->school));
  }
  if (!o.school.empty() && !options.schools.count(o.school)) {
    return c.respond(
        Problem(400, "invalid-request", "`" + o.school + "` is not a configured school"));
  }
  // Personal data stays sealed: the export is evidence of the chain, not a way around the
  // recorded reads of personal data.
  struct State {
    ExportOptions options;
    ExportCursor cursor;
    std::atomic<bool> cancelled{false};
  };
  auto state = std::make_shared<State>();
  state->options = o;
  state->cursor = options.store->StartExport(o);
  auto stream = std::make_shared<http::Stream>();
  // Each chunk is read on the background thread: the server's threads never wait for the disk.
  stream->next = [this, state](http::Stream::Emit emit) {
    jobs.Run([this, state, emit = std::move(emit)] {
      if (state->cancelled || state->cursor.done()) return emit({}, true);
      std::string chunk;
      Status st = options.store->ExportChunk(state->options, state->cursor, 256 * 1024, chunk);
      // Cut short (a read failed): the last position sent then falls short of the
      // X-Pathways-Export-Last header, which is how a client tells a whole export.
      if (!st.ok()) return emit({}, true);
      emit(std::move(chunk), false);
    });
  };
  stream->cancel = [state] { state->cancelled = true; };
  http::Response r;
  r.content_type =
      o.format == ExportFormat::kCsv ? "text/csv; charset=utf-8" : "application/x-ndjson";
  r.stream = std::move(stream);
  r.With("X-Pathways-Export-Last", std::to_string(state->cursor.last));
  r.With("Content-Disposition", std::string("attachment; filename=\"pathways-export.") +
                                    (o.format == ExportFormat::kCsv ? "csv" : "jsonl") + "\"");
  c.respond(std::move(r));
}

}  // namespace pathways::api

// The routes that answer with a stream: the live feed (Server-Sent Events) and the audit
// export (JSON Lines or CSV).

#include <set>
#include <unordered_map>

#include "adapters/api/api_impl.hpp"
#include "adapters/api/export_stream.hpp"

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
  // Personal data stays sealed: the export is evidence of the chain, not a way around the
  // recorded reads of personal data.
  Result<std::string> school = workspace.ExportSchool(*c.user, c.req.Query("school"));
  if (!school.ok()) {
    return c.respond(school.status().code() == StatusCode::kPermissionDenied
                         ? Problem(403, "forbidden", school.status().message())
                         : Problem(400, "invalid-request", school.status().message()));
  }
  o.school = *school;
  c.respond(ExportResponse(*options.store, o,
                           [this](std::function<void()> job) { jobs.Run(std::move(job)); }));
}

}  // namespace pathways::api

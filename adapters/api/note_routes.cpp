// The schools' method notes under /v1/method-notes (docs/api/notes.yaml): listed for every
// staff role, shared by a school's staff, withdrawn by the author or the school's team lead.
// Access is the application layer's (app/method_notes.hpp).

#include <algorithm>

#include "adapters/api/api_impl.hpp"
#include "engine/codec/event_json.hpp"

namespace pathways::api {
namespace {

nlohmann::json NoteView(const app::MethodNote& n) {
  return {{"id", n.id},
          {"school", n.school},
          {"topic", n.topic},
          {"title", n.title},
          {"text", n.text},
          {"author", n.author},
          {"shared_at", codec::FormatIso8601OrEmpty(n.shared_at)},
          {"position", n.position}};
}

}  // namespace

void Api::Impl::ListNotes(Call& c) {
  app::NoteQuery query;
  if (const std::string* topic = c.req.Query("topic")) query.topic = *topic;
  if (const std::string* school = c.req.Query("school")) query.school = *school;
  if (!query.topic.empty() && std::find(std::begin(app::kNoteTopics), std::end(app::kNoteTopics),
                                        query.topic) == std::end(app::kNoteTopics)) {
    return c.respond(
        Problem(400, "invalid-request", "`topic` is outreach, onboarding, guidance or other"));
  }
  if (!query.school.empty() && !options.schools.count(query.school)) {
    return c.respond(
        Problem(400, "invalid-request", "`" + query.school + "` is not a configured school"));
  }
  Result<std::vector<app::MethodNote>> notes_now = notes.List(*c.user, query);
  if (!notes_now.ok()) return c.respond(ProblemFor(notes_now.status()));
  nlohmann::json out = nlohmann::json::array();
  for (const app::MethodNote& n : *notes_now) out.push_back(NoteView(n));
  c.respond(Json(200, {{"notes", out}}));
}

void Api::Impl::ShareNote(Call& c) {
  Fields f(c.req.body, {"school", "topic", "title", "text"});
  app::NoteRequest request;
  request.school = f.Text("school", false, 200);
  request.topic = f.Text("topic", true, 40);
  request.title = f.Text("title", true, app::kNoteTitleMax);
  request.text = f.Text("text", true, app::kNoteTextMax);
  if (!f.ok()) return c.respond(f.Problem());
  Result<AppendRequest> append = notes.Share(*c.user, std::move(request));
  if (!append.ok()) return c.respond(BodyProblemFor(append.status()));
  const std::string id = append->events[0].data.value("note_id", "");
  auto call = std::make_shared<Call>(std::move(c));
  options.store->AppendAsync(std::move(*append), [call, id](Result<AppendResult> done) {
    if (!done.ok()) return call->respond(ProblemFor(done.status()));
    call->respond(Json(201, {{"id", id}, {"position", done->last_position}}));
  });
}

void Api::Impl::WithdrawNote(Call& c) {
  Fields f(c.req.body, {"reason"});
  std::string reason = f.Text("reason", false, 1000);
  if (!f.ok()) return c.respond(f.Problem());
  const std::string id = c.params[0];
  Result<AppendRequest> append = notes.Withdraw(*c.user, id, std::move(reason));
  if (!append.ok()) return c.respond(BodyProblemFor(append.status()));
  auto call = std::make_shared<Call>(std::move(c));
  options.store->AppendAsync(std::move(*append), [call, id](Result<AppendResult> done) {
    if (!done.ok()) return call->respond(ProblemFor(done.status()));
    call->respond(Json(200, {{"id", id}, {"withdrawn", true}, {"position", done->last_position}}));
  });
}

}  // namespace pathways::api

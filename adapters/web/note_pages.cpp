// "Metodenoter": what the partner schools found works in outreach, onboarding and guidance,
// shared with the partnership and read by every school's staff (docs/companies.md, "Method
// notes").

#include <algorithm>

#include "adapters/web/web_impl.hpp"

namespace pathways::web {

void Web::Impl::Notes(Page& p, const json& values, const std::string& error, int status) {
  auto query_text = [&](const char* key) {
    const std::string* v = p.req.Query(key);
    return v == nullptr ? std::string() : *v;
  };
  app::NoteQuery query{query_text("topic"), query_text("school")};
  const bool topic_known =
      query.topic.empty() || std::find(std::begin(app::kNoteTopics), std::end(app::kNoteTopics),
                                       query.topic) != std::end(app::kNoteTopics);
  const bool school_known =
      query.school.empty() || (o.schools != nullptr && o.schools->count(query.school));
  std::string problem = error;
  std::vector<app::MethodNote> list;
  if (!topic_known || !school_known) {
    problem = Message(p.lang, "notes_filter_unknown");
    status = 400;
  } else {
    Result<std::vector<app::MethodNote>> listed = notes.List(*p.user, query);
    if (!listed.ok()) {
      if (listed.status().code() == StatusCode::kPermissionDenied) {
        return Error(p, 404, "not_found", Message(p.lang, "not_found_text"));
      }
      return Error(p, 503, "unavailable", Message(p.lang, "unavailable_text"));
    }
    list = std::move(*listed);
  }
  auto school_name = [&](const std::string& id) {
    if (o.schools == nullptr) return id;
    auto it = o.schools->find(id);
    return it == o.schools->end() ? id : it->second.name;
  };
  json rows = json::array();
  for (const app::MethodNote& n : list) {
    // Paragraphs as typed: a blank line between them.
    json paragraphs = json::array();
    std::string::size_type from = 0;
    while (from < n.text.size()) {
      std::string::size_type end = n.text.find("\n\n", from);
      if (end == std::string::npos) end = n.text.size();
      const std::string part = n.text.substr(from, end - from);
      if (part.find_first_not_of(" \r\n") != std::string::npos) {
        paragraphs.push_back({{"text", part}});
      }
      from = end + 2;
    }
    rows.push_back({{"id", n.id},
                    {"title", n.title},
                    {"paragraphs", paragraphs},
                    {"topic", Message(p.lang, "note_topic_" + n.topic)},
                    {"school", school_name(n.school)},
                    {"author", UserName(n.author)},
                    {"when", When(n.shared_at, p.lang, false)},
                    {"may_withdraw", notes.MayWithdraw(*p.user, n)}});
  }
  const std::string chosen_topic = values.value("topic", "");
  json topics = json::array();
  for (std::string_view topic : app::kNoteTopics) {
    topics.push_back(
        {{"value", topic},
         {"label", Message(p.lang, "note_topic_" + std::string(topic))},
         {"selected", topic == query.topic},
         {"checked", chosen_topic.empty() ? topic == "outreach" : topic == chosen_topic}});
  }
  json schools = json::array();
  if (o.schools != nullptr) {
    for (const auto& [id, sc] : *o.schools) {
      schools.push_back({{"value", id},
                         {"label", sc.name},
                         {"selected", id == query.school},
                         {"chosen", id == values.value("school", "")}});
    }
  }
  const bool shares = p.user->role != Role::kAuditor && p.user->role != Role::kPartner;
  const json model = {
      {"csrf", p.session->csrf},
      {"notes", rows},
      {"has_notes", !rows.empty()},
      {"count_text", Message(p.lang, "notes_count", {{"count", std::to_string(rows.size())}})},
      {"topics", topics},
      {"schools", schools},
      {"has_schools", !schools.empty()},
      {"choose_school", shares && p.user->school.empty() && !schools.empty()},
      {"can_share", shares},
      {"cmd", values.value("cmd", "").empty() ? app::NewId("web-") : values.value("cmd", "")},
      {"title", values.value("title", "")},
      {"text", values.value("text", "")},
      {"problem", problem},
      {"done", problem.empty() ? Done(p) : ""}};
  Send(p, status, Message(p.lang, "nav_notes"), RenderTemplate("notes", model, p.lang), "/notes");
}

void Web::Impl::ShareNote(Page& p) {
  const Form form(p.req.body);
  json values = {{"school", form.Text("school")},
                 {"topic", form.Text("topic")},
                 {"title", form.Text("title")},
                 {"text", form.Text("text")},
                 {"cmd", form.Text("cmd")}};
  Result<AppendRequest> append = notes.Share(
      *p.user, {form.Text("school"), form.Text("topic"), form.Text("title"), form.Text("text")});
  if (!append.ok()) {
    if (append.status().code() == StatusCode::kPermissionDenied) {
      return Error(p, 403, "forbidden", append.status().message());
    }
    return Notes(p, values, Message(p.lang, "note_invalid"), 400);
  }
  // Sent twice (a reload, a double click), it is shared once: the form's id is the append's.
  const std::string cmd = form.Text("cmd");
  if (cmd.size() >= 8 && cmd.size() <= 64) append->command_id = "note-" + cmd;
  if (Result<AppendResult> done = o.store->Append(std::move(*append)); !done.ok()) {
    return Error(p, 503, "unavailable", Message(p.lang, "unavailable_text"));
  }
  p.respond(Redirect("/notes?done=note"));
}

void Web::Impl::WithdrawNote(Page& p, const std::string& id) {
  const Form form(p.req.body);
  Result<AppendRequest> append = notes.Withdraw(*p.user, id, form.Text("reason"));
  if (!append.ok()) {
    if (append.status().code() == StatusCode::kNotFound) {
      return Error(p, 404, "not_found", Message(p.lang, "not_found_text"));
    }
    return Error(p, 403, "forbidden", append.status().message());
  }
  if (Result<AppendResult> done = o.store->Append(std::move(*append)); !done.ok()) {
    return Error(p, 503, "unavailable", Message(p.lang, "unavailable_text"));
  }
  p.respond(Redirect("/notes?done=note_withdrawn"));
}

}  // namespace pathways::web

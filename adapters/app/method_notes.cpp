// The schools' method notes (method_notes.hpp): read from `$method-notes`, shared and
// withdrawn as appends to it.

#include "adapters/app/method_notes.hpp"

#include <algorithm>
#include <set>

#include "adapters/app/workspace.hpp"
#include "engine/event_types.hpp"

namespace pathways::app {
namespace {

using config::Role;

// Text as a person typed it, without the blanks around it.
std::string Trimmed(std::string s) {
  s.erase(0, s.find_first_not_of(" \t\r\n"));
  s.erase(s.find_last_not_of(" \t\r\n") + 1);
  return s;
}

// Every note ever shared, oldest first, and the ids of those withdrawn.
Status ReadNotes(const EventStore& store, std::vector<MethodNote>& notes,
                 std::set<std::string>& withdrawn) {
  for (std::uint64_t from = 1; from != 0;) {
    auto page = store.ReadStream(kMethodNotesStream, from, 1000);
    if (!page.ok()) return page.status();
    for (const RecordedEvent& e : page->events) {
      const nlohmann::json data = nlohmann::json::parse(e.data, nullptr, false);
      if (!data.is_object()) return Status::Corruption("a method note is not a JSON object");
      if (e.type == events::MethodNoteShared::kType) {
        notes.push_back({data.value("note_id", ""), data.value("school", ""),
                         data.value("topic", ""), data.value("title", ""), data.value("text", ""),
                         e.actor.user, e.occurred_at, e.position});
      } else if (e.type == events::MethodNoteWithdrawn::kType) {
        withdrawn.insert(data.value("note_id", ""));
      }
    }
    from = page->next_version;
  }
  return Status::Ok();
}

AppendRequest NoteAppend(const config::User& user, events::SystemEvent event) {
  AppendRequest r;
  r.stream_id = kMethodNotesStream;
  r.participant_id = kMethodNotesStream;  // no participant: the stream is its own
  r.command_id = NewId("note-");
  r.actor = {user.id, std::string(config::RoleName(user.role))};
  r.events.push_back(events::Encode(event));
  return r;
}

}  // namespace

MethodNotes::MethodNotes(const EventStore* store,
                         const std::map<std::string, config::School>* schools)
    : store_(store), schools_(schools) {}

Result<std::vector<MethodNote>> MethodNotes::List(const config::User& user,
                                                  const NoteQuery& query) const {
  if (user.role == Role::kPartner) return Status::PermissionDenied("a partner reads no notes");
  std::vector<MethodNote> all;
  std::set<std::string> withdrawn;
  if (Status st = ReadNotes(*store_, all, withdrawn); !st.ok()) return st;
  std::vector<MethodNote> out;
  for (auto it = all.rbegin(); it != all.rend(); ++it) {
    if (withdrawn.count(it->id)) continue;
    if (!query.topic.empty() && it->topic != query.topic) continue;
    if (!query.school.empty() && it->school != query.school) continue;
    out.push_back(std::move(*it));
  }
  return out;
}

Result<AppendRequest> MethodNotes::Share(const config::User& user, NoteRequest request) const {
  if (user.role == Role::kPartner || user.role == Role::kAuditor) {
    return Status::PermissionDenied("the schools' staff share method notes");
  }
  request.title = Trimmed(std::move(request.title));
  request.text = Trimmed(std::move(request.text));
  if (std::find(std::begin(kNoteTopics), std::end(kNoteTopics), request.topic) ==
      std::end(kNoteTopics)) {
    return Status::InvalidArgument("`topic` is outreach, onboarding, guidance or other");
  }
  if (request.title.empty() || request.title.size() > kNoteTitleMax) {
    return Status::InvalidArgument("`title` is 1 to 200 bytes");
  }
  if (request.text.empty() || request.text.size() > kNoteTextMax) {
    return Status::InvalidArgument("`text` is 1 to 4000 bytes: a short note");
  }
  const bool schools = schools_ != nullptr && !schools_->empty();
  if (!user.school.empty()) {
    if (!request.school.empty() && request.school != user.school) {
      return Status::PermissionDenied("you share notes for " + user.school);
    }
    request.school = user.school;
  } else if (schools) {
    if (request.school.empty()) return Status::InvalidArgument("name the `school` it is from");
    if (!schools_->count(request.school)) {
      return Status::InvalidArgument("`" + request.school + "` is not a configured school");
    }
  }
  return NoteAppend(user, events::MethodNoteShared{
                              NewId("n-"), std::move(request.school), std::move(request.topic),
                              std::move(request.title), std::move(request.text)});
}

bool MethodNotes::MayWithdraw(const config::User& user, const MethodNote& note) const {
  if (note.author == user.id) return true;
  if (user.role != Role::kTeamLead && user.role != Role::kAdministrator) return false;
  return user.school.empty() || user.school == note.school;
}

Result<AppendRequest> MethodNotes::Withdraw(const config::User& user, const std::string& id,
                                            std::string reason) const {
  if (user.role == Role::kPartner) return Status::PermissionDenied("a partner reads no notes");
  std::vector<MethodNote> all;
  std::set<std::string> withdrawn;
  if (Status st = ReadNotes(*store_, all, withdrawn); !st.ok()) return st;
  auto note = std::find_if(all.begin(), all.end(), [&](const MethodNote& n) { return n.id == id; });
  if (note == all.end() || withdrawn.count(id)) return Status::NotFound("no method note " + id);
  if (!MayWithdraw(user, *note)) {
    return Status::PermissionDenied("the author or their school's team lead withdraws a note");
  }
  reason = Trimmed(std::move(reason));
  if (reason.size() > 1000) return Status::InvalidArgument("`reason` is at most 1000 bytes");
  return NoteAppend(user, events::MethodNoteWithdrawn{id, std::move(reason)});
}

}  // namespace pathways::app

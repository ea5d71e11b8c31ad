// The workspace's reads of personal data (workspace.hpp): each read checked and taken, and
// handed over only once its record (PersonalDataViewed) is durable; a page's reads recorded
// in one batch.

#include <algorithm>

#include "adapters/app/workspace.hpp"
#include "engine/event_types.hpp"
#include "engine/personal_view.hpp"

namespace pathways::app {

using config::Role;

Result<Workspace::PersonalRead> Workspace::PrepareRead(
    const config::User& user, const std::string& pathway_id, const std::string& purpose,
    const std::vector<PersonalScope>& only) const {
  if (purpose.size() > 200) return Status::InvalidArgument("`purpose` is at most 200 bytes");
  Result<runtime::PathwayState> s = Pathway(user, pathway_id);
  if (!s.ok()) return s.status();
  PersonalRead read{s->pathway_id, s->participant_id, ReadableScopes(user.role), {}, 0};
  if (!only.empty()) {
    std::erase_if(read.scopes, [&](PersonalScope scope) {
      return std::find(only.begin(), only.end(), scope) == only.end();
    });
  }
  if (read.scopes.empty()) return Status::PermissionDenied("this role sees no personal data");
  Result<PersonalView> view = pathways::ReadPersonal(*options_.store, pathway_id, read.scopes);
  if (!view.ok()) return view.status();
  read.view = std::move(*view);
  // Data restricted until the audit end is the auditors' to read, and nobody else's.
  if (user.role == Role::kAuditor) {
    for (auto& [scope, fields] : read.view.restricted) read.view.fields[scope] = std::move(fields);
    read.view.restricted.clear();
  }
  return read;
}

AppendRequest PersonalReadRecord(const config::User& user, const std::string& pathway_id,
                                 const std::string& participant_id,
                                 const std::vector<PersonalScope>& scopes,
                                 const std::string& purpose) {
  std::vector<std::string> names;
  for (PersonalScope scope : scopes) names.emplace_back(PersonalScopeName(scope));
  AppendRequest record;
  record.stream_id = AccessStreamId(participant_id);
  record.participant_id = participant_id;
  record.command_id = NewId("view-");
  record.actor = ActorOf(user);
  record.events.push_back(
      events::Encode(events::PersonalDataViewed{pathway_id, std::move(names), purpose}));
  return record;
}

Status NotRecorded(const Status& why) {
  return Status::Closed("the read could not be recorded, so nothing is shown: " + why.message());
}

AppendRequest Workspace::ReadRecord(const config::User& user, const PersonalRead& read,
                                    const std::string& purpose) const {
  return PersonalReadRecord(user, read.pathway_id, read.participant_id, read.scopes, purpose);
}

void Workspace::ReadPersonal(const config::User& user, const std::string& pathway_id,
                             const std::string& purpose,
                             std::function<void(Result<PersonalRead>)> done,
                             const std::vector<PersonalScope>& only) const {
  Result<PersonalRead> read = PrepareRead(user, pathway_id, purpose, only);
  if (!read.ok()) return done(read.status());
  // Recorded first, handed over after: no read leaves without its record.
  AppendRequest record = ReadRecord(user, *read, purpose);
  options_.store->AppendAsync(std::move(record), [read = std::move(*read), done = std::move(done)](
                                                     Result<AppendResult> recorded) mutable {
    if (!recorded.ok()) return done(NotRecorded(recorded.status()));
    read.recorded_at_position = recorded->last_position;
    done(std::move(read));
  });
}

void Workspace::ReadPersonalMany(const config::User& user,
                                 const std::vector<std::string>& pathway_ids,
                                 const std::string& purpose,
                                 std::function<void(std::vector<Result<PersonalRead>>)> done,
                                 const std::vector<PersonalScope>& only) const {
  struct Reads {
    std::vector<Result<PersonalRead>> reads;
    std::vector<std::size_t> recorded;  // the reads whose records are in the batch, in order
  };
  auto r = std::make_shared<Reads>();
  std::vector<AppendRequest> records;
  for (const std::string& id : pathway_ids) {
    r->reads.push_back(PrepareRead(user, id, purpose, only));
    if (!r->reads.back().ok()) continue;
    r->recorded.push_back(r->reads.size() - 1);
    records.push_back(ReadRecord(user, *r->reads.back(), purpose));
  }
  if (records.empty()) return done(std::move(r->reads));
  // Every record in one durable write; each read is handed over only with its own record.
  options_.store->AppendBatchAsync(
      std::move(records),
      [r, done = std::move(done)](std::vector<Result<AppendResult>> recorded) mutable {
        for (std::size_t i = 0; i < r->recorded.size(); ++i) {
          Result<PersonalRead>& read = r->reads[r->recorded[i]];
          if (!recorded[i].ok()) {
            read = NotRecorded(recorded[i].status());
          } else {
            read->recorded_at_position = recorded[i]->last_position;
          }
        }
        done(std::move(r->reads));
      });
}

}  // namespace pathways::app

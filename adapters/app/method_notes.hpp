#pragma once
// The schools' method notes (docs/companies.md, "Method notes"): short notes on what worked in
// outreach to companies, in onboarding and in guidance, which a school shares with the
// partnership and every school's staff reads. Each note is an event in `$method-notes`, its
// author the actor; a note is withdrawn, never changed or deleted. They are about ways of
// working, never about a person, and nothing in them is sealed.
//
//   reading    — every role but a partner;
//   sharing    — staff of a school (consultants, counsellors, team leads, administrators) for
//                their school; a partnership-wide administrator names the school;
//   withdrawing — the author, or a team lead or administrator of the note's school (a
//                partnership-wide administrator: any).
//
// Thread-safe; holds only pointers to what the server owns.

#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/config/server_config.hpp"
#include "engine/clock.hpp"
#include "engine/event_store.hpp"

namespace pathways::app {

inline constexpr const char* kMethodNotesStream = "$method-notes";
inline constexpr std::string_view kNoteTopics[] = {"outreach", "onboarding", "guidance", "other"};
inline constexpr std::size_t kNoteTitleMax = 200;
inline constexpr std::size_t kNoteTextMax = 4000;

struct MethodNote {
  std::string id;
  std::string school;
  std::string topic;
  std::string title;
  std::string text;
  std::string author;  // a user id
  TimestampMs shared_at = 0;
  std::uint64_t position = 0;  // in the log
};

struct NoteRequest {
  std::string school;  // staff of a school: theirs; a partnership-wide administrator names it
  std::string topic;
  std::string title;
  std::string text;
};

// What of the notes to list; empty: every one.
struct NoteQuery {
  std::string topic;
  std::string school;
};

class MethodNotes {
 public:
  MethodNotes(const EventStore* store, const std::map<std::string, config::School>* schools);

  // The notes not withdrawn, newest first; PermissionDenied for a partner.
  Result<std::vector<MethodNote>> List(const config::User& user, const NoteQuery& query) const;
  // The append that shares a note, checked (InvalidArgument naming the field; PermissionDenied
  // for a role that shares none); its note id is new.
  Result<AppendRequest> Share(const config::User& user, NoteRequest request) const;
  // The append that withdraws note `id`: NotFound for none (or one withdrawn already),
  // PermissionDenied for who may not.
  Result<AppendRequest> Withdraw(const config::User& user, const std::string& id,
                                 std::string reason) const;
  // Whether `user` may withdraw `note`.
  bool MayWithdraw(const config::User& user, const MethodNote& note) const;

 private:
  const EventStore* store_;
  const std::map<std::string, config::School>* schools_;
};

}  // namespace pathways::app

#pragma once
// Retention under the ESF rules (docs/privacy.md). An operation's personal data is audit
// evidence until the audit end (reports.yaml, `project.audit_end`). An erasure asked for before
// it erases the guidance scope at once and restricts the identity scope: kept, readable by
// auditors only (engine/personal_view.hpp), until the end of the audit end's day; then
// EraseExpired erases it. Asked for after the audit end, or with none configured, everything
// is erased at once.
//
// A restriction is written twice: to `$retention`, the list EraseExpired walks, then to the
// participant's `$retention:<participant>`, which every read of personal data checks. Each write
// has a command id derived from the request's, so a request sent again after a failure finishes
// what the first began and does nothing twice.
//
// Thread-safe: free functions over the store, and a sweeper that owns one thread.

#include <condition_variable>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "engine/clock.hpp"
#include "engine/ports/store.hpp"

namespace pathways::app {

inline constexpr const char* kRetentionStream = "$retention";

struct ErasureRequest {
  std::string participant_id;
  std::string command_id;  // 1-180 characters: each write adds a suffix
  Actor actor;
  std::string reason;  // recorded in plain text: no personal data
};

struct ErasureOutcome {
  std::vector<PersonalScope> erased;      // erased now
  std::vector<PersonalScope> restricted;  // kept, for the auditors only, until `until`
  std::string until;                      // YYYY-MM-DD; "" when nothing is restricted
  std::uint64_t position = 0;             // the log position of the last event written
};

// `audit_end`: YYYY-MM-DD, or "" (none). NotFound: the participant has no pathway here;
// InvalidArgument: a malformed id, reason or audit end.
Result<ErasureOutcome> RequestErasure(EventStore& store, const std::string& audit_end,
                                      TimestampMs now, const ErasureRequest& request);

struct Restriction {
  std::string participant_id;
  std::vector<std::string> scopes;
  std::string until;
  std::string reason;
  Actor actor;  // who asked
  TimestampMs requested_at = 0;
  std::optional<TimestampMs> erased_at;  // when the restricted scopes were erased
};

// Every restriction, oldest first, with whether it has ended in erasure (for the auditors).
Result<std::vector<Restriction>> Restrictions(const EventStore& store);

// Erases the restricted scopes of every restriction whose day is over by `now` (Danish time);
// answers how many participants' data it erased.
Result<int> EraseExpired(EventStore& store, TimestampMs now);

// Runs EraseExpired when started and then every `interval_ms`, until stopped; failures are
// logged and tried again at the next round.
class RetentionSweeper {
 public:
  RetentionSweeper(EventStore& store, const Clock& clock, TimestampMs interval_ms = 3'600'000);
  ~RetentionSweeper();
  RetentionSweeper(const RetentionSweeper&) = delete;
  RetentionSweeper& operator=(const RetentionSweeper&) = delete;
  void Start();
  void Stop();

 private:
  EventStore& store_;
  const Clock& clock_;
  const TimestampMs interval_ms_;
  std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace pathways::app

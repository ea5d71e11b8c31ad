#pragma once
// EventStore: the engine's port to its durable, hash-chained log of events.
//
// One stream per pathway. Appends are atomic per request (all events of a command or none),
// ordered globally by position, and durable before the caller is answered. Implementations:
// storage::RocksEventStore (engine/storage/).
//
// Thread-safe: every method may be called from any thread.

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "engine/event.hpp"
#include "engine/result.hpp"

namespace pathways {

struct StreamPage {
  std::vector<RecordedEvent> events;
  std::uint64_t next_version = 0;  // pass as from_version for the next page; 0 when at the end
};

struct AllPage {
  std::vector<RecordedEvent> events;
  std::uint64_t next_position = 0;  // pass as from_position for the next page; 0 when at the end
};

// Erases personal data by destroying keys: the events stay and the chain still verifies.
struct EraseRequest {
  std::string participant_id;
  std::vector<PersonalScope> scopes;  // at least one
  std::string command_id;
  Actor actor;
  std::string reason;  // recorded in the PersonalDataErased event; must hold no personal data
};

// What a personal part of an event reads as for someone allowed to see it.
struct RevealedPersonal {
  PersonalScope scope = PersonalScope::kIdentity;
  std::optional<nlohmann::json> fields;  // nullopt: the key was destroyed (erased)
};

// A cursor over the global log that catches up from a checkpoint and then follows new
// events live. Positions are handed out in order, each exactly once, with no gap between the
// catch-up and the live part: it always reads the committed log by position.
// Not thread-safe: one consumer per subscription.
class Subscription {
 public:
  virtual ~Subscription() = default;
  // Up to `max` events after the checkpoint; when caught up, waits up to `timeout` for new
  // ones and returns an empty vector if none came. Closed once the store closes or after
  // Cancel(). Advances the checkpoint past what it returns.
  virtual Result<std::vector<RecordedEvent>> Next(std::size_t max,
                                                  std::chrono::milliseconds timeout) = 0;
  // The last position handed out (the position the subscription started after, initially).
  virtual std::uint64_t checkpoint() const = 0;
  // Wakes a waiting Next() and makes it return Closed. Safe from another thread.
  virtual void Cancel() = 0;
};

class EventStore {
 public:
  using AppendCallback = std::function<void(Result<AppendResult>)>;
  using BatchCallback = std::function<void(std::vector<Result<AppendResult>>)>;

  virtual ~EventStore() = default;

  // Appends request.events to request.stream_id once they are durable.
  // Errors: WrongExpectedVersion (message names the actual version), InvalidArgument (bad ids,
  // no events, data that is not valid UTF-8 JSON), Conflict (command id used for another
  // stream), IOError, Closed. The same command id again returns the original result with
  // duplicate=true and writes nothing.
  virtual Result<AppendResult> Append(AppendRequest request) = 0;

  // As Append, without waiting. `done` runs once: on the calling thread when the request is
  // refused before it is queued (malformed, store closed), otherwise on the thread that
  // commits its group (the store's writer thread, or another caller's). It must not block or
  // call back into the store synchronously.
  virtual void AppendAsync(AppendRequest request, AppendCallback done) = 0;

  // Many appends, to any streams, in one durable write: each request is checked and appended
  // as AppendAsync would (one may be refused while the others go in), all in the same group,
  // so the batch costs one sync however many streams it touches. `done` runs once, as
  // AppendAsync's does, with one result per request in their order. At most kMaxBatchAppends
  // requests; with more, each is InvalidArgument.
  virtual void AppendBatchAsync(std::vector<AppendRequest> requests, BatchCallback done) = 0;
  static constexpr std::size_t kMaxBatchAppends = 1000;

  // Destroys the participant's data keys for the given scopes and appends PersonalDataErased
  // to each of the participant's streams, in one batch. NotFound if the participant has no
  // stream. Call PurgeErasedKeys() afterwards to make sure the key bytes leave every file.
  virtual Result<AppendResult> ErasePersonalData(EraseRequest request) = 0;

  // Events of one stream from `from_version` (>= 1), at most `max`.
  virtual Result<StreamPage> ReadStream(const std::string& stream_id, std::uint64_t from_version,
                                        std::size_t max) const = 0;
  // The stream's last version; 0 if the stream does not exist.
  virtual Result<std::uint64_t> StreamVersion(const std::string& stream_id) const = 0;
  // Events of all streams from `from_position` (>= 1), at most `max`, in global order.
  virtual Result<AllPage> ReadAll(std::uint64_t from_position, std::size_t max) const = 0;
  // The last committed position and hash.
  virtual ChainHead Head() const = 0;

  // A subscription that delivers every event after `after_position` (0: from the start).
  virtual Result<std::unique_ptr<Subscription>> Subscribe(std::uint64_t after_position) = 0;

  // Decrypts the personal parts of an event. FailedPrecondition if the store was opened
  // without its master key.
  virtual Result<std::vector<RevealedPersonal>> RevealPersonal(const RecordedEvent& e) const = 0;
};

}  // namespace pathways

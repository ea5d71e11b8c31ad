#pragma once
// CommandExecutor: the engine's port for running commands on pathways. A command is decided by
// the command processor (runtime::Process) against the pathway's current state and its events
// committed together with every row they derive, durably, before the caller is answered.
//
// Implementations: storage::RocksEventStore. Thread-safe: every method may be called from any
// thread.

#include <functional>
#include <string>

#include "engine/event.hpp"
#include "engine/result.hpp"
#include "engine/runtime/pathway_rules.hpp"

namespace pathways {

// A command for one pathway.
struct CommandRequest {
  std::string pathway_id;
  std::string participant_id;  // RegisterLead only: who the new pathway is for
  std::string definition_id;   // RegisterLead only; empty: the catalog's default
  ExpectedVersion expected;    // e.g. from If-Match; Any by default
  std::string command_id;      // required; the same id again returns the original result
  // Optional (at most 64 bytes), e.g. a hash of an HTTP request: the same command id with
  // another fingerprint is refused (Conflict) rather than answered as a duplicate.
  std::string fingerprint;
  std::string correlation_id;
  std::string causation_id;
  Actor actor;
  runtime::Command command;
};

class CommandExecutor {
 public:
  using Callback = std::function<void(Result<AppendResult>)>;

  virtual ~CommandExecutor() = default;

  // Decides `request.command` against the pathway's state and commits its events together
  // with the pathway's state row, timers, inbox, caseload, counts and outbox rows. The same
  // command id again returns the original result with duplicate=true.
  // Errors: Rejected (the pathway's rules refuse it; the message says why, and the refusal is
  // kept for auditors), NotFound (no such pathway), InvalidArgument, WrongExpectedVersion,
  // Conflict (command id used for another pathway or request), FailedPrecondition (no
  // definitions, or the pathway's definition version is no longer loaded), IOError, Closed.
  virtual Result<AppendResult> Execute(CommandRequest request) = 0;

  // As Execute, without waiting. `done` runs once, on the thread that commits the command's
  // group (or the calling thread when it is refused before it is queued). It must not block
  // or call back into the store synchronously.
  virtual void ExecuteAsync(CommandRequest request, Callback done) = 0;
};

}  // namespace pathways

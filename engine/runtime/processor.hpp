#pragma once
// The command processor: one pure function from a pathway's state, a command and its context
// to everything the command changes — its events, the state after them and the rows derived
// from them (timers, caseload, inbox, outbox, counters) — or a refusal with its reason.
//
// It is the only way a command is decided: the store's writer runs it and then only checks
// versions and idempotency, encodes, chains and commits; migrate's dry runs (API and CLI) run
// it against the committed state and commit nothing, so a dry run answers what the real run
// will. Replay runs Apply alone (pathway_rules.hpp).
//
// Thread-safe: pure functions. Nothing here reads a clock or a store.

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "engine/definition/catalog.hpp"
#include "engine/event.hpp"
#include "engine/result.hpp"
#include "engine/runtime/pathway_rules.hpp"
#include "engine/runtime/pathway_state.hpp"

namespace pathways::runtime {

// What a command is decided with besides the state.
struct ProcessContext {
  const definition::DefinitionCatalog& definitions;
  Actor actor;
  TimestampMs now = 0;
  std::string pathway_id;
  std::string participant_id;  // RegisterLead only: who the new pathway is for
  std::string definition_id;   // RegisterLead only; empty: the catalog's default
};

// A row keyed by a timer's due time: the scheduler's index.
struct TimerRow {
  TimestampMs due_at = 0;
  std::string timer_id;  // a definition timer, or `task:<id>` for a task's due time
  bool operator==(const TimerRow&) const = default;
};

// A row of the task inbox, keyed by assignee and task.
struct InboxRow {
  std::string assignee;
  std::string task_id;
  nlohmann::json task;  // {kind, title: {da, en}, due_at, status}; unused when removed
};

// A notification request for the adapters; the writer adds the event's global position.
struct OutboxRow {
  std::size_t event_index = 0;  // which of the command's events asked for it
  nlohmann::json row;           // the request with the pathway's plain facts after the command
};

// How a participant's pathway is linked to a company (a `company_links` row's flags).
inline constexpr std::uint8_t kLinkEmployer = 1;  // the company is their employer
inline constexpr std::uint8_t kLinkReferrer = 2;  // the company's visit brought their lead
// CVR -> flags of the companies a participant's pathway is linked to; none for a company's own.
std::map<std::string, std::uint8_t> CompanyLinksOf(const PathwayState& s);

// The rows a pathway's change derives, written in the same batch as its events so no read
// model is ever behind the log.
struct RowChanges {
  std::vector<TimerRow> timers_removed;
  std::vector<TimerRow> timers_added;
  std::string caseload_removed;   // the former contact person, or empty
  std::string caseload_assignee;  // the contact person whose caseload row is written, or empty
  nlohmann::json caseload_summary;
  std::vector<InboxRow> inbox_removed;
  std::vector<InboxRow> inbox_written;
  std::vector<OutboxRow> outbox;
  std::vector<std::string> company_links_removed;             // CVRs no longer linked
  std::map<std::string, std::uint8_t> company_links_written;  // CVR -> flags, new or changed
  // "state:<id>" and "milestone:<id>" -> change, and the same under "school:<school>/".
  std::map<std::string, std::int64_t> count_deltas;
  // What the funder's reports read of the pathway (ReportRow), when it changed: written as it
  // stands and as of the position of the command's event `report_event_index` (its last).
  std::optional<PathwayState> report;
  std::size_t report_event_index = 0;
};
inline constexpr std::string_view kSchoolCountPrefix = "school:";
inline constexpr std::string_view kCompanyCountPrefix = "company:";

// A command decided and applied.
struct Processed {
  std::vector<NewEvent> events;  // at least one
  PathwayState after;
  RowChanges rows;
  DefinitionRef definition;    // stamped on every event (a migration's: the target's)
  std::string participant_id;  // the pathway's
};

// Ids a client chooses for a new pathway and its participant: valid ids (IsValidId) without
// `/`, since each names a resource in one URL path segment; a pathway id starting with `$`
// is reserved for the store's own streams. InvalidArgument saying which rule is broken.
Status CheckPathwayId(std::string_view id);
Status CheckParticipantId(std::string_view id);

// Which definition versions a command runs on: a running pathway stays on the version it
// started with, and only while the loaded file is the one it started on (same hash); a new
// pathway takes the newest version of the requested id. A migration also names its target.
struct PinnedDefinition {
  definition::DefinitionCatalog::Ptr current;
  definition::DefinitionCatalog::Ptr target;  // MigratePathway only; null if not loaded
};
// FailedPrecondition when the version is not loaded or its file has changed.
Result<PinnedDefinition> PinDefinition(const definition::DefinitionCatalog& definitions,
                                       const PathwayState& before, const Command& command,
                                       const std::string& requested_definition_id);

// Decides `command` against `before` and applies what it decided.
// Errors: Rejected (the rules refuse it; the message says why, for a person), InvalidArgument
// (a malformed command, an invalid participant id, or a command that changes nothing),
// FailedPrecondition (the definition is not loaded), Corruption (an event Apply cannot read).
Result<Processed> Process(const PathwayState& before, const Command& command,
                          const ProcessContext& context);

// The rows that follow from `before` becoming `after` through `events` (consecutive versions
// after before.version, all occurred at `at`). Also used when an erasure moves a pathway on.
RowChanges DeriveRows(const PathwayState& before, const PathwayState& after,
                      const std::vector<NewEvent>& events, TimestampMs at);

// What the funder's reports read of a pathway: its state without what comes and goes (tasks,
// timers, appointments, risks, consent) and without its version, so a row changes only with
// something a report counts. SameReportRow compares two states by that.
PathwayState ReportRow(const PathwayState& s);
bool SameReportRow(const PathwayState& a, const PathwayState& b);

// The caseload summary of a pathway ({state, status, open_risks, open_tasks, version}).
nlohmann::json CaseloadSummary(const PathwayState& s);

}  // namespace pathways::runtime

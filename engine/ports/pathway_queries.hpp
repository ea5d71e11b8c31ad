#pragma once
// PathwayQueries: the engine's port for reading pathways as they stand — the state row, the
// read models kept in the same batch as the events (never behind the log), and the refusals
// kept for auditors. No method scans the log.
//
// Implementations: storage::RocksEventStore. Thread-safe.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "engine/event.hpp"
#include "engine/event_store.hpp"
#include "engine/result.hpp"
#include "engine/runtime/pathway_state.hpp"

namespace pathways {

// A command the pathway's rules refused, kept for auditors beside (not in) the event log.
struct Rejection {
  std::string pathway_id;
  TimestampMs at = 0;
  std::string command;  // e.g. FireTrigger
  std::string command_id;
  std::string trigger;  // FireTrigger and FireTimer: which one
  Actor actor;
  std::string state;          // the pathway's state when it was refused
  std::uint64_t version = 0;  // and its version
  std::string reason;         // in words, as the caller was told
};

// A row of a counsellor's caseload: the pathway and its summary
// ({state, status, open_risks, open_tasks, version}).
struct CaseloadEntry {
  std::string pathway_id;
  nlohmann::json summary;
};

// An open task in an assignee's inbox ({kind, title: {da, en}, due_at, status}).
struct InboxEntry {
  std::string pathway_id;
  std::string task_id;
  nlohmann::json task;
};

// A participant's pathway linked to a company (PathwayQueries::CompanyLinks).
struct CompanyLink {
  std::string pathway_id;
  bool employed = false;  // the company is their employer
  bool referred = false;  // the company's visit brought their lead
};

// Reads kept special-category items (PathwayQueries::KeptSpecialItems) of many pathways in key
// order (pathway id, then version), as a report visits its rows: one iterator walked forward
// instead of a point read each. A read out of order is answered too, at a point read's cost.
// What it reads was kept by the time it was made; erasures count as they happen. It must not
// outlive the store. Not thread-safe: one per thread.
class KeptSpecialReader {
 public:
  virtual ~KeptSpecialReader() = default;
  virtual Result<std::optional<RevealedPersonal>> Read(const std::string& participant_id,
                                                       const std::string& pathway_id,
                                                       std::uint64_t version) = 0;
};

class PathwayQueries {
 public:
  virtual ~PathwayQueries() = default;

  // A pathway's current state as committed, or nullopt when there is none.
  virtual Result<std::optional<runtime::PathwayState>> LoadPathway(
      const std::string& pathway_id) const = 0;
  // The states of every pathway running on `definition_id` version `version` (a scan of all
  // pathway rows: an administrator's operation, not a hot path).
  virtual Result<std::vector<runtime::PathwayState>> PathwaysOn(const std::string& definition_id,
                                                                std::uint32_t version) const = 0;
  // The states of the pathways whose id starts with `id_prefix`, in id order, at most `max`
  // (the company records: `company-`). One seek and a scan of those rows.
  virtual Result<std::vector<runtime::PathwayState>> PathwaysWithPrefix(
      const std::string& id_prefix, std::size_t max) const = 0;
  // A counsellor's pathways, at most `max`. InvalidArgument for an id no user can have.
  virtual Result<std::vector<CaseloadEntry>> Caseload(const std::string& counsellor,
                                                      std::size_t max) const = 0;
  // The participants' pathways linked to the company with CVR `cvr`, in pathway id order, at
  // most `max`. InvalidArgument for a malformed CVR.
  virtual Result<std::vector<CompanyLink>> CompanyLinks(const std::string& cvr,
                                                        std::size_t max) const = 0;
  // An assignee's open tasks, at most `max`. InvalidArgument for an id no user can have.
  virtual Result<std::vector<InboxEntry>> Inbox(const std::string& assignee,
                                                std::size_t max) const = 0;
  // "state:<id>" and "milestone:<id>" -> count.
  virtual Result<std::map<std::string, std::int64_t>> Counts() const = 0;
  // What the funder's reports read of every pathway (runtime::ReportRow), as the log stands or,
  // with `at`, as of that log position (a command's events count together, by its last), all
  // from one snapshot; `visit` returns false to stop. Answers the position the rows are as of:
  // the head when they were read, or `at` when that is earlier.
  virtual Result<std::uint64_t> VisitReportRows(
      std::optional<std::uint64_t> at,
      const std::function<bool(const runtime::PathwayState&)>& visit) const = 0;
  // The special-category items the pathway's event at `version` sealed, opened from the copy
  // kept beside the report rows: one key read and one decryption, no event read. nullopt when
  // no copy is kept (the event sealed none, or was written before copies were kept: read the
  // event); fields nullopt once erased. FailedPrecondition without the master key.
  virtual Result<std::optional<RevealedPersonal>> KeptSpecialItems(
      const std::string& participant_id, const std::string& pathway_id,
      std::uint64_t version) const = 0;
  // The same for many pathways in key order (KeptSpecialReader). FailedPrecondition without
  // the master key.
  virtual Result<std::unique_ptr<KeptSpecialReader>> KeptSpecialInOrder() const = 0;
  // The refusals of commands on `pathway_id`, oldest first, at or before `until`, at most `max`.
  virtual Result<std::vector<Rejection>> Rejections(const std::string& pathway_id,
                                                    TimestampMs until, std::size_t max) const = 0;
};

}  // namespace pathways

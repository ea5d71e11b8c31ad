#pragma once
// Counts one ESF+ report's indicators (config/reports.yaml, docs/reports.md) over report rows,
// one row at a time: EsfFigures (reports.cpp) feeds it the rows in key order. A row whose
// indicator conditions read sealed items waits for them on a second reader (sealed_reads.hpp).
//
// Not thread-safe: one scanning thread calls Add, CountSealed and Finish, in that order.

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "adapters/app/reports.hpp"
#include "adapters/app/sealed_reads.hpp"

namespace pathways::app {

class EsfCounter {
 public:
  // The period [from, to] in Danish day numbers (nullopt: open). All references outlive it.
  EsfCounter(const config::ReportConfig& config, const definition::DefinitionCatalog& definitions,
             const ReportQuery& query, const SealedReader& sealed, std::optional<std::int64_t> from,
             std::optional<std::int64_t> to);

  // Counts a row. An indicator whose conditions read sealed items waits, when the row's plain
  // conditions hold, for CountSealed: reading them costs a key read and a decryption per
  // participant, so a second thread reads them while the rows are still being added.
  void Add(const runtime::PathwayState& row);
  // Counts the indicators whose sealed conditions hold, once every row has been added and its
  // sealed items read.
  void CountSealed();
  // The figures as of log position `position`: sorted, and suppressed for a shared report.
  EsfReport Finish(std::uint64_t position);

 private:
  void Read(Waiting& w, runtime::PathwayState& scratch) const;
  // A company's record: the supported SMEs (config::Indicator::company_milestone).
  void AddCompany(const runtime::PathwayState& row);
  void Count(std::size_t i, const std::string& pathway, const std::string& cvr, int by_index);
  void Suppress(IndicatorFigures& fig) const;
  bool InPeriod(TimestampMs at) const;
  std::vector<std::string> Missing(const runtime::PathwayState& row) const;
  bool Holds(const config::Condition& cond, const runtime::PathwayState& row,
             TimestampMs moment) const;

  const config::ReportConfig& c_;
  const definition::DefinitionCatalog& definitions_;
  const ReportQuery& query_;
  const SealedReader& sealed_;
  std::optional<std::int64_t> from_;
  std::optional<std::int64_t> to_;
  EsfReport out_;
  std::vector<std::set<std::string>> employers_;  // per indicator: the CVR numbers counted
  std::optional<SealedReads> reads_;              // from the first row that waits for sealed items
};

}  // namespace pathways::app

#include "adapters/app/esf_counter.hpp"

#include <algorithm>
#include <map>

#include "engine/runtime/calendar.hpp"

namespace pathways::app {
namespace {

using config::Moment;

// A row's sealed items by field ("identity.disability"), as read (nullopt: none or erased).
using SealedValues = std::map<std::string, std::optional<nlohmann::json>>;

bool IsSealed(const config::Condition& cond) {
  return cond.source == config::Condition::Source::kSealed;
}

// An indicator counts its rows in key order (all as they come, or all once their sealed
// items are read, in the order they waited): its lists are sorted already, and checking
// costs a pass where sorting a hundred thousand ids would cost a tenth of the report.
void SortPathways(Cell& cell) {
  if (!std::is_sorted(cell.pathways.begin(), cell.pathways.end())) {
    std::sort(cell.pathways.begin(), cell.pathways.end());
  }
}

void CountIn(Cell& cell, const std::string& pathway, bool named) {
  ++cell.count;
  if (named) cell.pathways.push_back(pathway);
}

// Whether more than `over` lies between the day `date` and `moment` (by Danish days).
bool LongerSince(const nlohmann::json& date, const definition::Duration& over, TimestampMs moment) {
  TimestampMs day = 0;
  if (!date.is_string() || !runtime::ParseDate(date.get<std::string>(), day)) return false;
  return runtime::DayNumber(runtime::Add(day, over)) < runtime::DayNumber(moment);
}

// Whether a condition holds for a value (null: none recorded).
bool HoldsFor(const config::Condition& cond, const nlohmann::json* value) {
  if (value == nullptr) return false;
  if (cond.from || cond.below) {
    if (!value->is_number_integer()) return false;
    const auto n = value->get<std::int64_t>();
    return (!cond.from || n >= *cond.from) && (!cond.below || n < *cond.below);
  }
  return std::find(cond.values.begin(), cond.values.end(), *value) != cond.values.end();
}

// Whether a sealed condition holds, by the values read.
bool HoldsFor(const config::Condition& cond, const SealedValues& sealed) {
  const auto it = sealed.find(cond.field);
  return HoldsFor(cond, it == sealed.end() || !it->second ? nullptr : &*it->second);
}

}  // namespace

EsfCounter::EsfCounter(const config::ReportConfig& config,
                       const definition::DefinitionCatalog& definitions, const ReportQuery& query,
                       const SealedReader& sealed, std::optional<std::int64_t> from,
                       std::optional<std::int64_t> to)
    : c_(config), definitions_(definitions), query_(query), sealed_(sealed), from_(from), to_(to) {
  out_.operation = c_.operation;
  out_.query = query;
  out_.by = c_.by;
  if (const auto newest = definitions_.Newest(c_.definition)) {
    if (const definition::DataField* f = newest->FindField(c_.by)) {
      out_.by_values = f->allowed;
      for (const std::string& v : f->allowed) {
        const auto label = f->values.find(v);
        out_.by_labels.push_back(label == f->values.end() ? definition::Label{v, v}
                                                          : label->second);
      }
    }
  }
  for (const config::Indicator& ind : c_.indicators) {
    IndicatorFigures fig;
    fig.code = ind.code;
    fig.label = ind.label;
    fig.at = ind.at;
    fig.employers = ind.counts_entities();
    fig.none = ind.none;
    if (!fig.employers) fig.by.resize(out_.by_values.size());
    out_.indicators.push_back(std::move(fig));
  }
  employers_.resize(c_.indicators.size());
}

void EsfCounter::Add(const runtime::PathwayState& row) {
  if (row.is_company()) return AddCompany(row);
  if (row.definition_id != c_.definition) return;
  if (!query_.school.empty() && row.school != query_.school) return;
  const auto entry = row.milestones.find(c_.entry_milestone);
  if (entry == row.milestones.end()) return;  // not (yet) a participant of the operation
  const std::optional<TimestampMs> left = LeftAt(c_, definitions_, row);
  const bool complete = Missing(row).empty();
  int by_index = -1;  // the breakdown's column, for a complete record
  if (const auto by = row.data.find(c_.by); complete && by != row.data.end() && by->is_string()) {
    const auto at = std::find(out_.by_values.begin(), out_.by_values.end(), by->get<std::string>());
    if (at != out_.by_values.end()) by_index = static_cast<int>(at - out_.by_values.begin());
  }
  Waiting waiting;
  for (std::size_t i = 0; i < c_.indicators.size(); ++i) {
    const config::Indicator& ind = c_.indicators[i];
    std::optional<TimestampMs> moment;
    switch (ind.at) {
      case Moment::kEntry: moment = entry->second; break;
      case Moment::kLeaving: moment = left; break;
      case Moment::kSixMonths:
        if (left) moment = runtime::Add(*left, {6, definition::Duration::Unit::kMonths});
        break;
    }
    if (ind.none || !ind.company_milestone.empty() || !moment || !InPeriod(*moment)) continue;
    if (!complete && !ind.everyone) continue;
    bool reads_sealed = false;
    const bool holds = std::all_of(ind.where.begin(), ind.where.end(), [&](const auto& cond) {
      if (IsSealed(cond)) {
        reads_sealed = true;
        return true;
      }
      return Holds(cond, row, *moment);
    });
    const bool one_holds =
        ind.any.empty() ||
        std::any_of(ind.any.begin(), ind.any.end(), [&](const auto& alternative) {
          return std::all_of(alternative.begin(), alternative.end(),
                             [&](const auto& cond) { return Holds(cond, row, *moment); });
        });
    if (!holds || !one_holds) continue;
    if (reads_sealed) {
      waiting.indicators.push_back(i);
    } else {
      Count(i, row.pathway_id, row.employer.cvr, by_index);
    }
  }
  if (!waiting.indicators.empty()) {
    waiting.pathway_id = row.pathway_id;
    waiting.participant_id = row.participant_id;
    waiting.personal_at = row.personal_at;
    waiting.cvr = row.employer.cvr;
    waiting.by_index = by_index;
    if (!reads_) {
      reads_.emplace([this](Waiting& w, runtime::PathwayState& scratch) { Read(w, scratch); });
    }
    reads_->Push(std::move(waiting));
  }
  if (!complete && InPeriod(entry->second)) {
    out_.incomplete.push_back({row.pathway_id, row.contact_person, row.school, Missing(row)});
  }
}

void EsfCounter::CountSealed() {
  if (!reads_) return;
  for (const Waiting& w : reads_->Finish()) {
    for (std::size_t i : w.indicators) Count(i, w.pathway_id, w.cvr, w.by_index);
  }
  reads_.reset();
}

EsfReport EsfCounter::Finish(std::uint64_t position) {
  out_.position = position;
  out_.suppress_below = c_.suppress_below;
  for (std::size_t i = 0; i < out_.indicators.size(); ++i) {
    IndicatorFigures& fig = out_.indicators[i];
    if (fig.employers) fig.total.count = static_cast<std::int64_t>(employers_[i].size());
    for (Cell& cell : fig.by) SortPathways(cell);
    SortPathways(fig.total);
    if (query_.shared) Suppress(fig);
  }
  std::sort(out_.incomplete.begin(), out_.incomplete.end(),
            [](const auto& a, const auto& b) { return a.pathway_id < b.pathway_id; });
  return std::move(out_);
}

// Reads a waiting row's sealed items (on either thread): `scratch` is the row as the reader
// sees it, its id and where the items are.
void EsfCounter::Read(Waiting& w, runtime::PathwayState& scratch) const {
  scratch.pathway_id = w.pathway_id;
  scratch.participant_id = w.participant_id;
  scratch.personal_at.swap(w.personal_at);
  SealedValues values;
  for (std::size_t i : w.indicators) {
    for (const config::Condition& cond : c_.indicators[i].where) {
      if (IsSealed(cond) && !values.count(cond.field)) {
        values[cond.field] = sealed_(scratch, cond.field);
      }
    }
  }
  std::erase_if(w.indicators, [&](std::size_t i) {
    const auto& where = c_.indicators[i].where;
    return !std::all_of(where.begin(), where.end(), [&](const auto& cond) {
      return !IsSealed(cond) || HoldsFor(cond, values);
    });
  });
  scratch.personal_at.clear();
  w.personal_at.clear();
  w.participant_id.clear();
  w.participant_id.shrink_to_fit();
}

// A company's record counts in the indicators of supported SMEs whose milestone it reached in
// the period, by its CVR number, when it belongs to the school asked for.
void EsfCounter::AddCompany(const runtime::PathwayState& row) {
  if (!row.company.sme()) return;
  if (!query_.school.empty() && row.school != query_.school) return;
  for (std::size_t i = 0; i < c_.indicators.size(); ++i) {
    const std::string& milestone = c_.indicators[i].company_milestone;
    if (milestone.empty()) continue;
    const auto reached = row.milestones.find(milestone);
    if (reached != row.milestones.end() && InPeriod(reached->second)) {
      employers_[i].insert(row.company.cvr);
    }
  }
}

// Counts the row in indicator `i`: its employer, or the participant in the total and (a
// complete record) its breakdown column.
void EsfCounter::Count(std::size_t i, const std::string& pathway, const std::string& cvr,
                       int by_index) {
  IndicatorFigures& fig = out_.indicators[i];
  if (c_.indicators[i].employers) {
    if (!cvr.empty()) employers_[i].insert(cvr);
    return;
  }
  const bool named = query_.name_pathways && !query_.shared;
  CountIn(fig.total, pathway, named);
  if (by_index >= 0) CountIn(fig.by[static_cast<std::size_t>(by_index)], pathway, named);
}

// Cells of 1 to suppress_below-1 are withheld; where that leaves one withheld cell beside a
// shown total, the next smallest cell is withheld too, so no subtraction gives it away.
void EsfCounter::Suppress(IndicatorFigures& fig) const {
  auto small = [&](const Cell& c) { return c.count > 0 && c.count < c_.suppress_below; };
  int withheld = 0;
  for (Cell& cell : fig.by) {
    if (small(cell)) {
      cell.suppressed = true;
      ++withheld;
    }
  }
  if (small(fig.total)) fig.total.suppressed = true;
  if (withheld == 1 && !fig.total.suppressed) {
    Cell* next = nullptr;
    for (Cell& cell : fig.by) {
      if (!cell.suppressed && cell.count > 0 && (next == nullptr || cell.count < next->count)) {
        next = &cell;
      }
    }
    if (next != nullptr) {
      next->suppressed = true;
    } else {
      fig.total.suppressed = true;
    }
  }
  auto withhold = [](Cell& cell) {
    if (!cell.suppressed) return;
    cell.count = 0;
    cell.pathways.clear();
  };
  withhold(fig.total);
  for (Cell& cell : fig.by) withhold(cell);
}

bool EsfCounter::InPeriod(TimestampMs at) const {
  const std::int64_t day = runtime::DayNumber(at);
  return (!from_ || day >= *from_) && (!to_ || day <= *to_);
}

std::vector<std::string> EsfCounter::Missing(const runtime::PathwayState& row) const {
  std::vector<std::string> missing;
  for (const std::string& field : c_.complete) {
    const auto v = row.data.find(field);
    if (v == row.data.end() || v->is_null()) missing.push_back(field);
  }
  return missing;
}

// Whether a plain condition holds for the row at the indicator's moment.
bool EsfCounter::Holds(const config::Condition& cond, const runtime::PathwayState& row,
                       TimestampMs moment) const {
  using Source = config::Condition::Source;
  // The row's own value where it has one (no copy: this runs for every condition of every
  // row), else one derived from it.
  const nlohmann::json* value = nullptr;
  nlohmann::json derived;
  switch (cond.source) {
    case Source::kEmployerSme:
      if (!row.employer.cvr.empty()) value = &(derived = row.employer.sme);
      break;
    case Source::kDegurba:
      if (const auto d = c_.degurba.municipalities.find(row.municipality);
          d != c_.degurba.municipalities.end()) {
        value = &(derived = d->second);
      }
      break;
    case Source::kReached:
      return std::any_of(cond.values.begin(), cond.values.end(), [&](const auto& m) {
        return row.milestones.count(m.template get<std::string>()) != 0;
      });
    case Source::kData:
    case Source::kSealed:
      if (const auto v = row.data.find(cond.field); v != row.data.end() && !v->is_null()) {
        value = &*v;
      }
      break;
  }
  if (cond.over) return value != nullptr && LongerSince(*value, *cond.over, moment);
  return HoldsFor(cond, value);
}

}  // namespace pathways::app

#include "adapters/app/reports.hpp"

#include <algorithm>
#include <charconv>

#include "adapters/app/esf_counter.hpp"
#include "adapters/app/project_report.hpp"
#include "engine/codec/event_json.hpp"
#include "engine/runtime/calendar.hpp"

namespace pathways::app {
namespace {

// A day "YYYY-MM-DD" as a Danish day number; nullopt for "" (open), false when malformed.
bool ParseDay(const std::string& text, std::optional<std::int64_t>& day) {
  if (text.empty()) return true;
  TimestampMs at = 0;
  if (!runtime::ParseDate(text, at)) return false;
  day = runtime::DayNumber(at);
  return true;
}

}  // namespace

Status ParsePeriod(const ReportQuery& query, std::optional<std::int64_t>& from,
                   std::optional<std::int64_t>& to) {
  if (!ParseDay(query.from, from)) return Status::InvalidArgument("`from` is a day YYYY-MM-DD");
  if (!ParseDay(query.to, to)) return Status::InvalidArgument("`to` is a day YYYY-MM-DD");
  if (from && to && *to < *from) return Status::InvalidArgument("`to` comes before `from`");
  return Status::Ok();
}

std::optional<TimestampMs> LeftAt(const config::ReportConfig& config,
                                  const definition::DefinitionCatalog& definitions,
                                  const runtime::PathwayState& row) {
  definition::DefinitionCatalog::Ptr def =
      definitions.Find(row.definition_id, row.definition_version);
  if (def == nullptr) def = definitions.Newest(config.definition);
  if (def == nullptr) return std::nullopt;
  std::optional<TimestampMs> left;
  for (const auto& [state, entry] : row.entered) {
    const definition::State* s = def->FindState(state);
    if (s == nullptr || std::find(config.leaving_phases.begin(), config.leaving_phases.end(),
                                  s->phase) == config.leaving_phases.end()) {
      continue;
    }
    if (!left || entry.at < *left) left = entry.at;
  }
  return left;
}

Result<EsfReport> EsfFigures(const config::ReportConfig& config,
                             const definition::DefinitionCatalog& definitions,
                             const RowSource& source, const ReportQuery& query,
                             const SealedReader& sealed) {
  std::optional<std::int64_t> from;
  std::optional<std::int64_t> to;
  if (Status st = ParsePeriod(query, from, to); !st.ok()) return st;
  EsfCounter counter(config, definitions, query, sealed, from, to);
  Result<std::uint64_t> position = source([&](const runtime::PathwayState& row) {
    counter.Add(row);
    return true;
  });
  if (!position.ok()) return position.status();
  counter.CountSealed();
  return counter.Finish(*position);
}

Status Reports::Check(const config::User& user, ReportQuery& query) const {
  if (o_.config == nullptr) {
    return Status::FailedPrecondition("no reports file is configured (`reports:` in the config)");
  }
  if (user.role != config::Role::kAdministrator && user.role != config::Role::kAuditor) {
    return Status::PermissionDenied("reports are for administrators and auditors");
  }
  if (!user.school.empty()) {
    if (!query.school.empty() && query.school != user.school) {
      return Status::PermissionDenied("a school's administrator reports on their own school");
    }
    query.school = user.school;
  } else if (!query.school.empty() &&
             (o_.schools == nullptr || o_.schools->count(query.school) == 0)) {
    return Status::InvalidArgument("no school `" + query.school + "`");
  }
  if (query.at && *query.at > o_.store->Head().position) {
    return Status::InvalidArgument("position " + std::to_string(*query.at) +
                                   " is past the log's head (" +
                                   std::to_string(o_.store->Head().position) + ")");
  }
  return Status::Ok();
}

Result<TimestampMs> TimeAt(const EventStore& store, std::uint64_t position) {
  if (position == 0) return TimestampMs{0};
  Result<AllPage> page = store.ReadAll(position, 1);
  if (!page.ok()) return page.status();
  if (page->events.empty())
    return Status::NotFound("no event at position " + std::to_string(position));
  return page->events.front().occurred_at;
}

Result<std::uint64_t> PositionAtEndOf(const EventStore& store, const std::string& day) {
  TimestampMs start = 0;
  if (!runtime::ParseDate(day, start))
    return Status::InvalidArgument("not a day YYYY-MM-DD: " + day);
  const TimestampMs next_day = runtime::DayStart(runtime::DayNumber(start) + 1);
  // The first position at or after the next day's start, less one.
  std::uint64_t low = 1;
  std::uint64_t high = store.Head().position + 1;
  while (low < high) {
    const std::uint64_t mid = low + (high - low) / 2;
    Result<AllPage> page = store.ReadAll(mid, 1);
    if (!page.ok()) return page.status();
    if (page->events.empty())
      return Status::Corruption("no event at position " + std::to_string(mid));
    if (page->events.front().occurred_at < next_day) {
      low = mid + 1;
    } else {
      high = mid;
    }
  }
  return low - 1;
}

Result<std::uint64_t> PositionAt(const EventStore& store, const std::string& at,
                                 const std::string& what) {
  if (at.find('-') != std::string::npos) return PositionAtEndOf(store, at);
  std::uint64_t position = 0;
  const auto [end, ec] = std::from_chars(at.data(), at.data() + at.size(), position);
  if (at.empty() || ec != std::errc() || end != at.data() + at.size()) {
    return Status::InvalidArgument(what + " is a log position or a day YYYY-MM-DD, not " + at);
  }
  if (position > store.Head().position) {
    return Status::InvalidArgument("position " + at + " is past the log's head (" +
                                   std::to_string(store.Head().position) + ")");
  }
  return position;
}

namespace {

nlohmann::json CellJson(const Cell& cell, bool pathways) {
  nlohmann::json j = {{"count", cell.suppressed ? nlohmann::json() : nlohmann::json(cell.count)}};
  if (cell.suppressed) j["suppressed"] = true;
  if (pathways && !cell.suppressed) j["pathways"] = cell.pathways;
  return j;
}

nlohmann::json LabelJson(const definition::Label& l) { return {{"da", l.da}, {"en", l.en}}; }

}  // namespace

nlohmann::json EsfJson(const EsfReport& r) {
  const bool pathways = r.query.name_pathways && !r.query.shared;
  nlohmann::json values = nlohmann::json::array();
  for (std::size_t i = 0; i < r.by_values.size(); ++i) {
    values.push_back({{"id", r.by_values[i]}, {"label", LabelJson(r.by_labels[i])}});
  }
  nlohmann::json indicators = nlohmann::json::array();
  for (const IndicatorFigures& f : r.indicators) {
    nlohmann::json j = {{"code", f.code},
                        {"label", LabelJson(f.label)},
                        {"at", config::MomentName(f.at)},
                        {"counts", f.none        ? "entities"
                                   : f.employers ? "employers"
                                                 : "participants"},
                        {"total", CellJson(f.total, pathways && !f.employers)}};
    if (!f.employers) {
      j["by"] = nlohmann::json::object();
      for (std::size_t i = 0; i < f.by.size(); ++i) {
        j["by"][r.by_values[i]] = CellJson(f.by[i], pathways);
      }
    }
    indicators.push_back(std::move(j));
  }
  nlohmann::json out = {
      {"report", "esf"},
      {"operation", r.operation},
      {"position", r.position},
      {"period",
       {{"from", r.query.from.empty() ? nlohmann::json() : nlohmann::json(r.query.from)},
        {"to", r.query.to.empty() ? nlohmann::json() : nlohmann::json(r.query.to)}}},
      {"school", r.query.school.empty() ? nlohmann::json() : nlohmann::json(r.query.school)},
      {"shared", r.query.shared},
      {"breakdown", {{"field", r.by}, {"values", values}}},
      {"indicators", indicators}};
  if (!r.query.shared) {
    out["incomplete"] = nlohmann::json::array();
    for (const IncompleteRecord& i : r.incomplete) {
      out["incomplete"].push_back({{"pathway_id", i.pathway_id},
                                   {"contact_person", i.contact_person},
                                   {"school", i.school},
                                   {"missing", i.missing}});
    }
  }
  return out;
}

std::string EsfCsv(const EsfReport& r, const std::string& lang) {
  auto words = [&](const definition::Label& l) { return lang == "en" ? l.en : l.da; };
  auto cell = [&](const Cell& c) {
    return c.suppressed ? "<" + std::to_string(r.suppress_below) : std::to_string(c.count);
  };
  std::string out;
  for (const char* head : {"code", "label", "at"}) codec::AppendCsvCell(out, head);
  for (const auto& label : r.by_labels) codec::AppendCsvCell(out, words(label));
  codec::AppendCsvCell(out, lang == "en" ? "total" : "i alt", true);
  for (const IndicatorFigures& f : r.indicators) {
    codec::AppendCsvCell(out, f.code);
    codec::AppendCsvCell(out, words(f.label));
    codec::AppendCsvCell(out, config::MomentName(f.at));
    for (const Cell& c : f.by) codec::AppendCsvCell(out, cell(c));
    for (std::size_t i = f.by.size(); i < r.by_values.size(); ++i) codec::AppendCsvCell(out, "");
    codec::AppendCsvCell(out, cell(f.total), true);
  }
  return out;
}

Result<EsfReport> Reports::Esf(const config::User& user, ReportQuery query) const {
  if (Status st = Check(user, query); !st.ok()) return st;
  Store& store = *o_.store;
  RowSource rows = [&](const std::function<bool(const runtime::PathwayState&)>& visit) {
    return store.VisitReportRows(query.at, visit);
  };
  return EsfFigures(*o_.config, *o_.catalog, rows, query, StoreSealedReader(store));
}

Result<ProjectReport> Reports::Project(const config::User& user, ReportQuery query) const {
  if (Status st = Check(user, query); !st.ok()) return st;
  Store& store = *o_.store;
  // Pinned to a position first: the forecast counts from its time, and the rows are as of it.
  if (!query.at) query.at = store.Head().position;
  Result<TimestampMs> as_of = TimeAt(store, *query.at);
  if (!as_of.ok()) return as_of.status();
  RowSource rows = [&](const std::function<bool(const runtime::PathwayState&)>& visit) {
    return store.VisitReportRows(query.at, visit);
  };
  return ProjectFiguresOf(*o_.config, *o_.catalog, rows, query, *as_of);
}

}  // namespace pathways::app

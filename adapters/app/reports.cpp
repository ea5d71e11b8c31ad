#include "adapters/app/reports.hpp"

#include <algorithm>
#include <charconv>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "adapters/app/project_report.hpp"
#include "engine/codec/event_json.hpp"
#include "engine/runtime/calendar.hpp"

namespace pathways::app {
namespace {

using config::Moment;

// A day "YYYY-MM-DD" as a Danish day number; nullopt for "" (open), false when malformed.
bool ParseDay(const std::string& text, std::optional<std::int64_t>& day) {
  if (text.empty()) return true;
  TimestampMs at = 0;
  if (!runtime::ParseDate(text, at)) return false;
  day = runtime::DayNumber(at);
  return true;
}

// A row's sealed items by field ("identity.disability"), as read (nullopt: none or erased).
using SealedValues = std::map<std::string, std::optional<nlohmann::json>>;

// A row waiting for its sealed items: what reading and counting them needs.
// Once read, `indicators` holds only those whose sealed conditions hold, and what was read to
// tell is let go: a row waits with its ids and a few numbers, not its items.
struct Waiting {
  std::string pathway_id;
  std::string participant_id;
  std::map<std::string, std::uint64_t> personal_at;  // where its sealed items are
  std::string cvr;
  int by_index = -1;
  std::vector<std::size_t> indicators;
};

// Reads the sealed items of waiting rows on a second thread while the rows are still being
// read, and on both threads once they all are: each Waiting is read by one of them.
class SealedReads {
 public:
  using Read = std::function<void(Waiting& w, runtime::PathwayState& scratch)>;
  explicit SealedReads(Read read) : read_(std::move(read)), helper_([this] { Work(); }) {}
  ~SealedReads() { Finish(); }
  SealedReads(const SealedReads&) = delete;
  SealedReads& operator=(const SealedReads&) = delete;

  void Push(Waiting w) {
    std::lock_guard lock(mu_);
    items_.push_back(std::move(w));
    if (items_.size() % kChunk == 0) wake_.notify_one();
  }
  // Every row pushed: reads what is left here too, waits for the helper, and answers the rows,
  // each read.
  std::deque<Waiting>& Finish() {
    {
      std::lock_guard lock(mu_);
      done_ = true;
    }
    wake_.notify_all();
    Work();
    if (helper_.joinable()) helper_.join();
    return items_;
  }

 private:
  static constexpr std::size_t kChunk = 64;

  void Work() {
    runtime::PathwayState scratch;
    for (std::vector<Waiting*> chunk;; chunk.clear()) {
      {
        std::unique_lock lock(mu_);
        wake_.wait(lock, [&] { return items_.size() - next_ >= kChunk || done_; });
        // A deque's elements stay where they are as it grows: read outside the lock.
        while (next_ < items_.size() && chunk.size() < kChunk) chunk.push_back(&items_[next_++]);
      }
      if (chunk.empty()) return;
      for (Waiting* w : chunk) read_(*w, scratch);
    }
  }

  Read read_;
  std::mutex mu_;
  std::condition_variable wake_;
  std::deque<Waiting> items_;  // guarded by mu_ (each element by whoever took it)
  std::size_t next_ = 0;       // the first not taken
  bool done_ = false;
  std::thread helper_;  // last: it starts once the rest is ready
};

// Counts one report's indicators row by row.
class EsfCounter {
 public:
  EsfCounter(const config::ReportConfig& config, const definition::DefinitionCatalog& definitions,
             const ReportQuery& query, const SealedReader& sealed, std::optional<std::int64_t> from,
             std::optional<std::int64_t> to)
      : c_(config),
        definitions_(definitions),
        query_(query),
        sealed_(sealed),
        from_(from),
        to_(to) {
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
      fig.employers = ind.employers || ind.none;
      fig.none = ind.none;
      if (!fig.employers) fig.by.resize(out_.by_values.size());
      out_.indicators.push_back(std::move(fig));
    }
    employers_.resize(c_.indicators.size());
  }

  // Counts a row. An indicator whose conditions read sealed items waits, when the row's plain
  // conditions hold, for CountSealed: reading them costs a key read and a decryption per
  // participant, so a second thread reads them while the rows are still being added.
  void Add(const runtime::PathwayState& row) {
    if (row.definition_id != c_.definition) return;
    if (!query_.school.empty() && row.school != query_.school) return;
    const auto entry = row.milestones.find(c_.entry_milestone);
    if (entry == row.milestones.end()) return;  // not (yet) a participant of the operation
    const std::optional<TimestampMs> left = LeftAt(c_, definitions_, row);
    const bool complete = Missing(row).empty();
    int by_index = -1;  // the breakdown's column, for a complete record
    if (const auto by = row.data.find(c_.by); complete && by != row.data.end() && by->is_string()) {
      const auto at =
          std::find(out_.by_values.begin(), out_.by_values.end(), by->get<std::string>());
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
      if (ind.none || !moment || !InPeriod(*moment)) continue;
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

  // Counts the indicators whose sealed conditions hold, once every row has been added and its
  // sealed items read.
  void CountSealed() {
    if (!reads_) return;
    for (const Waiting& w : reads_->Finish()) {
      for (std::size_t i : w.indicators) Count(i, w.pathway_id, w.cvr, w.by_index);
    }
    reads_.reset();
  }

  EsfReport Finish(std::uint64_t position) {
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

 private:
  // Reads a waiting row's sealed items (on either thread): `scratch` is the row as the reader
  // sees it, its id and where the items are.
  void Read(Waiting& w, runtime::PathwayState& scratch) const {
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
      return !std::all_of(where.begin(), where.end(),
                          [&](const auto& cond) { return !IsSealed(cond) || Holds(cond, values); });
    });
    scratch.personal_at.clear();
    w.personal_at.clear();
    w.participant_id.clear();
    w.participant_id.shrink_to_fit();
  }

  static bool IsSealed(const config::Condition& cond) {
    return cond.source == config::Condition::Source::kSealed;
  }

  // An indicator counts its rows in key order (all as they come, or all once their sealed
  // items are read, in the order they waited): its lists are sorted already, and checking
  // costs a pass where sorting a hundred thousand ids would cost a tenth of the report.
  static void SortPathways(Cell& cell) {
    if (!std::is_sorted(cell.pathways.begin(), cell.pathways.end())) {
      std::sort(cell.pathways.begin(), cell.pathways.end());
    }
  }

  static void Count(Cell& cell, const std::string& pathway) {
    ++cell.count;
    cell.pathways.push_back(pathway);
  }

  // Counts the row in indicator `i`: its employer, or the participant in the total and (a
  // complete record) its breakdown column.
  void Count(std::size_t i, const std::string& pathway, const std::string& cvr, int by_index) {
    IndicatorFigures& fig = out_.indicators[i];
    if (c_.indicators[i].employers) {
      if (!cvr.empty()) employers_[i].insert(cvr);
      return;
    }
    Count(fig.total, pathway);
    if (by_index >= 0) Count(fig.by[static_cast<std::size_t>(by_index)], pathway);
  }

  // Cells of 1 to suppress_below-1 are withheld; where that leaves one withheld cell beside a
  // shown total, the next smallest cell is withheld too, so no subtraction gives it away.
  void Suppress(IndicatorFigures& fig) const {
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

  bool InPeriod(TimestampMs at) const {
    const std::int64_t day = runtime::DayNumber(at);
    return (!from_ || day >= *from_) && (!to_ || day <= *to_);
  }

  std::vector<std::string> Missing(const runtime::PathwayState& row) const {
    std::vector<std::string> missing;
    for (const std::string& field : c_.complete) {
      const auto v = row.data.find(field);
      if (v == row.data.end() || v->is_null()) missing.push_back(field);
    }
    return missing;
  }

  // Whether a plain condition holds for the row at the indicator's moment.
  bool Holds(const config::Condition& cond, const runtime::PathwayState& row,
             TimestampMs moment) const {
    using Source = config::Condition::Source;
    std::optional<nlohmann::json> value;
    switch (cond.source) {
      case Source::kEmployerSme:
        if (!row.employer.cvr.empty()) value = row.employer.sme;
        break;
      case Source::kDegurba:
        if (const auto d = c_.degurba.municipalities.find(row.municipality);
            d != c_.degurba.municipalities.end()) {
          value = d->second;
        }
        break;
      case Source::kReached:
        return std::any_of(cond.values.begin(), cond.values.end(), [&](const auto& m) {
          return row.milestones.count(m.template get<std::string>()) != 0;
        });
      case Source::kData:
      case Source::kSealed:
        if (const auto v = row.data.find(cond.field); v != row.data.end() && !v->is_null()) {
          value = *v;
        }
        break;
    }
    if (cond.over) return value && LongerSince(*value, *cond.over, moment);
    return Holds(cond, value);
  }
  // Whether more than `over` lies between the day `date` and `moment` (by Danish days).
  static bool LongerSince(const nlohmann::json& date, const definition::Duration& over,
                          TimestampMs moment) {
    TimestampMs day = 0;
    if (!date.is_string() || !runtime::ParseDate(date.get<std::string>(), day)) return false;
    return runtime::DayNumber(runtime::Add(day, over)) < runtime::DayNumber(moment);
  }
  // Whether a sealed condition holds, by the values read.
  static bool Holds(const config::Condition& cond, const SealedValues& sealed) {
    const auto it = sealed.find(cond.field);
    return Holds(cond, it == sealed.end() ? std::nullopt : it->second);
  }
  static bool Holds(const config::Condition& cond, const std::optional<nlohmann::json>& value) {
    if (!value) return false;
    if (cond.from || cond.below) {
      if (!value->is_number_integer()) return false;
      const auto n = value->get<std::int64_t>();
      return (!cond.from || n >= *cond.from) && (!cond.below || n < *cond.below);
    }
    return std::find(cond.values.begin(), cond.values.end(), *value) != cond.values.end();
  }

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

nlohmann::json EsfJson(const EsfReport& r, bool pathways) {
  pathways = pathways && !r.query.shared;
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

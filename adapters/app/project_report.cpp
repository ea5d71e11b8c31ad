#include "adapters/app/project_report.hpp"

#include <algorithm>
#include <cmath>
#include <set>

#include "engine/codec/event_json.hpp"
#include "engine/runtime/calendar.hpp"

namespace pathways::app {

Rate RateOf(std::int64_t count, std::int64_t of) {
  Rate r{count, of};
  if (of <= 0) return r;
  // Wilson's interval at 90% (z = 1.645): sensible for small counts and rates near 0 or 1.
  constexpr double z = 1.645;
  const double n = static_cast<double>(of);
  const double p = static_cast<double>(count) / n;
  const double centre = (p + z * z / (2 * n)) / (1 + z * z / n);
  const double half = z * std::sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n);
  r.value = p;
  r.low = std::max(0.0, centre - half);
  r.high = std::min(1.0, centre + half);
  return r;
}

namespace {

constexpr TimestampMs kDayMs = 24LL * 3600 * 1000;

std::int64_t Percentile(std::vector<std::int64_t>& sorted, int percent) {
  if (sorted.empty()) return 0;
  const std::size_t at = (sorted.size() - 1) * static_cast<std::size_t>(percent) / 100;
  return sorted[at];
}

// Counts the project's figures row by row.
class ProjectCounter {
 public:
  ProjectCounter(const config::ReportConfig& c, const definition::DefinitionCatalog& definitions,
                 const ReportQuery& query, TimestampMs as_of, std::optional<std::int64_t> from,
                 std::optional<std::int64_t> to)
      : c_(c), definitions_(definitions), query_(query), from_(from), to_(to) {
    out_.query = query;
    out_.as_of = as_of;
    out_.start = c.start;
    out_.end = c.end;
    if (auto def = definitions.Newest(c.definition); def != nullptr && def->target) {
      out_.target.milestone = def->target->milestone;
      out_.target.count = def->target->count;
    }
    out_.stages.push_back("registered");
    for (const std::string& m : c.funnel) out_.stages.push_back(m);
    out_.funnel.assign(out_.stages.size(), 0);
    out_.forecast.open.assign(out_.stages.size(), 0);
    decided_.assign(out_.stages.size(), 0);
    converted_.assign(out_.stages.size(), 0);
    for (const std::string& m : c.figures.milestones) out_.milestones[m] = 0;
    out_.starts_by = c.figures.by;
    for (const config::StepRate& s : c.figures.steps) out_.steps.push_back({s.label, {}});
    entered_step_.assign(c.figures.steps.size(), 0);
    went_on_.assign(c.figures.steps.size(), 0);
    for (const char* band : {"<1", "1-2", "2-4", "4+"}) out_.contacts.push_back({band});
  }

  void Add(const runtime::PathwayState& row) {
    if (row.definition_id != c_.definition) return;
    if (!query_.school.empty() && row.school != query_.school) return;
    const std::optional<TimestampMs> left = LeftAt(c_, definitions_, row);
    const bool reached =
        !out_.target.milestone.empty() && row.milestones.count(out_.target.milestone) != 0;
    // The furthest stage reached: registration, or a funnel milestone (the target passes all).
    std::size_t stage = 0;
    for (std::size_t k = 1; k < out_.stages.size(); ++k) {
      if (reached || row.milestones.count(out_.stages[k])) stage = k;
    }
    // The target and the forecast: every pathway.
    if (reached) ++out_.target.reached;
    const bool open = !reached && !left && row.status != runtime::PathwayStatus::kClosed;
    if (open) ++out_.forecast.open[stage];
    for (std::size_t k = 0; k <= stage; ++k) {
      if (reached || left) ++decided_[k];
      if (reached) ++converted_[k];
    }
    if (out_.as_of - row.created_at <= 90 * kDayMs && row.created_at <= out_.as_of) ++recent_;
    if (reached) {
      const TimestampMs at = row.milestones.at(out_.target.milestone);
      days_to_target_.push_back((at - row.created_at) / kDayMs);
    }

    // The rest: the cohort registered in the period.
    const std::int64_t day = runtime::DayNumber(row.created_at);
    if ((from_ && day < *from_) || (to_ && day > *to_)) return;
    auto count_stages = [&](std::vector<std::int64_t>& counts) {
      counts.resize(out_.stages.size());
      for (std::size_t k = 0; k <= stage; ++k) ++counts[k];
    };
    count_stages(out_.funnel);
    count_stages(out_.by_source[row.data.value("referral_source", std::string())]);
    if (const auto campaign = row.data.find("campaign");
        campaign != row.data.end() && campaign->is_string()) {
      count_stages(out_.by_campaign[campaign->get<std::string>()]);
    }
    for (auto& [milestone, count] : out_.milestones) count += row.milestones.count(milestone);
    if (reached && !out_.starts_by.empty()) {
      const auto by = row.data.find(out_.starts_by);
      ++out_.starts[by != row.data.end() && by->is_string() ? by->get<std::string>() : ""];
    }
    const config::ProjectFigures& f = c_.figures;
    if (!f.credit.empty() && row.milestones.count(f.credit_milestone)) {
      ++out_.credit.rkvs;
      const auto weeks = row.data.find(f.credit);
      if (weeks != row.data.end() && weeks->is_number_integer()) {
        out_.credit.weeks += weeks->get<std::int64_t>();
      }
    }
    const bool dropped = Dropped(row);
    for (std::size_t i = 0; i < f.steps.size(); ++i) {
      if (!row.entered.count(f.steps[i].from)) continue;
      ++entered_step_[i];
      const TimestampMs from = row.entered.at(f.steps[i].from).at;
      for (const std::string& to : f.steps[i].to) {
        if (const auto e = row.entered.find(to); e != row.entered.end() && e->second.at >= from) {
          ++went_on_[i];
          break;
        }
      }
    }
    // Contacts per month from registration to leaving (or now), for the participants a month
    // or more in the pathway.
    const TimestampMs until = left.value_or(out_.as_of);
    const double months = static_cast<double>(until - row.created_at) / (30.44 * kDayMs);
    if (months >= 1) {
      const double per_month = row.contacts / months;
      auto& band = out_.contacts[per_month < 1 ? 0 : per_month < 2 ? 1 : per_month < 4 ? 2 : 3];
      ++band.participants;
      if (dropped) ++band.dropped_out;
    }
    if (!row.employer.cvr.empty()) {
      engaged_.insert(row.employer.cvr);
      if (row.employer.sme) smes_.insert(row.employer.cvr);
      const std::string status = row.data.value("employment_status", std::string());
      if (reached && (status == "employed" || status == "self_employed")) {
        releasing_.insert(row.employer.cvr);
      }
    }
    if (row.data.value("referral_source", std::string()) == "company_visit") {
      ++out_.employers.company_visit_leads;
    }
  }

  ProjectReport Finish(std::uint64_t position) {
    out_.position = position;
    for (std::size_t i = 0; i < out_.steps.size(); ++i) {
      out_.steps[i].rate = RateOf(went_on_[i], entered_step_[i]);
    }
    out_.employers.engaged = static_cast<std::int64_t>(engaged_.size());
    out_.employers.smes = static_cast<std::int64_t>(smes_.size());
    out_.employers.releasing_staff = static_cast<std::int64_t>(releasing_.size());
    std::sort(days_to_target_.begin(), days_to_target_.end());
    out_.lead_to_target = {static_cast<std::int64_t>(days_to_target_.size()),
                           Percentile(days_to_target_, 50), Percentile(days_to_target_, 25),
                           Percentile(days_to_target_, 75)};
    Forecast();
    return std::move(out_);
  }

 private:
  bool Dropped(const runtime::PathwayState& row) {
    const config::ProjectFigures& f = c_.figures;
    for (const std::string& state : f.dropout_states) {
      const auto e = row.entered.find(state);
      if (e == row.entered.end()) continue;
      ++out_.dropout.total;
      auto def = definitions_.Find(row.definition_id, row.definition_version);
      const definition::State* from = def ? def->FindState(e->second.from) : nullptr;
      ++out_.dropout.by_phase[from != nullptr ? from->phase : e->second.from];
      std::string reason;
      for (const std::string& field : f.dropout_reasons) {
        const auto v = row.data.find(field);
        if (v != row.data.end() && v->is_string()) reason = v->get<std::string>();
      }
      ++out_.dropout.by_reason[reason];
      return true;
    }
    return false;
  }

  // The pipeline by stage times each stage's rate to the target, the leads expected while
  // there is still time for them to get there, and the range from the rates' intervals.
  void Forecast() {
    ProjectReport::Forecast& f = out_.forecast;
    TimestampMs end = 0;
    if (runtime::ParseDate(c_.end, end)) end = runtime::DayStart(runtime::DayNumber(end) + 1);
    f.days_left = std::max<std::int64_t>(0, (end - out_.as_of) / kDayMs);
    for (std::size_t k = 0; k < out_.stages.size(); ++k) {
      f.rates.push_back(RateOf(converted_[k], decided_[k]));
    }
    f.leads_per_month = static_cast<double>(recent_) * 30.44 / 90.0;
    f.median_days_to_target = out_.lead_to_target.median;
    const std::int64_t window = std::max<std::int64_t>(0, f.days_left - f.median_days_to_target);
    f.new_leads = f.days_left == 0 ? 0 : f.leads_per_month * static_cast<double>(window) / 30.44;
    const double reached = static_cast<double>(out_.target.reached);
    double pipeline = 0;
    double low = 0;
    double high = 0;
    for (std::size_t k = 0; k < out_.stages.size(); ++k) {
      const double n = static_cast<double>(f.open[k]);
      pipeline += n * f.rates[k].value;
      low += n * f.rates[k].low;
      high += n * f.rates[k].high;
    }
    const Rate& from_lead = f.rates.front();
    f.expected = reached + pipeline + f.new_leads * from_lead.value;
    f.low = reached + low + f.new_leads * from_lead.low;
    f.high = reached + high + f.new_leads * from_lead.high;
    const double short_by = static_cast<double>(out_.target.count) - reached - pipeline;
    f.leads_needed = short_by <= 0 || from_lead.value <= 0
                         ? 0
                         : static_cast<std::int64_t>(std::ceil(short_by / from_lead.value));
  }

  const config::ReportConfig& c_;
  const definition::DefinitionCatalog& definitions_;
  const ReportQuery& query_;
  std::optional<std::int64_t> from_;
  std::optional<std::int64_t> to_;
  ProjectReport out_;
  std::vector<std::int64_t> decided_;    // by stage: reached the target or left
  std::vector<std::int64_t> converted_;  // by stage: reached the target
  std::int64_t recent_ = 0;              // registered in the 90 days before as_of
  std::vector<std::int64_t> days_to_target_;
  std::vector<std::int64_t> entered_step_;
  std::vector<std::int64_t> went_on_;
  std::set<std::string> engaged_;
  std::set<std::string> smes_;
  std::set<std::string> releasing_;
};

nlohmann::json RateJson(const Rate& r) {
  return {{"count", r.count}, {"of", r.of}, {"rate", r.value}, {"low", r.low}, {"high", r.high}};
}

}  // namespace

Result<ProjectReport> ProjectFiguresOf(const config::ReportConfig& config,
                                       const definition::DefinitionCatalog& definitions,
                                       const RowSource& source, const ReportQuery& query,
                                       TimestampMs as_of) {
  std::optional<std::int64_t> from;
  std::optional<std::int64_t> to;
  if (Status st = ParsePeriod(query, from, to); !st.ok()) return st;
  ProjectCounter counter(config, definitions, query, as_of, from, to);
  Result<std::uint64_t> position = source([&](const runtime::PathwayState& row) {
    counter.Add(row);
    return true;
  });
  if (!position.ok()) return position.status();
  return counter.Finish(*position);
}

nlohmann::json ProjectJson(const ProjectReport& r) {
  const ProjectReport::Forecast& f = r.forecast;
  nlohmann::json stages = nlohmann::json::array();
  for (std::size_t k = 0; k < r.stages.size(); ++k) {
    stages.push_back({{"stage", r.stages[k]},
                      {"reached", r.funnel[k]},
                      {"open", f.open[k]},
                      {"to_target", RateJson(f.rates[k])}});
  }
  nlohmann::json steps = nlohmann::json::array();
  for (const auto& s : r.steps) {
    steps.push_back(
        {{"label", {{"da", s.label.da}, {"en", s.label.en}}}, {"rate", RateJson(s.rate)}});
  }
  nlohmann::json contacts = nlohmann::json::array();
  for (const auto& b : r.contacts) {
    contacts.push_back(
        {{"per_month", b.band}, {"participants", b.participants}, {"dropped_out", b.dropped_out}});
  }
  return {
      {"report", "project"},
      {"position", r.position},
      {"as_of", r.as_of == 0 ? nlohmann::json() : nlohmann::json(codec::FormatIso8601(r.as_of))},
      {"period",
       {{"from", r.query.from.empty() ? nlohmann::json() : nlohmann::json(r.query.from)},
        {"to", r.query.to.empty() ? nlohmann::json() : nlohmann::json(r.query.to)}}},
      {"school", r.query.school.empty() ? nlohmann::json() : nlohmann::json(r.query.school)},
      {"project", {{"start", r.start}, {"end", r.end}}},
      {"target",
       {{"milestone", r.target.milestone},
        {"count", r.target.count},
        {"reached", r.target.reached}}},
      {"forecast",
       {{"days_left", f.days_left},
        {"expected", f.expected},
        {"low", f.low},
        {"high", f.high},
        {"leads_per_month", f.leads_per_month},
        {"new_leads", f.new_leads},
        {"median_days_to_target", f.median_days_to_target},
        {"leads_needed", f.leads_needed}}},
      {"funnel", stages},
      {"by_source", r.by_source},
      {"by_campaign", r.by_campaign},
      {"lead_to_target_days",
       {{"count", r.lead_to_target.count},
        {"median", r.lead_to_target.median},
        {"p25", r.lead_to_target.p25},
        {"p75", r.lead_to_target.p75}}},
      {"milestones", r.milestones},
      {"starts", {{"by", r.starts_by}, {"counts", r.starts}}},
      {"credit", {{"rkvs", r.credit.rkvs}, {"weeks", r.credit.weeks}}},
      {"dropout",
       {{"total", r.dropout.total},
        {"by_phase", r.dropout.by_phase},
        {"by_reason", r.dropout.by_reason}}},
      {"steps", steps},
      {"contacts", contacts},
      {"employers",
       {{"engaged", r.employers.engaged},
        {"smes", r.employers.smes},
        {"releasing_staff", r.employers.releasing_staff},
        {"company_visit_leads", r.employers.company_visit_leads}}}};
}

std::string ProjectCsv(const ProjectReport& r) {
  std::string out;
  auto line = [&](const std::string& section, const std::string& key, const std::string& value) {
    codec::AppendCsvCell(out, section);
    codec::AppendCsvCell(out, key);
    codec::AppendCsvCell(out, value, true);
  };
  auto number = [](double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f", v);
    return std::string(buf);
  };
  line("section", "key", "value");
  line("report", "position", std::to_string(r.position));
  line("target", r.target.milestone,
       std::to_string(r.target.reached) + "/" + std::to_string(r.target.count));
  line("forecast", "expected", number(r.forecast.expected));
  line("forecast", "low", number(r.forecast.low));
  line("forecast", "high", number(r.forecast.high));
  line("forecast", "leads_needed", std::to_string(r.forecast.leads_needed));
  for (std::size_t k = 0; k < r.stages.size(); ++k) {
    line("funnel", r.stages[k], std::to_string(r.funnel[k]));
  }
  for (const auto& [m, n] : r.milestones) line("milestones", m, std::to_string(n));
  for (const auto& [t, n] : r.starts) line("starts", t, std::to_string(n));
  for (const auto& [p, n] : r.dropout.by_phase) line("dropout_phase", p, std::to_string(n));
  for (const auto& [why, n] : r.dropout.by_reason) line("dropout_reason", why, std::to_string(n));
  for (const auto& b : r.contacts) {
    line("contacts_per_month", b.band,
         std::to_string(b.dropped_out) + "/" + std::to_string(b.participants));
  }
  return out;
}

}  // namespace pathways::app

#include "adapters/app/company_report.hpp"

#include <algorithm>

#include "engine/runtime/company.hpp"

namespace pathways::app {
namespace {

constexpr double kDayMs = 24.0 * 3600 * 1000;

}  // namespace

CompanyReport CompanyFigures(const definition::Definition& def,
                             const std::vector<runtime::PathwayState>& records,
                             const std::vector<runtime::PathwayState>& participants,
                             const std::string& school) {
  CompanyReport r;
  r.school = school;
  for (const definition::Milestone& m : def.milestones) r.steps.push_back({m.id, m.label, 0, 0});
  // The earliest start of a participant linked to each company, after its first contact.
  std::map<std::string, std::vector<TimestampMs>> starts;  // cvr -> participants' starts
  for (const runtime::PathwayState& p : participants) {
    if (p.is_company()) continue;
    if (!p.employer.cvr.empty()) starts[p.employer.cvr].push_back(p.created_at);
    if (!p.referred_by_company.empty() && p.referred_by_company != p.employer.cvr) {
      starts[p.referred_by_company].push_back(p.created_at);
    }
  }
  std::vector<double> days;
  for (const runtime::PathwayState& s : records) {
    if (!s.is_company() || s.definition_id != def.id) continue;
    ++r.by_stage[s.school][s.state];
    if (!school.empty() && s.school != school) continue;
    ++r.records;
    const bool sme = s.company.sme();
    if (sme) ++r.smes;
    for (CompanyReport::Step& step : r.steps) {
      if (!s.milestones.count(step.milestone)) continue;
      ++step.reached;
      if (sme) ++step.smes;
    }
    if (auto reason = s.data.find("decline_reason");
        reason != s.data.end() && reason->is_string()) {
      ++r.declines_by_reason[reason->get<std::string>()];
    }
    for (const auto& [id, need] : s.company.needs) {
      for (const std::string& tag : need.green) ++r.green_needs[tag];
    }
    const TimestampMs first = s.company.first_contact_at;
    if (first == 0) continue;
    std::optional<TimestampMs> employee;
    if (auto it = starts.find(s.company.cvr); it != starts.end()) {
      for (TimestampMs at : it->second) {
        if (at >= first && (!employee || at < *employee)) employee = at;
      }
    }
    if (!employee) continue;
    ++r.with_employee;
    days.push_back(static_cast<double>(*employee - first) / kDayMs);
  }
  if (!days.empty()) {
    std::sort(days.begin(), days.end());
    const std::size_t n = days.size();
    r.median_days_to_first_employee =
        n % 2 == 1 ? days[n / 2] : (days[n / 2 - 1] + days[n / 2]) / 2;
  }
  return r;
}

Result<CompanyFigureInputs> ReadCompanyFigureInputs(const PathwayQueries& store) {
  CompanyFigureInputs in;
  auto records = store.PathwaysWithPrefix(std::string(runtime::kCompanyPathwayPrefix), 1'000'000);
  if (!records.ok()) return records.status();
  in.records = std::move(*records);
  auto read = store.VisitReportRows(std::nullopt, [&](const runtime::PathwayState& row) {
    if (row.employer.cvr.empty() && row.referred_by_company.empty()) return true;
    runtime::PathwayState link;
    link.employer.cvr = row.employer.cvr;
    link.referred_by_company = row.referred_by_company;
    link.created_at = row.created_at;
    in.participants.push_back(std::move(link));
    return true;
  });
  if (!read.ok()) return read.status();
  in.position = *read;
  return in;
}

}  // namespace pathways::app

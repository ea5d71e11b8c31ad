#pragma once
// A participant's route through the AMIGO pathway as commands: the AMU route, ten steps from
// lead to completion. The benchmark drives every participant through all of it; the demo data
// stops each participant somewhere along it.

#include <cstdint>
#include <iterator>
#include <string>

#include "engine/runtime/pathway_rules.hpp"

namespace pathways::cli {

inline constexpr int kAmigoSteps = 10;
// Where the leads come from, in turn (codes of AMIGO's referral_source).
inline constexpr const char* kSources[] = {"jobcenter", "union",         "company_visit",
                                           "outreach",  "self_referral", "jobcenter"};

// Step `step` (0 .. kAmigoSteps-1) for participant number `participant`; the contact person is
// `counsellor` (step 1), of `school` (empty: no schools). Participant number 0 is called
// "Deltager 1", as on its pathway demo-1.
inline runtime::Command AmigoStep(int step, std::uint64_t participant,
                                  const std::string& counsellor, const std::string& school = "") {
  using runtime::FireTrigger;
  switch (step) {
    case 0:
      return runtime::RegisterLead{
          kSources[participant % std::size(kSources)],
          {{"unemployed", false}},
          {{PersonalScope::kIdentity, {{"name", "Deltager " + std::to_string(participant + 1)}}}},
          "",
          school};
    case 1: return runtime::AssignContactPerson{counsellor, "", "", ""};
    case 2: return FireTrigger{"hold_intake", {{"age_at_entry", 25 + participant % 40}}};
    case 3: return FireTrigger{"request_rkv", nlohmann::json::object()};
    case 4: return FireTrigger{"complete_rkv", {{"track", "AMU"}}};
    case 5: return FireTrigger{"agree_plan", nlohmann::json::object()};
    case 6: return FireTrigger{"enrol", nlohmann::json::object()};
    case 7: return FireTrigger{"start_amu", nlohmann::json::object()};
    case 8: return FireTrigger{"complete_amu_course", {{"course_end", "2026-05-01"}}};
    default: return FireTrigger{"complete_pathway", nlohmann::json::object()};
  }
}

}  // namespace pathways::cli

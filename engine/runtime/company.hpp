#pragma once
// Company records: the pathways of a `kind: company` definition (docs/companies.md). One per
// company, keyed by its CVR number: the pathway's id is `company-<cvr>`, which no
// participant's pathway may take.
//
// Thread-safe: pure functions.

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "engine/result.hpp"
#include "engine/runtime/pathway_state.hpp"

namespace pathways::runtime {

inline constexpr std::string_view kCompanyPathwayPrefix = "company-";
inline std::string CompanyPathwayId(std::string_view cvr) {
  return std::string(kCompanyPathwayPrefix).append(cvr);
}

// How a contact with a company took place.
inline constexpr std::string_view kContactForms[] = {"visit", "phone", "meeting", "event"};
bool IsContactForm(std::string_view form);

// A P-number (produktionsenhedsnummer, a workplace of the company): ten digits.
bool IsPNumber(std::string_view p_number);

// The record as canonical JSON (state rows of format 1, the API) and back; FromJson throws
// nlohmann's exceptions for a record ToJson did not write.
nlohmann::json CompanyToJson(const Company& c);
Company CompanyFromJson(const nlohmann::json& j);

}  // namespace pathways::runtime

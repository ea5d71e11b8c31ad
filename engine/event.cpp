#include "engine/event.hpp"

namespace pathways {

std::string_view PersonalScopeName(PersonalScope scope) {
  switch (scope) {
    case PersonalScope::kIdentity: return "identity";
    case PersonalScope::kGuidance: return "guidance";
  }
  return "unknown";
}

std::optional<PersonalScope> ParsePersonalScope(std::string_view name) {
  if (name == "identity") return PersonalScope::kIdentity;
  if (name == "guidance") return PersonalScope::kGuidance;
  return std::nullopt;
}

}  // namespace pathways

#include "engine/event.hpp"

namespace pathways {

std::string_view PersonalScopeName(PersonalScope scope) {
  switch (scope) {
    case PersonalScope::kIdentity: return "identity";
    case PersonalScope::kGuidance: return "guidance";
    case PersonalScope::kSpecial: return "special";
  }
  return "unknown";
}

bool IsValidId(std::string_view id) {
  if (id.empty() || id.size() > kMaxIdLength) return false;
  for (char c : id) {
    if (c <= ' ' || c > '~') return false;
  }
  return true;
}

std::optional<PersonalScope> ParsePersonalScope(std::string_view name) {
  if (name == "identity") return PersonalScope::kIdentity;
  if (name == "guidance") return PersonalScope::kGuidance;
  if (name == "special") return PersonalScope::kSpecial;
  return std::nullopt;
}

}  // namespace pathways

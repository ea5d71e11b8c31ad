#pragma once
// Reading the JSON the notification adapters pass around (outbox rows, deliveries).

#include <nlohmann/json.hpp>
#include <string>

namespace pathways::notify {

// The string member `key` of `j`, or "" when it is absent or not a string.
inline std::string StringField(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace pathways::notify

#pragma once
// The parts every event type is described with: its fields (key, member, whether it may be
// left out) and the nested values several types share. event_types.hpp has the types.

#include <cstdint>
#include <string>
#include <string_view>
#include <tuple>

namespace pathways::events {

// One field of an event's data: its key, where it lives, and whether it may be left out
// (written only when not empty; read as empty when absent).
template <class Owner, class T>
struct Field {
  std::string_view key;
  T Owner::*member;
  bool optional = false;
};
template <class Owner, class T>
constexpr Field<Owner, T> Required(std::string_view key, T Owner::*member) {
  return {key, member, false};
}
template <class Owner, class T>
constexpr Field<Owner, T> Optional(std::string_view key, T Owner::*member) {
  return {key, member, true};
}

// Nested values.
struct Title {
  std::string da;
  std::string en;
  static constexpr auto Fields() {
    return std::tuple{Required("da", &Title::da), Required("en", &Title::en)};
  }
};
struct GuardCheck {
  std::string guard;
  bool holds = false;
  static constexpr auto Fields() {
    return std::tuple{Required("guard", &GuardCheck::guard), Required("holds", &GuardCheck::holds)};
  }
};
struct DefinitionVersion {
  std::string id;
  std::uint32_t version = 0;
  std::string hash;
  static constexpr auto Fields() {
    return std::tuple{Required("id", &DefinitionVersion::id),
                      Required("version", &DefinitionVersion::version),
                      Required("hash", &DefinitionVersion::hash)};
  }
};

}  // namespace pathways::events

// Encoding and strict decoding of the event types, driven by each struct's Fields().

#include "engine/event_types.hpp"

#include <limits>
#include <utility>

namespace pathways::events {
namespace {

using nlohmann::json;

template <class T>
concept Described = requires {
  T::Fields();
};

// ---- Writing ----

json ToJson(const std::string& v) { return v; }
json ToJson(bool v) { return v; }
json ToJson(std::int64_t v) { return v; }
json ToJson(std::uint32_t v) { return v; }
json ToJson(const json& v) { return v; }
template <class T>
json ToJson(const std::vector<T>& items);
template <Described T>
json ToJson(const T& value);

template <class T>
json ToJson(const std::vector<T>& items) {
  json out = json::array();
  for (const T& item : items) out.push_back(ToJson(item));
  return out;
}

template <class T>
bool IsEmpty(const T& v) {
  if constexpr (std::is_same_v<T, json>) {
    return v.is_null();
  } else if constexpr (requires { v.empty(); }) {
    return v.empty();
  } else if constexpr (std::is_arithmetic_v<T>) {
    return v == T{};  // an optional number not given is 0, and not written
  } else {
    return false;
  }
}

template <Described T>
json ToJson(const T& value) {
  json out = json::object();
  std::apply(
      [&](const auto&... field) {
        [[maybe_unused]] auto put = [&](const auto& f) {  // unused for a type without fields
          const auto& v = value.*(f.member);
          if (!(f.optional && IsEmpty(v))) out[std::string(f.key)] = ToJson(v);
        };
        (put(field), ...);
      },
      T::Fields());
  return out;
}

// ---- Reading: each returns what is wrong, or "" ----

std::string Read(const json& j, std::string& out) {
  if (!j.is_string()) return "must be text";
  out = j.get<std::string>();
  return "";
}
std::string Read(const json& j, bool& out) {
  if (!j.is_boolean()) return "must be true or false";
  out = j.get<bool>();
  return "";
}
std::string Read(const json& j, std::int64_t& out) {
  if (!j.is_number_integer()) return "must be a whole number";
  if (j.is_number_unsigned() &&
      j.get<std::uint64_t>() > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
    return "is out of range";
  out = j.get<std::int64_t>();
  return "";
}
std::string Read(const json& j, std::uint32_t& out) {
  if (!j.is_number_integer()) return "must be a whole number";
  if (j.is_number_integer() && !j.is_number_unsigned() && j.get<std::int64_t>() < 0)
    return "must not be negative";
  if (j.get<std::uint64_t>() > std::numeric_limits<std::uint32_t>::max()) return "is out of range";
  out = static_cast<std::uint32_t>(j.get<std::uint64_t>());
  return "";
}
std::string Read(const json& j, json& out) {
  out = j;
  return "";
}
template <class T>
std::string Read(const json& j, std::vector<T>& out);
template <Described T>
std::string Read(const json& j, T& out);

template <class T>
std::string Read(const json& j, std::vector<T>& out) {
  if (!j.is_array()) return "must be a list";
  out.clear();
  out.reserve(j.size());
  for (std::size_t i = 0; i < j.size(); ++i) {
    T item{};
    if (std::string wrong = Read(j[i], item); !wrong.empty()) {
      return "item " + std::to_string(i) + " " + wrong;
    }
    out.push_back(std::move(item));
  }
  return "";
}

template <Described T>
std::string Read(const json& j, T& out) {
  if (!j.is_object()) return "must be an object";
  std::string wrong;
  std::size_t known = 0;
  std::apply(
      [&](const auto&... field) {
        [[maybe_unused]] auto get = [&](const auto& f) {
          if (!wrong.empty()) return;
          auto it = j.find(std::string(f.key));
          if (it == j.end()) {
            if (!f.optional) wrong = "field `" + std::string(f.key) + "` is missing";
            return;
          }
          ++known;
          if (std::string w = Read(*it, out.*(f.member)); !w.empty()) {
            wrong = "field `" + std::string(f.key) + "` " + w;
          }
        };
        (get(field), ...);
      },
      T::Fields());
  if (wrong.empty() && known != j.size()) {
    for (auto it = j.begin(); it != j.end(); ++it) {
      const std::string& key = it.key();
      bool ours = false;
      std::apply([&](const auto&... f) { ((ours = ours || f.key == key), ...); }, T::Fields());
      if (!ours) return "has a field `" + key + "` its type does not have";
    }
  }
  return wrong;
}

// ---- Dispatch over a variant's alternatives ----

template <class Variant>
Result<Variant> Decode(std::string_view type, std::uint16_t schema_version, const json& data) {
  std::optional<Result<Variant>> found;
  bool type_known = false;
  auto try_one = [&]<class E>(E*) {
    if (found || E::kType != type) return;
    type_known = true;
    if (E::kSchema != schema_version) return;
    E event;
    if (std::string wrong = Read(data, event); !wrong.empty()) {
      found = Status::Corruption(
          std::string(type) + " (schema " + std::to_string(schema_version) + "): " +
          (wrong.starts_with("field") || wrong.starts_with("has") ? wrong : "its data " + wrong));
    } else {
      found = Variant(std::move(event));
    }
  };
  [&]<std::size_t... I>(std::index_sequence<I...>) {
    (try_one(static_cast<std::variant_alternative_t<I, Variant>*>(nullptr)), ...);
  }
  (std::make_index_sequence<std::variant_size_v<Variant>>{});
  if (found) return std::move(*found);
  if (type_known) {
    return Status::Corruption("schema version " + std::to_string(schema_version) + " of " +
                              std::string(type) + " is not one this build can read");
  }
  return Status::Corruption("no event type `" + std::string(type) + "`");
}

template <class Variant>
void AddTypes(std::vector<TypeInfo>& out, bool system) {
  auto add = [&]<class E>(E*) {
    TypeInfo info{std::string(E::kType), E::kSchema, system, {}};
    std::apply(
        [&](const auto&... f) {
          (info.fields.push_back({std::string(f.key), f.optional}), ...);
        },
        E::Fields());
    out.push_back(std::move(info));
  };
  [&]<std::size_t... I>(std::index_sequence<I...>) {
    (add(static_cast<std::variant_alternative_t<I, Variant>*>(nullptr)), ...);
  }
  (std::make_index_sequence<std::variant_size_v<Variant>>{});
}

template <class Variant>
NewEvent EncodeAny(const Variant& event) {
  return std::visit(
      [](const auto& e) {
        using E = std::decay_t<decltype(e)>;
        NewEvent out;
        out.type = std::string(E::kType);
        out.schema_version = E::kSchema;
        out.data = ToJson(e);
        return out;
      },
      event);
}

}  // namespace

std::string_view TypeOf(const PathwayEvent& event) {
  return std::visit([](const auto& e) { return std::decay_t<decltype(e)>::kType; }, event);
}

nlohmann::json DataOf(const PathwayEvent& event) {
  return std::visit([](const auto& e) { return ToJson(e); }, event);
}
nlohmann::json DataOf(const SystemEvent& event) {
  return std::visit([](const auto& e) { return ToJson(e); }, event);
}

NewEvent Encode(const PathwayEvent& event) { return EncodeAny(event); }
NewEvent Encode(const SystemEvent& event) { return EncodeAny(event); }

Result<PathwayEvent> DecodePathwayEvent(std::string_view type, std::uint16_t schema_version,
                                        const nlohmann::json& data) {
  return Decode<PathwayEvent>(type, schema_version, data);
}
Result<SystemEvent> DecodeSystemEvent(std::string_view type, std::uint16_t schema_version,
                                      const nlohmann::json& data) {
  return Decode<SystemEvent>(type, schema_version, data);
}

std::vector<TypeInfo> Catalogue() {
  std::vector<TypeInfo> out;
  AddTypes<PathwayEvent>(out, false);
  AddTypes<SystemEvent>(out, true);
  return out;
}

}  // namespace pathways::events

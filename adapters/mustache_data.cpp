#include "adapters/mustache_data.hpp"

namespace pathways::adapters {

kainjow::mustache::data ToMustacheData(const nlohmann::json& j) {
  using Data = kainjow::mustache::data;
  switch (j.type()) {
    case nlohmann::json::value_t::object: {
      Data d{Data::type::object};
      for (const auto& [k, v] : j.items()) d.set(k, ToMustacheData(v));
      return d;
    }
    case nlohmann::json::value_t::array: {
      Data d{Data::type::list};
      for (const auto& v : j) d.push_back(ToMustacheData(v));
      return d;
    }
    case nlohmann::json::value_t::boolean:
      return j.get<bool>() ? Data{Data::type::bool_true} : Data{Data::type::bool_false};
    case nlohmann::json::value_t::string:
      if (j.get_ref<const std::string&>().empty()) return Data{Data::type::bool_false};
      return Data{j.get<std::string>()};
    case nlohmann::json::value_t::null:
    case nlohmann::json::value_t::discarded: return Data{Data::type::bool_false};
    default: return Data{j.dump()};
  }
}

}  // namespace pathways::adapters

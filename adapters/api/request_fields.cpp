// The request's form and query fields as the routes read them: each getter checks its field
// and remembers the first problem, which Problem() answers as problem+json.

#include <limits>

#include "adapters/api/api_impl.hpp"

namespace pathways::api {

Fields::Fields(const std::string& body, std::initializer_list<const char*> allowed) {
  if (body.empty()) {
    j_ = nlohmann::json::object();
    return;
  }
  j_ = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (j_.is_discarded()) {
    errors_.push_back("the body is not valid JSON (or not valid UTF-8)");
    return;
  }
  if (!j_.is_object()) {
    errors_.push_back("the body must be a JSON object");
    return;
  }
  for (const auto& [key, value] : j_.items()) {
    bool known = false;
    for (const char* a : allowed) known = known || key == a;
    if (!known) errors_.push_back("unknown field `" + key + "`");
  }
}

std::string Fields::Text(const char* key, bool required, std::size_t max_bytes) {
  if (!j_.is_object() || !j_.contains(key)) {
    if (required && errors_.empty()) errors_.push_back(std::string("`") + key + "` is required");
    return {};
  }
  const nlohmann::json& v = j_[key];
  if (!v.is_string()) {
    errors_.push_back(std::string("`") + key + "` must be a string");
    return {};
  }
  std::string s = v.get<std::string>();
  if (s.size() > max_bytes) {
    errors_.push_back(std::string("`") + key + "` is longer than " + std::to_string(max_bytes) +
                      " bytes");
    return {};
  }
  if (required && s.empty()) errors_.push_back(std::string("`") + key + "` must not be empty");
  return s;
}

nlohmann::json Fields::Object(const char* key) {
  if (!j_.is_object() || !j_.contains(key)) return nlohmann::json::object();
  if (!j_[key].is_object()) {
    errors_.push_back(std::string("`") + key + "` must be an object");
    return nlohmann::json::object();
  }
  return j_[key];
}

std::optional<std::int64_t> Fields::Integer(const char* key) {
  if (!j_.is_object() || !j_.contains(key)) return std::nullopt;
  const nlohmann::json& v = j_[key];
  if (!v.is_number_integer() ||
      (v.is_number_unsigned() && v.get<std::uint64_t>() > static_cast<std::uint64_t>(INT64_MAX))) {
    errors_.push_back(std::string("`") + key + "` must be a whole number");
    return std::nullopt;
  }
  return v.get<std::int64_t>();
}

bool Fields::Flag(const char* key) {
  if (!j_.is_object() || !j_.contains(key)) return false;
  if (!j_[key].is_boolean()) {
    errors_.push_back(std::string("`") + key + "` must be true or false");
    return false;
  }
  return j_[key].get<bool>();
}

std::vector<std::string> Fields::Texts(const char* key) {
  std::vector<std::string> out;
  if (!Has(key)) return out;
  const nlohmann::json& v = j_[key];
  if (!v.is_array() ||
      !std::all_of(v.begin(), v.end(), [](const nlohmann::json& x) { return x.is_string(); })) {
    errors_.push_back(std::string("`") + key + "` must be a list of strings");
    return out;
  }
  for (const auto& x : v) out.push_back(x.get<std::string>());
  return out;
}

http::Response Fields::Problem() const {
  return api::Problem(400, "invalid-body", errors_.front(), {{"errors", errors_}});
}

// ---- QueryParams ----------------------------------------------------------------------------

std::size_t QueryParams::Count(const char* name, std::size_t fallback, std::size_t max) {
  const std::string* v = req_.Query(name);
  if (v == nullptr) return fallback;
  const std::optional<std::uint64_t> n = ParseUnsigned(*v);
  if (!n || *n < 1 || *n > max) {
    errors_.push_back(std::string("`") + name + "` must be a whole number from 1 to " +
                      std::to_string(max));
    return fallback;
  }
  return static_cast<std::size_t>(*n);
}

std::uint64_t QueryParams::Number(const char* name, std::uint64_t fallback, std::uint64_t min) {
  const std::string* v = req_.Query(name);
  if (v == nullptr) return fallback;
  const std::optional<std::uint64_t> n = ParseUnsigned(*v);
  if (!n || *n < min) {
    errors_.push_back(std::string("`") + name + "` must be a whole number of at least " +
                      std::to_string(min));
    return fallback;
  }
  return *n;
}

bool QueryParams::Flag(const char* name) {
  const std::string* v = req_.Query(name);
  if (v == nullptr) return false;
  if (*v == "true" || *v == "1") return true;
  if (*v != "false" && *v != "0") {
    errors_.push_back(std::string("`") + name + "` must be true or false");
  }
  return false;
}

http::Response QueryParams::Problem() const {
  return api::Problem(400, "invalid-request", errors_.front(), {{"errors", errors_}});
}

}  // namespace pathways::api

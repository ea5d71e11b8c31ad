#include "adapters/http/http_message.hpp"

#include <boost/beast/http/status.hpp>
#include <boost/url/params_view.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/parse_path.hpp>
#include <boost/url/parse_query.hpp>

namespace pathways::http {

const std::string& Request::Header(const std::string& lower_name) const {
  static const std::string kEmpty;
  auto it = headers.find(lower_name);
  return it == headers.end() ? kEmpty : it->second;
}

const std::string* Request::Query(std::string_view name) const {
  for (const auto& [k, v] : query) {
    if (k == name) return &v;
  }
  return nullptr;
}

bool ParseTarget(std::string_view target, Request& out) {
  auto url = boost::urls::parse_origin_form(target);
  if (!url) return false;
  out.path = url->encoded_path();
  out.query.clear();
  for (auto param : url->params()) out.query.emplace_back(param.key, param.value);
  return true;
}

std::optional<std::vector<std::pair<std::string, std::string>>> ParseForm(std::string_view body) {
  if (!boost::urls::parse_query(body)) return std::nullopt;
  const boost::urls::params_view params(body);  // decodes `+` as a space
  std::vector<std::pair<std::string, std::string>> out;
  for (auto param : params) {
    if (param.key.empty() && !param.has_value) continue;  // "a=1&&b=2"
    out.emplace_back(param.key, param.value);
  }
  return out;
}

std::optional<std::vector<std::string>> PathSegments(std::string_view path) {
  if (path.empty() || path.front() != '/') return std::nullopt;
  auto parsed = boost::urls::parse_path(path);
  if (!parsed) return std::nullopt;
  std::vector<std::string> out;
  for (boost::urls::pct_string_view segment : *parsed) out.push_back(segment.decode());
  if (!out.empty() && out.back().empty()) out.pop_back();  // a trailing slash
  return out;
}

std::string_view ReasonPhrase(int status) {
  return boost::beast::http::obsolete_reason(static_cast<boost::beast::http::status>(status));
}

}  // namespace pathways::http

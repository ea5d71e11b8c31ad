#include "adapters/http/http_message.hpp"

#include <boost/beast/http/status.hpp>
#include <boost/url/parse.hpp>

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
  out.path = url->path();
  out.query.clear();
  for (auto param : url->params()) out.query.emplace_back(param.key, param.value);
  return true;
}

std::string_view ReasonPhrase(int status) {
  return boost::beast::http::obsolete_reason(static_cast<boost::beast::http::status>(status));
}

}  // namespace pathways::http

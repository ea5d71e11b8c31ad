#include "adapters/notify/curl_easy.hpp"

#include <mutex>

namespace pathways::notify {

CurlEasy::CurlEasy() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  curl_ = curl_easy_init();
}

CurlEasy::~CurlEasy() {
  if (curl_ != nullptr) curl_easy_cleanup(curl_);
}

CURL* CurlEasy::Fresh() {
  if (curl_ != nullptr) curl_easy_reset(curl_);
  return curl_;
}

}  // namespace pathways::notify

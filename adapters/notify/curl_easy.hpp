#pragma once
// One libcurl easy handle, owned: libcurl's global set-up runs once per process, and the handle
// keeps its connections between transfers. Internal to adapters/notify (the senders).

#include <curl/curl.h>

#include <chrono>
#include <string>
#include <string_view>

namespace pathways::notify {

class CurlEasy {
 public:
  CurlEasy();
  ~CurlEasy();
  CurlEasy(const CurlEasy&) = delete;
  CurlEasy& operator=(const CurlEasy&) = delete;

  // The handle with the previous transfer's options cleared (its connections stay), or null
  // when libcurl could not make one.
  CURL* Fresh();

 private:
  CURL* curl_ = nullptr;
};

// A POST of `body` (which must outlive the transfer) to an http(s) `url`: certificate and host
// checked, no redirect followed, the whole exchange within `timeout`, `ca_file` extra trust.
void SetPost(CURL* c, const std::string& url, std::string_view body, curl_slist* headers,
             const char* user_agent, std::chrono::milliseconds timeout, const std::string& ca_file);

}  // namespace pathways::notify

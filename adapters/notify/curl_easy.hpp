#pragma once
// One libcurl easy handle, owned: libcurl's global set-up runs once per process, and the handle
// keeps its connections between transfers. Internal to adapters/notify (the senders).

#include <curl/curl.h>

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

}  // namespace pathways::notify

#include "adapters/notify/webhook_sender.hpp"

#include <algorithm>
#include <cctype>

#include "adapters/notify/curl_easy.hpp"
#include "adapters/notify/webhook_signature.hpp"

namespace pathways::notify {
namespace {

// The body of the answer is not needed: read and dropped.
std::size_t Discard(char*, std::size_t size, std::size_t n, void*) { return size * n; }

// Picks up Retry-After from the answer's headers.
std::size_t OnHeader(char* data, std::size_t size, std::size_t n, void* user) {
  auto* retry_after = static_cast<std::optional<std::chrono::seconds>*>(user);
  const std::string_view line(data, size * n);
  constexpr std::string_view kName = "retry-after:";
  if (line.size() > kName.size()) {
    std::string name(line.substr(0, kName.size()));
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (name == kName) *retry_after = ParseRetryAfter(line.substr(kName.size()));
  }
  return size * n;
}

}  // namespace

std::optional<std::chrono::seconds> ParseRetryAfter(std::string_view value) {
  const auto blank = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!value.empty() && blank(value.front())) value.remove_prefix(1);
  while (!value.empty() && blank(value.back())) value.remove_suffix(1);
  if (value.empty()) return std::nullopt;
  std::int64_t seconds = 0;
  for (char c : value) {
    if (c < '0' || c > '9') return std::nullopt;
    // Saturates instead of overflowing: any value past the cap is the cap.
    seconds = std::min<std::int64_t>(seconds * 10 + (c - '0'), kMaxRetryAfter.count());
  }
  return std::chrono::seconds(seconds);
}

WebhookSender::WebhookSender() : curl_(std::make_unique<CurlEasy>()) {}
WebhookSender::~WebhookSender() = default;

DeliveryResult WebhookSender::Send(const WebhookEndpoint& endpoint, const WebhookMessage& message) {
  DeliveryResult result;
  CURL* c = curl_->Fresh();
  if (c == nullptr) {
    result.error = "libcurl could not be initialised";
    return result;
  }
  struct curl_slist* headers = nullptr;
  auto add = [&](const std::string& h) { headers = curl_slist_append(headers, h.c_str()); };
  add("Content-Type: application/json");
  add("webhook-id: " + message.id);
  add("webhook-timestamp: " + std::to_string(message.timestamp));
  add("webhook-signature: " +
      SignatureHeader(endpoint.keys, message.id, message.timestamp, message.body));
  add("Expect:");  // no 100-continue round trip

  SetPost(c, endpoint.url, message.body, headers, "pathways-webhooks/1", endpoint.timeout,
          endpoint.ca_file);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, &Discard);
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, &OnHeader);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, &result.retry_after);

  const CURLcode code = curl_easy_perform(c);
  curl_slist_free_all(headers);
  if (code != CURLE_OK) {
    result.error = curl_easy_strerror(code);
    return result;
  }
  long status = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
  result.status = static_cast<int>(status);
  if (status >= 200 && status < 300) {
    result.outcome = DeliveryOutcome::kDelivered;
  } else if (status == 410) {
    result.outcome = DeliveryOutcome::kGone;
    result.error = "410 Gone: the receiver asks to stop";
  } else {
    result.error = "answered " + std::to_string(status);
  }
  return result;
}

}  // namespace pathways::notify

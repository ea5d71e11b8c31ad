#pragma once
// Delivers one signed webhook over HTTP(S) with libcurl (Debian's libcurl4-openssl-dev): the
// Standard Webhooks headers, certificate and host checks for https URLs, a timeout for the
// whole exchange, no redirects followed, and the answer mapped to what delivery does next.
//
// Not thread-safe: one sender per delivery thread. It keeps its connections open between
// sends (keep-alive), which is most of the speed of a steady stream of deliveries.

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pathways::notify {

struct WebhookEndpoint {
  std::string url;                // http:// or https://
  std::vector<std::string> keys;  // signing keys (ParseWebhookSecret); several while rotating
  std::chrono::milliseconds timeout{15'000};
  std::string ca_file;  // extra trust for https (tests, private CAs); empty: the system's
};

struct WebhookMessage {
  std::string id;              // webhook-id: stable across retries, the receiver's dedup key
  std::int64_t timestamp = 0;  // unix seconds of this attempt
  std::string body;            // JSON
};

enum class DeliveryOutcome {
  kDelivered,  // 2xx
  kRetry,      // anything else that may pass later: 5xx, 429, 3xx, timeouts, refused
  kGone,       // 410: the receiver asks us to stop; the endpoint is to be disabled
};

struct DeliveryResult {
  DeliveryOutcome outcome = DeliveryOutcome::kRetry;
  int status = 0;     // the HTTP status; 0 when there was no answer
  std::string error;  // why it was not delivered, in words (for the dead letter's last error)
  std::optional<std::chrono::seconds> retry_after;  // the receiver's Retry-After, if any
};

// The longest wait a receiver's Retry-After can ask for: past it, the schedule's own (at most
// a day between attempts) decides, and the arithmetic in milliseconds can never overflow.
inline constexpr std::chrono::seconds kMaxRetryAfter = std::chrono::hours(24);

// A Retry-After header value in delay-seconds (RFC 9110 §10.2.3), capped at kMaxRetryAfter;
// nullopt for anything else (an HTTP date is not honoured: the schedule applies).
std::optional<std::chrono::seconds> ParseRetryAfter(std::string_view value);

class CurlEasy;

class WebhookSender {
 public:
  WebhookSender();
  ~WebhookSender();
  WebhookSender(const WebhookSender&) = delete;
  WebhookSender& operator=(const WebhookSender&) = delete;

  DeliveryResult Send(const WebhookEndpoint& endpoint, const WebhookMessage& message);

 private:
  std::unique_ptr<CurlEasy> curl_;
};

}  // namespace pathways::notify

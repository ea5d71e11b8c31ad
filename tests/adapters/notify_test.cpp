// The building blocks of notification delivery: Standard Webhooks signatures (signing,
// checking, rotation), the delivery lifecycle and the retry schedule.

#include <doctest/doctest.h>

#include <cstring>

#include "adapters/notify/retry_policy.hpp"
#include "adapters/notify/webhook_signature.hpp"
#include "engine/runtime/lifecycles.hpp"

namespace pathways {
namespace {

// The reference vector published with the Standard Webhooks specification.
constexpr const char* kSpecSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
constexpr const char* kSpecId = "msg_p5jXN8AQM9LWM0D4loKWxJek";
constexpr std::int64_t kSpecTimestamp = 1614265330;
constexpr const char* kSpecBody = R"({"test": 2432232314})";
constexpr const char* kSpecSignature = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

TEST_CASE("webhook signatures match the Standard Webhooks reference vector") {
  auto key = notify::ParseWebhookSecret(kSpecSecret);
  REQUIRE(key.ok());
  CHECK(key->size() == 24);
  CHECK(notify::SignWebhook(*key, kSpecId, kSpecTimestamp, kSpecBody) == kSpecSignature);
  CHECK(notify::VerifyWebhook({*key}, kSpecId, "1614265330", kSpecSignature, kSpecBody,
                              kSpecTimestamp)
            .ok());
}

TEST_CASE("webhook secrets: the prefix, base64 and 24-64 bytes, and errors never echo them") {
  CHECK(notify::ParseWebhookSecret("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").status().code() ==
        StatusCode::kInvalidArgument);
  auto bad = notify::ParseWebhookSecret("whsec_not*base64!");
  CHECK(bad.status().code() == StatusCode::kInvalidArgument);
  CHECK(bad.status().message().find("not*base64") == std::string::npos);
  CHECK(notify::ParseWebhookSecret("whsec_c2hvcnQ=").status().message() ==
        "a webhook secret holds 24 to 64 bytes");
}

TEST_CASE("webhook verification: rotation, tampering, the time window, malformed headers") {
  const std::string old_key = *notify::ParseWebhookSecret(kSpecSecret);
  const std::string new_key(32, 'k');
  const std::string body = R"({"event":"MilestoneReached"})";
  const std::int64_t now = 1'800'000'000;
  // During a rotation both signatures go out; a receiver on either secret accepts.
  const std::string header = notify::SignatureHeader({new_key, old_key}, "msg-1", now, body);
  CHECK(header.find(' ') != std::string::npos);
  CHECK(notify::VerifyWebhook({old_key}, "msg-1", std::to_string(now), header, body, now).ok());
  CHECK(notify::VerifyWebhook({new_key}, "msg-1", std::to_string(now), header, body, now).ok());
  const Status stranger = notify::VerifyWebhook({std::string(32, 'x')}, "msg-1",
                                                std::to_string(now), header, body, now);
  CHECK(stranger.code() == StatusCode::kRejected);

  // Any change to what was signed is caught.
  CHECK(notify::VerifyWebhook({old_key}, "msg-1", std::to_string(now), header, body + " ", now)
            .code() == StatusCode::kRejected);
  CHECK(notify::VerifyWebhook({old_key}, "msg-2", std::to_string(now), header, body, now).code() ==
        StatusCode::kRejected);
  CHECK(notify::VerifyWebhook({old_key}, "msg-1", std::to_string(now + 1), header, body, now)
            .code() == StatusCode::kRejected);
  // Replays outside five minutes either way are refused, even when signed correctly.
  const std::string late = notify::SignatureHeader({old_key}, "msg-1", now - 301, body);
  CHECK(notify::VerifyWebhook({old_key}, "msg-1", std::to_string(now - 301), late, body, now)
            .message() == "webhook-timestamp is outside the accepted window");
  const std::string early = notify::SignatureHeader({old_key}, "msg-1", now + 301, body);
  CHECK(notify::VerifyWebhook({old_key}, "msg-1", std::to_string(now + 301), early, body, now)
            .code() == StatusCode::kRejected);

  CHECK(notify::VerifyWebhook({old_key}, "msg-1", "soon", header, body, now).code() ==
        StatusCode::kInvalidArgument);
  CHECK(
      notify::VerifyWebhook({old_key}, "msg-1", std::to_string(now), "v1a,abc", body, now).code() ==
      StatusCode::kInvalidArgument);
  CHECK(
      notify::VerifyWebhook({old_key}, "msg-1", std::to_string(now), "v1,###", body, now).code() ==
      StatusCode::kRejected);
  CHECK(notify::VerifyWebhook({old_key}, "", std::to_string(now), header, body, now).code() ==
        StatusCode::kInvalidArgument);
}

TEST_CASE("the delivery lifecycle: retries, the dead letter and its replay") {
  using runtime::DeliveryChange;
  using runtime::DeliveryStatus;
  using runtime::NextDeliveryStatus;
  CHECK(NextDeliveryStatus(DeliveryStatus::kPending, DeliveryChange::kSend) ==
        DeliveryStatus::kSending);
  CHECK(NextDeliveryStatus(DeliveryStatus::kSending, DeliveryChange::kSucceed) ==
        DeliveryStatus::kDelivered);
  CHECK(NextDeliveryStatus(DeliveryStatus::kSending, DeliveryChange::kFail) ==
        DeliveryStatus::kWaiting);
  CHECK(NextDeliveryStatus(DeliveryStatus::kWaiting, DeliveryChange::kSend) ==
        DeliveryStatus::kSending);
  CHECK(NextDeliveryStatus(DeliveryStatus::kSending, DeliveryChange::kGiveUp) ==
        DeliveryStatus::kDeadLetter);
  CHECK(NextDeliveryStatus(DeliveryStatus::kWaiting, DeliveryChange::kGiveUp) ==
        DeliveryStatus::kDeadLetter);
  CHECK(NextDeliveryStatus(DeliveryStatus::kDeadLetter, DeliveryChange::kReplay) ==
        DeliveryStatus::kPending);
  // What the table has no row for.
  CHECK_FALSE(NextDeliveryStatus(DeliveryStatus::kDelivered, DeliveryChange::kSend));
  CHECK_FALSE(NextDeliveryStatus(DeliveryStatus::kPending, DeliveryChange::kSucceed));
  CHECK_FALSE(NextDeliveryStatus(DeliveryStatus::kDelivered, DeliveryChange::kReplay));
  CHECK_FALSE(NextDeliveryStatus(DeliveryStatus::kWaiting, DeliveryChange::kSucceed));
  CHECK(runtime::DeliveryStatusName(DeliveryStatus::kWaiting) == "waiting to retry");
}

// Fills with one byte value, so the jitter is at either end of its range.
class FixedRandom final : public RandomSource {
 public:
  explicit FixedRandom(std::uint8_t b) : b_(b) {}
  Status Fill(std::span<std::uint8_t> out) override {
    std::memset(out.data(), b_, out.size());
    return Status::Ok();
  }

 private:
  std::uint8_t b_;
};

TEST_CASE("the retry schedule: Standard Webhooks' delays with jitter, then dead letters") {
  notify::RetryPolicy policy;
  CHECK(policy.max_attempts() == 10);
  FixedRandom low(0x00), high(0xff);
  CHECK(policy.NextDelay(1, low) == std::chrono::milliseconds(4000));  // 5 s - 20 %
  CHECK(policy.NextDelay(1, high) == std::chrono::milliseconds(6000));
  CHECK(policy.NextDelay(9, low) == std::chrono::milliseconds(69'120'000));  // 24 h - 20 %
  CHECK_FALSE(policy.NextDelay(10, low));  // the tenth attempt failed: dead letter
  CHECK_FALSE(policy.NextDelay(0, low));
  policy.jitter = 0;
  CHECK(policy.NextDelay(2, high) == std::chrono::minutes(5));
}

}  // namespace
}  // namespace pathways

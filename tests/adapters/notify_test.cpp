// The building blocks of notification delivery: Standard Webhooks signatures (signing,
// checking, rotation), the delivery lifecycle and the retry schedule.

#include <doctest/doctest.h>
#include <signal.h>
#include <sys/wait.h>

#include <atomic>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>

#include "adapters/http/server.hpp"
#include "adapters/notify/delivery_lifecycle.hpp"
#include "adapters/notify/email_sender.hpp"
#include "adapters/notify/retry_policy.hpp"
#include "adapters/notify/webhook_sender.hpp"
#include "adapters/notify/webhook_signature.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/smtp_receiver.hpp"
#include "tests/support/temp_store.hpp"
#include "tests/support/webhook_receiver.hpp"

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
  using notify::DeliveryChange;
  using notify::DeliveryStatus;
  using notify::NextDeliveryStatus;
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
  CHECK(notify::DeliveryStatusName(DeliveryStatus::kWaiting) == "waiting to retry");
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

using Receiver = testing::WebhookReceiver;

TEST_CASE("Retry-After: delay-seconds only, capped at a day, never an overflow") {
  using std::chrono::seconds;
  CHECK(notify::ParseRetryAfter("120") == seconds(120));
  CHECK(notify::ParseRetryAfter(" 7\r\n") == seconds(7));
  CHECK(notify::ParseRetryAfter("0") == seconds(0));
  CHECK(notify::ParseRetryAfter("86401") == notify::kMaxRetryAfter);
  CHECK(notify::ParseRetryAfter("9223372036854775807") == notify::kMaxRetryAfter);
  CHECK(notify::ParseRetryAfter(std::string(400, '9')) == notify::kMaxRetryAfter);
  for (const char* bad : {"", " ", "-1", "12abc", "1e3", "+5", "Wed, 21 Oct 2026 07:28:00 GMT"}) {
    CHECK_MESSAGE(!notify::ParseRetryAfter(bad).has_value(), bad);
  }
}

TEST_CASE("webhook sender: signed deliveries over one kept-alive connection, answers mapped") {
  const std::string key(32, 'k');
  Receiver receiver(key);
  notify::WebhookSender sender;
  notify::WebhookEndpoint endpoint{receiver.url(), {key}, std::chrono::milliseconds(2000), ""};
  const std::int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                               std::chrono::system_clock::now().time_since_epoch())
                               .count();
  auto send = [&](const std::string& id) {
    return sender.Send(endpoint, {id, now, R"({"type":"MilestoneReached"})"});
  };

  for (int i = 0; i < 3; ++i) {
    notify::DeliveryResult r = send("msg-" + std::to_string(i));
    CHECK(r.outcome == notify::DeliveryOutcome::kDelivered);
    CHECK(r.status == 204);
  }
  CHECK(receiver.verified() == 3);
  CHECK(receiver.ids() == std::vector<std::string>{"msg-0", "msg-1", "msg-2"});
  CHECK(receiver.stats().connections_total == 1);  // keep-alive

  receiver.Answer(500);
  notify::DeliveryResult failed = send("msg-3");
  CHECK(failed.outcome == notify::DeliveryOutcome::kRetry);
  CHECK(failed.status == 500);
  CHECK(failed.error == "answered 500");
  receiver.Answer(429);
  notify::DeliveryResult throttled = send("msg-3");
  CHECK(throttled.outcome == notify::DeliveryOutcome::kRetry);
  CHECK(throttled.retry_after == std::chrono::seconds(7));
  receiver.Answer(307);
  CHECK(send("msg-3").outcome == notify::DeliveryOutcome::kRetry);  // never followed
  receiver.Answer(410);
  notify::DeliveryResult gone = send("msg-3");
  CHECK(gone.outcome == notify::DeliveryOutcome::kGone);
  CHECK(receiver.verified() == receiver.received());

  // A receiver that does not answer: the sender gives up at its timeout.
  receiver.Answer(204, /*hang=*/true);
  endpoint.timeout = std::chrono::milliseconds(300);
  notify::DeliveryResult hung = send("msg-4");
  CHECK(hung.outcome == notify::DeliveryOutcome::kRetry);
  CHECK(hung.status == 0);
  CHECK(hung.error.find("imeout") != std::string::npos);  // given up at the timeout

  // Nobody listening: a retry, with the reason.
  endpoint.url = "http://127.0.0.1:1/hook";
  notify::DeliveryResult refused = send("msg-5");
  CHECK(refused.outcome == notify::DeliveryOutcome::kRetry);
  CHECK_FALSE(refused.error.empty());
  // Only http and https.
  endpoint.url = "file:///etc/passwd";
  CHECK(send("msg-6").outcome == notify::DeliveryOutcome::kRetry);
}

}  // namespace
}  // namespace pathways

namespace pathways {
namespace {

using testing::SmtpReceiver;

TEST_CASE("email over SMTP with STARTTLS: a plain-text and an HTML part in UTF-8, stable id") {
  testing::TempDir tmp;
  SmtpReceiver smtp(tmp / "maildir");
  REQUIRE_MESSAGE(smtp.ready(), "python3-aiosmtpd did not start");
  notify::SmtpServer server;
  server.url = "smtp://127.0.0.1:" + std::to_string(smtp.port());
  server.from = "pathways@skole.example";
  server.ca_file = std::string(PATHWAYS_SOURCE_DIR) + "/tests/data/tls/server.crt";
  server.timeout = std::chrono::milliseconds(10'000);
  notify::EmailMessage m;
  m.to = "vejleder@skole.example";
  m.subject = "Ny opgave: første kontakt til deltager";
  m.text = "Hej Anne,\nder er en ny opgave i din indbakke. Frist: fredag.\n";
  m.html = "<p>Hej Anne,</p><p>der er en ny opgave i din <b>indbakke</b>.</p>";
  m.message_id = "ntf-42@pathways";
  notify::EmailSender sender;
  notify::EmailResult sent = sender.Send(server, m);
  REQUIRE_MESSAGE(sent.sent, sent.error);

  std::vector<std::string> got;
  for (int i = 0; i < 100 && got.empty(); ++i) {
    got = smtp.Messages();
    if (got.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  REQUIRE(got.size() == 1);
  const std::string& raw = got[0];
  CHECK(raw.find("Message-ID: <ntf-42@pathways>") != std::string::npos);
  CHECK(raw.find("To: <vejleder@skole.example>") != std::string::npos);
  CHECK(raw.find("Subject: =?UTF-8?B?") != std::string::npos);  // the ø, encoded
  CHECK(raw.find("multipart/alternative") != std::string::npos);
  CHECK(raw.find("text/html; charset=UTF-8") != std::string::npos);
  // The parts are base64; the composed message is what arrived.
  const std::string composed = notify::ComposeEmail(server, m, "x");
  const std::string body = composed.substr(composed.find("\r\n\r\n") + 4);
  std::string first_line = body.substr(0, body.find("\r\n"));
  CHECK(raw.find(first_line.substr(0, 20)) != std::string::npos);

  // Nobody listening: not sent, and worth retrying.
  server.url = "smtp://127.0.0.1:1";
  notify::EmailResult refused = sender.Send(server, m);
  CHECK_FALSE(refused.sent);
  CHECK_FALSE(refused.permanent);
  CHECK_FALSE(refused.error.empty());
}

TEST_CASE("an address cannot smuggle headers into an email") {
  notify::SmtpServer server;
  server.from = "a@b.example";
  notify::EmailMessage m;
  m.to = "x@y.example\r\nBcc: everyone@example.org";
  m.subject = "Hi\r\nBcc: everyone@example.org";
  m.text = "t";
  m.message_id = "id-1";
  const std::string composed = notify::ComposeEmail(server, m, "Fri, 27 Nov 2026 12:00:00 +0000");
  CHECK(composed.find("\r\nBcc:") == std::string::npos);
  CHECK(composed.find("Subject: =?UTF-8?B?") != std::string::npos);
}

}  // namespace
}  // namespace pathways

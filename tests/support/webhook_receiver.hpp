#pragma once
// Test support: a partner's webhook receiver on 127.0.0.1. It verifies every signature with
// its key, keeps what arrives (ids, bodies, how often each id came), and answers as told: a
// status (with Retry-After for 429), or nothing until the test ends (`hang`).

#include <doctest/doctest.h>

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "adapters/http/server.hpp"
#include "adapters/notify/webhook_signature.hpp"

namespace pathways::testing {

class WebhookReceiver {
 public:
  explicit WebhookReceiver(std::string key) : key_(std::move(key)) {
    http::ServerOptions o;
    o.host = "127.0.0.1";
    o.port = 0;
    o.threads = 2;
    server_ = std::make_unique<http::Server>(o, [this](http::Request r, http::Responder done) {
      std::unique_lock lock(mu_);
      ++received_;
      const std::string& ts = r.Header("webhook-timestamp");
      const Status verified =
          notify::VerifyWebhook({key_}, r.Header("webhook-id"), ts, r.Header("webhook-signature"),
                                r.body, ts.empty() ? 0 : std::stoll(ts));
      if (verified.ok()) ++verified_;
      ids_.push_back(r.Header("webhook-id"));
      if (hang_) {
        held_.push_back(std::move(done));  // answered when the test ends
        return;
      }
      http::Response answer;
      answer.status = status_;
      if (status_ == 429) answer.With("Retry-After", "7");
      if (status_ / 100 == 3) answer.With("Location", "http://127.0.0.1:1/elsewhere");
      if (status_ / 100 == 2) {
        ++accepted_[r.Header("webhook-id")];
        bodies_[r.Header("webhook-id")] = r.body;
      }
      lock.unlock();
      done(answer);
    });
    REQUIRE(server_->Start().ok());
  }
  ~WebhookReceiver() {
    Release();
    server_->Stop();
    server_->Wait(2000);
  }
  WebhookReceiver(const WebhookReceiver&) = delete;
  WebhookReceiver& operator=(const WebhookReceiver&) = delete;

  void Answer(int status, bool hang = false) {
    std::lock_guard lock(mu_);
    status_ = status;
    hang_ = hang;
  }
  // Answers the held requests with an error (their sender sees a failure) and stops holding.
  void Release() {
    std::vector<http::Responder> held;
    {
      std::lock_guard lock(mu_);
      held.swap(held_);
      hang_ = false;
    }
    http::Response failed;
    failed.status = 503;
    for (auto& done : held) done(failed);
  }
  std::string url(const std::string& path = "/hook") const {
    return "http://127.0.0.1:" + std::to_string(server_->port()) + path;
  }
  int received() {
    std::lock_guard lock(mu_);
    return received_;
  }
  int verified() {
    std::lock_guard lock(mu_);
    return verified_;
  }
  int held() {
    std::lock_guard lock(mu_);
    return static_cast<int>(held_.size());
  }
  std::vector<std::string> ids() {
    std::lock_guard lock(mu_);
    return ids_;
  }
  // webhook-id -> how many times it was answered 2xx.
  std::map<std::string, int> accepted() {
    std::lock_guard lock(mu_);
    return accepted_;
  }
  // webhook-id -> the body last accepted under it.
  std::map<std::string, std::string> bodies() {
    std::lock_guard lock(mu_);
    return bodies_;
  }
  http::ServerStats stats() const { return server_->Stats(); }

 private:
  std::string key_;
  std::mutex mu_;
  int status_ = 204;                           // guarded by mu_
  bool hang_ = false;                          // guarded by mu_
  int received_ = 0;                           // guarded by mu_
  int verified_ = 0;                           // guarded by mu_
  std::vector<std::string> ids_;               // guarded by mu_
  std::map<std::string, int> accepted_;        // guarded by mu_
  std::map<std::string, std::string> bodies_;  // guarded by mu_
  std::vector<http::Responder> held_;          // guarded by mu_
  std::unique_ptr<http::Server> server_;
};

}  // namespace pathways::testing

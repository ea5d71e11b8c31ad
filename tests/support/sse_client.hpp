#pragma once
// Test support: a Server-Sent Events client over a real socket to 127.0.0.1. It sends one GET,
// reads the response head, then decodes the chunked body into events as they arrive.

#include <chrono>
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/support/http_client.hpp"

namespace pathways::testing {

struct SseEvent {
  std::uint64_t id = 0;
  std::string type;
  nlohmann::json data;
};

class SseClient {
 public:
  SseClient(std::uint16_t port, const std::string& target,
            const std::map<std::string, std::string>& headers) {
    fd_ = ConnectLocal(port, 100);
    if (fd_ < 0) return;
    std::string req = "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n";
    for (const auto& [k, v] : headers) req += k + ": " + v + "\r\n";
    SendAll(fd_, req + "\r\n");
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (raw_.find("\r\n\r\n") == std::string::npos && Pump(deadline)) {
    }
    const std::size_t head_end = raw_.find("\r\n\r\n");
    if (head_end == std::string::npos) return;
    head_ = ParseReply(raw_.substr(0, head_end + 4));
    body_at_ = head_end + 4;
    if (head_.headers["transfer-encoding"] != "chunked") {  // a problem answer, not a stream
      while (Pump(deadline)) {
      }
      head_.body = raw_.substr(body_at_);
    }
  }
  ~SseClient() {
    if (fd_ >= 0) ::close(fd_);
  }
  SseClient(const SseClient&) = delete;
  SseClient& operator=(const SseClient&) = delete;

  const HttpReply& head() const { return head_; }

  // Reads until `n` events have arrived in all, the stream ends, or `timeout_ms` pass.
  const std::vector<SseEvent>& WaitFor(std::size_t n, int timeout_ms = 5000) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    Decode();
    while (events_.size() < n && !ended_ && Pump(deadline)) Decode();
    return events_;
  }
  // Reads for `ms` and returns everything decoded (to show that nothing else came).
  const std::vector<SseEvent>& Drain(int ms) { return WaitFor(SIZE_MAX, ms); }
  // The decoded body so far, comments included.
  const std::string& text() const { return text_; }
  bool ended() const { return ended_; }

 private:
  // One recv; false once the deadline passed or the peer closed.
  bool Pump(std::chrono::steady_clock::time_point deadline) {
    if (fd_ < 0 || std::chrono::steady_clock::now() >= deadline) return false;
    char buf[16384];
    const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    if (n == 0) {
      ended_ = true;
      return false;
    }
    if (n > 0) raw_.append(buf, static_cast<std::size_t>(n));
    return true;  // a timeout (n < 0) just loops until the deadline
  }

  void Decode() {
    if (body_at_ == 0) return;
    // Chunks: <hex size>\r\n<data>\r\n ... 0\r\n\r\n
    for (;;) {
      const std::size_t eol = raw_.find("\r\n", body_at_);
      if (eol == std::string::npos) break;
      const std::size_t size = std::stoul(raw_.substr(body_at_, eol - body_at_), nullptr, 16);
      if (size == 0) {
        ended_ = true;
        break;
      }
      if (raw_.size() < eol + 2 + size + 2) break;
      text_ += raw_.substr(eol + 2, size);
      body_at_ = eol + 2 + size + 2;
    }
    // Events: blocks ending in a blank line.
    for (;;) {
      const std::size_t end = text_.find("\n\n", parsed_);
      if (end == std::string::npos) break;
      const std::string block = text_.substr(parsed_, end - parsed_);
      parsed_ = end + 2;
      SseEvent e;
      bool any = false;
      std::size_t line = 0;
      while (line < block.size()) {
        std::size_t nl = block.find('\n', line);
        if (nl == std::string::npos) nl = block.size();
        const std::string l = block.substr(line, nl - line);
        line = nl + 1;
        if (l.rfind("id: ", 0) == 0) e.id = std::stoull(l.substr(4)), any = true;
        if (l.rfind("event: ", 0) == 0) e.type = l.substr(7);
        if (l.rfind("data: ", 0) == 0) e.data = nlohmann::json::parse(l.substr(6), nullptr, false);
      }
      if (any) events_.push_back(std::move(e));
    }
  }

  int fd_ = -1;
  std::string raw_;
  std::size_t body_at_ = 0;  // where the undecoded chunked body starts in raw_
  std::string text_;         // the decoded body
  std::size_t parsed_ = 0;   // events parsed up to here in text_
  std::vector<SseEvent> events_;
  HttpReply head_;
  bool ended_ = false;
};

}  // namespace pathways::testing

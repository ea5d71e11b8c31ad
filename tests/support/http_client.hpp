#pragma once
// Test support: a minimal blocking HTTP/1.1 client over a real socket to 127.0.0.1. One
// request per connection (Connection: close); the response is read to the end.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

namespace pathways::testing {

struct HttpReply {
  int status = 0;                              // 0: no answer (connection refused or closed)
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;
  nlohmann::json Json() const { return nlohmann::json::parse(body, nullptr, false); }
};

// A connected socket to 127.0.0.1:port, or -1. Reads time out after `timeout_ms`.
inline int ConnectLocal(std::uint16_t port, int timeout_ms = 10'000) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  timeval tv{timeout_ms / 1000, (timeout_ms % 1000) * 1000};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

inline bool SendAll(int fd, const std::string& data) {
  std::size_t sent = 0;
  while (sent < data.size()) {
    const ssize_t n = ::send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return false;
    sent += static_cast<std::size_t>(n);
  }
  return true;
}

// Everything the peer sends until it closes (or the read times out).
inline std::string ReadAll(int fd) {
  std::string out;
  char buf[16384];
  for (;;) {
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    out.append(buf, static_cast<std::size_t>(n));
  }
  return out;
}

inline HttpReply ParseReply(const std::string& raw) {
  HttpReply r;
  const std::size_t head_end = raw.find("\r\n\r\n");
  if (raw.rfind("HTTP/1.1 ", 0) != 0 || head_end == std::string::npos) return r;
  r.status = std::stoi(raw.substr(9, 3));
  std::size_t line = raw.find("\r\n") + 2;
  while (line < head_end) {
    const std::size_t end = raw.find("\r\n", line);
    const std::string h = raw.substr(line, end - line);
    const std::size_t colon = h.find(':');
    if (colon != std::string::npos) {
      std::string name = h.substr(0, colon);
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      std::size_t v = colon + 1;
      while (v < h.size() && h[v] == ' ') ++v;
      r.headers[name] = h.substr(v);
    }
    line = end + 2;
  }
  r.body = raw.substr(head_end + 4);
  if (r.headers["transfer-encoding"] == "chunked") {
    std::string decoded;
    std::size_t pos = 0;
    while (pos < r.body.size()) {
      const std::size_t eol = r.body.find("\r\n", pos);
      if (eol == std::string::npos) break;
      const std::size_t size = std::stoul(r.body.substr(pos, eol - pos), nullptr, 16);
      if (size == 0) break;
      decoded += r.body.substr(eol + 2, size);
      pos = eol + 2 + size + 2;
    }
    r.body = decoded;
  }
  return r;
}

inline HttpReply Request(std::uint16_t port, const std::string& method, const std::string& target,
                         const std::string& body = "",
                         const std::map<std::string, std::string>& headers = {}) {
  const int fd = ConnectLocal(port);
  if (fd < 0) return {};
  std::string req = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n";
  for (const auto& [k, v] : headers) req += k + ": " + v + "\r\n";
  if (!body.empty() || method == "POST") {
    req +=
        "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
  }
  req += "\r\n" + body;
  HttpReply reply;
  if (SendAll(fd, req)) reply = ParseReply(ReadAll(fd));
  ::close(fd);
  return reply;
}

}  // namespace pathways::testing

#pragma once
// Test support: a real SMTP server on 127.0.0.1 (Debian's python3-aiosmtpd), started as a child
// process, STARTTLS with the test certificate, storing what it receives in a Maildir.
// REQUIRES: the test target defines PATHWAYS_SOURCE_DIR.

#include <arpa/inet.h>
#include <doctest/doctest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/http_client.hpp"

namespace pathways::testing {

// A real SMTP server on 127.0.0.1 (Debian's python3-aiosmtpd) that stores what it receives in
// a Maildir; STARTTLS with the test certificate. Stopped with the test.
class SmtpReceiver {
 public:
  explicit SmtpReceiver(const std::string& maildir) : maildir_(maildir) {
    port_ = FreePort();
    const std::string tls = std::string(PATHWAYS_SOURCE_DIR) + "/tests/data/tls/";
    pid_ = ::fork();
    if (pid_ == 0) {
      const std::string listen = "127.0.0.1:" + std::to_string(port_);
      const std::string cert = tls + "server.crt";
      const std::string key = tls + "server.key";
      ::execl("/usr/bin/python3", "python3", "-m", "aiosmtpd", "-n", "-l", listen.c_str(),
              "--tlscert", cert.c_str(), "--tlskey", key.c_str(), "-c", "aiosmtpd.handlers.Mailbox",
              maildir.c_str(), static_cast<char*>(nullptr));
      ::_exit(127);
    }
    // Ready once it accepts a connection (at most 10 s).
    for (int i = 0; i < 200 && !ready_; ++i) {
      const int fd = ConnectLocal(port_, 200);
      if (fd >= 0) {
        ready_ = true;
        ::close(fd);
      } else {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
    }
  }
  ~SmtpReceiver() {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      int status = 0;
      ::waitpid(pid_, &status, 0);
    }
  }
  bool ready() const { return ready_; }
  std::uint16_t port() const { return port_; }
  // The messages stored so far, raw.
  std::vector<std::string> Messages() const {
    std::vector<std::string> out;
    std::error_code ec;
    for (const auto& f : std::filesystem::directory_iterator(maildir_ + "/new", ec)) {
      std::ifstream in(f.path(), std::ios::binary);
      out.emplace_back(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
    return out;
  }

 private:
  static std::uint16_t FreePort() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    socklen_t len = sizeof addr;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    ::close(fd);
    return ntohs(addr.sin_port);
  }
  std::string maildir_;
  std::uint16_t port_ = 0;
  pid_t pid_ = -1;
  bool ready_ = false;
};

}  // namespace pathways::testing

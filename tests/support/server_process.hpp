#pragma once
// Test support: `pathways serve` as a real child process on 127.0.0.1 with a free port. The
// port is read from the line the server prints when it listens.

#include <doctest/doctest.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

namespace pathways::testing {

class ServerProcess {
 public:
  // Starts `binary serve ARGS --listen 127.0.0.1:0`; waits (at most 20 s) until it listens.
  ServerProcess(const std::string& binary, std::vector<std::string> args) {
    int out[2];
    REQUIRE(::pipe(out) == 0);
    pid_ = ::fork();
    REQUIRE(pid_ >= 0);
    if (pid_ == 0) {
      ::dup2(out[1], STDOUT_FILENO);
      ::close(out[0]);
      ::close(out[1]);
      std::vector<std::string> all = {binary, "serve"};
      all.insert(all.end(), args.begin(), args.end());
      all.push_back("--listen");
      all.push_back("127.0.0.1:0");
      std::vector<char*> argv;
      for (std::string& a : all) argv.push_back(a.data());
      argv.push_back(nullptr);
      ::execv(binary.c_str(), argv.data());
      std::_Exit(127);
    }
    ::close(out[1]);
    out_ = out[0];
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (port_ == 0 && std::chrono::steady_clock::now() < deadline) {
      pollfd p{out_, POLLIN, 0};
      if (::poll(&p, 1, 200) <= 0) continue;
      char buf[1024];
      const ssize_t n = ::read(out_, buf, sizeof buf);
      if (n <= 0) break;
      output_.append(buf, static_cast<std::size_t>(n));
      const std::size_t at = output_.find("listening on http://127.0.0.1:");
      if (at != std::string::npos) {
        const std::size_t digits = at + std::string("listening on http://127.0.0.1:").size();
        port_ = static_cast<std::uint16_t>(std::stoi(output_.substr(digits)));
      }
    }
    const std::string why = "the server did not start: " + output_;
    REQUIRE_MESSAGE(port_ != 0, why);
    // Keep draining what it prints (a line per request): a full pipe would stall the server.
    drain_ = std::thread([fd = out_] {
      char buf[4096];
      while (::read(fd, buf, sizeof buf) > 0) {
      }
    });
  }
  ~ServerProcess() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
    if (drain_.joinable()) drain_.join();  // the pipe ends with the process
    if (out_ >= 0) ::close(out_);
  }
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  std::uint16_t port() const { return port_; }
  void Signal(int sig) { REQUIRE(::kill(pid_, sig) == 0); }
  // Waits for the process to end (at most `seconds`); returns its exit code, or -signal.
  int Wait(int seconds = 20) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
    int status = 0;
    while (std::chrono::steady_clock::now() < deadline) {
      const pid_t r = ::waitpid(pid_, &status, WNOHANG);
      if (r == pid_) {
        pid_ = -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
      }
      ::usleep(20'000);
    }
    return 1000;  // still running
  }

 private:
  pid_t pid_ = -1;
  int out_ = -1;
  std::uint16_t port_ = 0;
  std::string output_;
  std::thread drain_;
};

// A bearer token for `user`, issued by `binary token --config CONFIG issue USER`.
inline std::string IssueToken(const std::string& binary, const std::string& config,
                              const std::string& user) {
  std::string out;
  const std::string cmd = binary + " token --config " + config + " issue " + user;
  std::FILE* p = ::popen(cmd.c_str(), "r");
  REQUIRE(p != nullptr);
  char buf[512];
  for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, p)) > 0;) out.append(buf, n);
  ::pclose(p);
  REQUIRE(out.rfind("pw_", 0) == 0);
  out.pop_back();
  return out;
}

}  // namespace pathways::testing

#pragma once
// The HTTP/1.1 server (Boost.Beast; the only file that includes it): keep-alive connections,
// limits on header and body size, read and write timeouts so a slow client cannot hold a
// connection, a cap on connections, TLS when a certificate is configured, and a graceful stop
// that finishes what is in flight.
//
// Thread-safe: Start, Stop and Wait may be called from any thread.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "adapters/http/http_message.hpp"
#include "engine/result.hpp"

namespace pathways::http {

struct ServerOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8080;  // 0: any free port (tests)
  int threads = 2;
  std::size_t max_header_bytes = 16 * 1024;
  std::size_t max_body_bytes = 1024 * 1024;
  int read_timeout_ms = 10'000;   // for a whole request, headers and body
  int write_timeout_ms = 10'000;  // for a whole response (a stream: for each chunk)
  int idle_timeout_ms = 60'000;   // a keep-alive connection with no request
  std::size_t max_connections = 1024;
  // TLS: both files set, or neither (plain HTTP).
  std::string certificate_file;
  std::string private_key_file;
};

struct ServerStats {
  std::uint64_t connections_open = 0;
  std::uint64_t connections_total = 0;
  std::uint64_t connections_refused = 0;  // over the cap
  std::uint64_t requests = 0;
};

// One line per request, for the access log: no bodies, no tokens.
struct RequestLog {
  std::string method;
  std::string path;
  int status = 0;
  double ms = 0;
  std::string remote;
};

class Server {
 public:
  // `handler` answers every request; `log` (optional) hears of each answered one.
  Server(ServerOptions options, Handler handler, std::function<void(const RequestLog&)> log = {});
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and starts the threads. Errors: InvalidArgument (bad host), IOError (cannot bind),
  // FailedPrecondition (TLS files unreadable or not a key pair).
  Status Start();
  // The port bound (useful with port 0).
  std::uint16_t port() const;
  bool tls() const;
  // Stops accepting; open connections finish their current request (streams end) and close.
  // Returns at once; Wait() blocks until every connection has closed or `grace_ms` passed.
  void Stop();
  void Wait(int grace_ms = 10'000);

  ServerStats Stats() const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

// Whether the certificate chain and private key files can serve TLS together (both empty:
// no TLS, fine). FailedPrecondition naming the files otherwise. What Start() checks, for a
// check before anything is created.
Status CheckTls(const std::string& certificate_file, const std::string& private_key_file);

}  // namespace pathways::http

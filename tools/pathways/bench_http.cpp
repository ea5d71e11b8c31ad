// pathways bench http: the server end to end over loopback. Starts a server in this process
// on a fresh store, seeds pathways, and drives it from one epoll thread with N keep-alive
// connections: first reads of a pathway, then writes of contacts. The write rate is compared
// with the foundation benchmark's durable appends at the same concurrency, measured in the
// same run on the same disk.

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "adapters/api/api.hpp"
#include "adapters/http/server.hpp"
#include "tools/pathways/bench_support.hpp"
#include "tools/pathways/cli_common.hpp"

namespace pathways::cli {
namespace {

namespace fs = std::filesystem;

struct HttpArgs {
  std::string dir;
  std::string workflow = "config/workflows";
  int connections = 64;
  double seconds = 5;
  int pathways = 256;
};

// One phase of load: `connections` keep-alive connections, each sending the request
// `make(connection, n)` builds, waiting for the whole answer, and sending the next, until
// `seconds` have passed. Returns latencies and the non-2xx (or broken) answers as errors.
template <typename Make>
RunFigures Drive(std::uint16_t port, int connections, double seconds, Make make) {
  struct Conn {
    int fd = -1;
    std::string out;
    std::size_t sent = 0;
    std::string in;
    std::uint64_t n = 0;
    SteadyClock::time_point started;
  };
  RunFigures f;
  const int ep = ::epoll_create1(EPOLL_CLOEXEC);
  std::vector<Conn> conns(static_cast<std::size_t>(connections));
  auto send_next = [&](std::size_t i) {
    Conn& c = conns[i];
    c.out = make(i, c.n++);
    c.sent = 0;
    c.in.clear();
    c.started = SteadyClock::now();
    const ssize_t n = ::send(c.fd, c.out.data(), c.out.size(), MSG_NOSIGNAL);
    if (n > 0) c.sent = static_cast<std::size_t>(n);
  };
  for (std::size_t i = 0; i < conns.size(); ++i) {
    Conn& c = conns[i];
    c.fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(c.fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      ++f.errors;
      continue;
    }
    int one = 1;
    ::setsockopt(c.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    ::fcntl(c.fd, F_SETFL, O_NONBLOCK);
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = i;
    ::epoll_ctl(ep, EPOLL_CTL_ADD, c.fd, &ev);
    send_next(i);
  }
  const auto start = SteadyClock::now();
  const auto end = start + std::chrono::duration_cast<SteadyClock::duration>(
                               std::chrono::duration<double>(seconds));
  std::vector<epoll_event> events(static_cast<std::size_t>(connections));
  std::size_t open = conns.size();
  char buf[65536];
  while (open > 0) {
    const int n = ::epoll_wait(ep, events.data(), connections, 100);
    const bool over = SteadyClock::now() >= end;
    for (int k = 0; k < n; ++k) {
      const std::size_t i = events[static_cast<std::size_t>(k)].data.u64;
      Conn& c = conns[i];
      const ssize_t got = ::recv(c.fd, buf, sizeof buf, 0);
      if (got <= 0) {
        ++f.errors;
        ::close(c.fd);
        c.fd = -1;
        --open;
        continue;
      }
      c.in.append(buf, static_cast<std::size_t>(got));
      const std::size_t head = c.in.find("\r\n\r\n");
      if (head == std::string::npos) continue;
      const std::size_t cl = c.in.find("Content-Length: ");
      if (cl == std::string::npos || cl > head) continue;
      const std::size_t length = std::stoul(c.in.substr(cl + 16));
      if (c.in.size() < head + 4 + length) continue;
      f.latencies_ms.push_back(Seconds(c.started, SteadyClock::now()) * 1000.0);
      if (c.in.compare(9, 1, "2") != 0) ++f.errors;
      if (over) {
        ::close(c.fd);
        c.fd = -1;
        --open;
      } else {
        send_next(i);
      }
    }
    if (over && n == 0) break;  // answers that never came count as errors below
  }
  for (Conn& c : conns) {
    if (c.fd >= 0) {
      ++f.errors;
      ::close(c.fd);
    }
  }
  ::close(ep);
  f.seconds = Seconds(start, SteadyClock::now());
  return f;
}

nlohmann::json Figures(const char* what, RunFigures& f) {
  const double n = static_cast<double>(f.latencies_ms.size());
  return {{what + std::string("_per_s"), Round(n / f.seconds, 0)},
          {what + std::string("_p50_ms"), Round(Percentile(f.latencies_ms, 0.50))},
          {what + std::string("_p99_ms"), Round(Percentile(f.latencies_ms, 0.99))},
          {what + std::string("_errors"), f.errors},
          {what + std::string("_total"), f.latencies_ms.size()}};
}

}  // namespace

void AddBenchHttp(Command bench) {
  Command cmd = bench.Sub("http", "the HTTP server: reads and writes over loopback");
  auto a = std::make_shared<HttpArgs>();
  cmd.Add("--dir", a->dir, "scratch directory (bench-http inside)").Required();
  cmd.Add("--connections", a->connections, "keep-alive connections (default 64)").Range(1, 4096);
  cmd.Add("--seconds", a->seconds, "per phase (default 5)").Range(0.5, 600.0);
  cmd.Add("--pathways", a->pathways, "pathways read and written (default 256)").Range(1, 1'000'000);
  cmd.Add("--workflow", a->workflow, "definition files or directories");
  cmd.OnRun([a] {
    auto catalog = LoadCatalog({a->workflow});
    if (catalog == nullptr) return;
    const fs::path root = fs::path(a->dir) / "bench-http";
    ManualClock clock(1772442000000);
    auto store = OpenScratchStore(root, clock, catalog);
    if (!store.ok()) {
      ExitCode() = Fail("bench http", store.status());
      return;
    }
    api::TokenStore tokens((root / "tokens.json").string());
    auto token = tokens.Issue("bench", clock.NowMs());
    if (!token.ok() || !tokens.Reload().ok()) {
      ExitCode() = Fail("bench http", token.status());
      return;
    }
    for (int p = 0; p < a->pathways; ++p) {
      if (Status st = SeedBenchPathway(**store, p, 2); !st.ok()) {  // a lead and its contact
        ExitCode() = Fail("bench http", st);
        return;
      }
    }
    api::ApiOptions ao;
    ao.store = store->get();
    ao.catalog = catalog;
    ao.clock = &clock;
    ao.tokens = &tokens;
    ao.users = {{"bench", {"bench", "Bench", config::Role::kCounsellor, "bench", "", "", ""}}};
    ao.max_queue = 1'000'000;
    api::Api api(std::move(ao));
    http::ServerOptions so;
    so.port = 0;
    so.max_connections = static_cast<std::size_t>(a->connections) + 16;
    http::Server server(so, [&api](http::Request r, http::Responder done) {
      api.Handle(std::move(r), std::move(done));
    });
    if (Status st = server.Start(); !st.ok()) {
      ExitCode() = Fail("bench http", st);
      return;
    }
    const std::string auth = "Authorization: Bearer " + *token + "\r\n";
    const auto n_pathways = static_cast<std::uint64_t>(a->pathways);

    RunFigures reads =
        Drive(server.port(), a->connections, a->seconds, [&](std::size_t c, std::uint64_t n) {
          return "GET /v1/pathways/b-" + std::to_string((c * 7919 + n) % n_pathways) +
                 " HTTP/1.1\r\nHost: b\r\n" + auth + "\r\n";
        });
    const std::string body = R"({"channel":"phone"})";
    RunFigures writes =
        Drive(server.port(), a->connections, a->seconds, [&](std::size_t c, std::uint64_t) {
          return "POST /v1/pathways/b-" + std::to_string(c % n_pathways) +
                 "/contacts HTTP/1.1\r\nHost: b\r\n" + auth +
                 "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
        });
    server.Stop();
    server.Wait(5000);

    // The foundation benchmark's figure at the same concurrency: durable appends of one
    // event each, from as many writers, on the same disk, now.
    const std::uint64_t appends = static_cast<std::uint64_t>(
        std::max(2000.0, static_cast<double>(writes.latencies_ms.size())));
    const RunFigures foundation =
        RunWriters(appends, a->connections, [&](std::uint64_t w, std::uint64_t i) {
          AppendRequest r;
          r.stream_id = "append-" + std::to_string(w);
          r.participant_id = "ap-" + std::to_string(w);
          r.command_id = "append-" + std::to_string(w) + "-" + std::to_string(i);
          r.actor = {"bench", "counsellor"};
          r.events.push_back({"ContactRecorded", 1, {{"channel", "phone"}}, {}});
          return (*store)->Append(std::move(r)).ok();
        });
    const double write_rate = static_cast<double>(writes.latencies_ms.size()) / writes.seconds;
    const double foundation_rate =
        static_cast<double>(foundation.latencies_ms.size()) / foundation.seconds;
    nlohmann::json out = {
        {"bench", "http"}, {"connections", a->connections}, {"seconds", a->seconds}};
    out.update(Figures("reads", reads));
    out.update(Figures("writes", writes));
    out["foundation_appends_per_s"] = Round(foundation_rate, 0);
    out["writes_ratio"] = Round(write_rate / foundation_rate);
    out["peak_rss_mb"] = Round(PeakRssMb(), 1);
    std::printf("%s\n", out.dump().c_str());
    ExitCode() = reads.errors == 0 && writes.errors == 0 ? kExitOk : kExitError;
  });
}

}  // namespace pathways::cli

// The Beast server. One Session per connection, templated on the stream (plain TCP or TLS);
// every asynchronous step runs on the connection's strand, so a Session needs no locks.
// Handlers answer through a Responder that may be called from any thread (the writer
// answers commands from its own): it posts the response back onto the strand.

#include "adapters/http/server.hpp"

#include <atomic>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

namespace pathways::http {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
using tcp = net::ip::tcp;

namespace {

std::string ProblemBody(int status, std::string_view type, std::string_view detail) {
  // Written by hand: this file stays free of the JSON library; the texts are fixed ASCII.
  std::string body = "{\"type\":\"https://pathways.example/problems/";
  body += type;
  body += "\",\"title\":\"";
  body += ReasonPhrase(status);
  body += "\",\"status\":";
  body += std::to_string(status);
  body += ",\"detail\":\"";
  body += detail;
  body += "\"}";
  return body;
}

Response Problem(int status, std::string_view type, std::string_view detail) {
  Response r;
  r.status = status;
  r.content_type = "application/problem+json";
  r.body = ProblemBody(status, type, detail);
  return r;
}

}  // namespace

// ---- shared state -------------------------------------------------------------------------

class SessionBase {
 public:
  virtual ~SessionBase() = default;
  // Called on Stop(), from any thread: close when idle, stop streams, no more keep-alive.
  virtual void Shutdown() = 0;
};

// Whether the server's io_context still takes work: a Responder may be called by the store's
// writer after the server is gone, and must then drop its answer rather than post it.
struct Lifeline {
  std::mutex mu;
  bool alive = true;  // guarded by mu
};

struct Server::Impl {
  ServerOptions options;
  Handler handler;
  std::function<void(const RequestLog&)> log;
  std::shared_ptr<Lifeline> lifeline = std::make_shared<Lifeline>();
  std::unique_ptr<net::io_context> io = std::make_unique<net::io_context>();
  // Keeps the threads running while no operation is pending: a stream waiting for its next
  // chunk has none, and once the acceptor closes nothing else may be left to wait for.
  std::optional<net::executor_work_guard<net::io_context::executor_type>> work;
  std::optional<ssl::context> tls;
  std::optional<tcp::acceptor> acceptor;
  std::vector<std::thread> threads;
  std::atomic<bool> stopping{false};

  std::mutex mu;
  std::condition_variable closed_cv;
  // Open sessions, to shut them down on Stop(). Keyed by address: Closed() runs in a
  // session's destructor and must not lock a weak_ptr (it could end up the last owner and
  // destroy another session under `mu`).
  std::map<SessionBase*, std::weak_ptr<SessionBase>> sessions;

  std::atomic<std::uint64_t> open{0};
  std::atomic<std::uint64_t> total{0};
  std::atomic<std::uint64_t> refused{0};
  std::atomic<std::uint64_t> requests{0};

  ~Impl() {
    {
      std::lock_guard lock(lifeline->mu);
      lifeline->alive = false;
    }
    acceptor.reset();
    io.reset();  // destroys pending handlers and with them the sessions, which call Closed()
  }

  void Accept();
  void Register(const std::shared_ptr<SessionBase>& s) {
    std::lock_guard lock(mu);
    sessions.emplace(s.get(), s);
  }
  void Closed(SessionBase* s) {
    {
      std::lock_guard lock(mu);
      sessions.erase(s);
    }
    open.fetch_sub(1);
    closed_cv.notify_all();
  }
};

// ---- one connection -----------------------------------------------------------------------

template <typename Stream>
class Session final : public SessionBase, public std::enable_shared_from_this<Session<Stream>> {
 public:
  Session(Server::Impl* server, Stream stream, std::string remote)
      : server_(std::move(server)),
        lifeline_(server_->lifeline),
        stream_(std::move(stream)),
        remote_(std::move(remote)) {}

  // A responder or a stream's emit may be the last owner and outlive the server.
  ~Session() override {
    std::lock_guard lock(lifeline_->mu);
    if (lifeline_->alive) server_->Closed(this);
  }

  void Run() {
    net::dispatch(stream_.get_executor(), [self = this->shared_from_this()] {
      if constexpr (kTls) {
        self->Lowest().expires_after(
            std::chrono::milliseconds(self->server_->options.read_timeout_ms));
        self->stream_.async_handshake(ssl::stream_base::server, [self](beast::error_code ec) {
          if (ec) return self->Close();
          self->Read();
        });
      } else {
        self->Read();
      }
    });
  }

  void Shutdown() override {
    net::post(stream_.get_executor(), [self = this->shared_from_this()] {
      self->keep_alive_ = false;
      if (self->idle_) {
        self->Close();
      } else if (self->stream_body_ && self->stream_body_->cancel) {
        self->stream_body_->cancel();
      }
    });
  }

 private:
  static constexpr bool kTls = !std::is_same_v<Stream, beast::tcp_stream>;

  beast::tcp_stream& Lowest() { return beast::get_lowest_layer(stream_); }

  // Until a request's first byte the idle timeout applies; from then on the whole request
  // must arrive within the read timeout, however slowly its bytes trickle in. (The parser
  // only reports progress on whole headers, so the first bytes are read below it.)
  void Read() {
    if (server_->stopping) return Close();
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(server_->options.max_header_bytes));
    parser_->body_limit(server_->options.max_body_bytes);
    if (buffer_.size() > 0) return ReadRequest();  // the next request is already here
    idle_ = true;
    Lowest().expires_after(std::chrono::milliseconds(server_->options.idle_timeout_ms));
    stream_.async_read_some(buffer_.prepare(4096),
                            [self = this->shared_from_this()](beast::error_code ec, std::size_t n) {
                              if (ec) return self->OnRead(ec);
                              self->buffer_.commit(n);
                              self->ReadRequest();
                            });
  }

  void ReadRequest() {
    idle_ = false;
    Lowest().expires_after(std::chrono::milliseconds(server_->options.read_timeout_ms));
    bhttp::async_read(
        stream_, buffer_, *parser_,
        [self = this->shared_from_this()](beast::error_code ec, std::size_t) { self->OnRead(ec); });
  }

  void OnRead(beast::error_code ec) {
    idle_ = false;
    if (ec == bhttp::error::end_of_stream || ec == net::error::eof ||
        ec == net::error::operation_aborted || ec == beast::error::timeout ||
        ec == net::error::connection_reset) {
      return Close();
    }
    keep_alive_ = keep_alive_ && !server_->stopping;
    if (ec == bhttp::error::body_limit) {
      keep_alive_ = false;
      return Write(
          Problem(413, "body-too-large", "the request body is larger than the server accepts"), "",
          "");
    }
    if (ec == bhttp::error::header_limit) {
      keep_alive_ = false;
      return Write(Problem(431, "headers-too-large", "the request headers are too large"), "", "");
    }
    if (ec) {
      keep_alive_ = false;
      return Write(Problem(400, "malformed-request", "the request is not valid HTTP/1.1"), "", "");
    }
    bhttp::request<bhttp::string_body> msg = parser_->release();
    keep_alive_ = keep_alive_ && msg.keep_alive();
    Request req;
    req.method = std::string(msg.method_string());
    req.target = std::string(msg.target());
    req.remote = remote_;
    for (const auto& field : msg) {
      std::string name(field.name_string());
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      std::string& value = req.headers[name];
      // Repeated headers are joined as RFC 9110 allows for list-valued fields.
      value =
          value.empty() ? std::string(field.value()) : value + ", " + std::string(field.value());
    }
    req.body = std::move(msg.body());
    const std::string method = req.method;
    if (!ParseTarget(req.target, req)) {
      return Write(Problem(400, "malformed-request", "the request target is not a valid path"),
                   method, req.target);
    }
    server_->requests.fetch_add(1, std::memory_order_relaxed);
    started_ = std::chrono::steady_clock::now();
    std::string path = req.path;
    auto executor = stream_.get_executor();
    auto self = this->shared_from_this();
    try {
      server_->handler(std::move(req),
                       [self, executor, method, path, lifeline = server_->lifeline](Response r) {
                         std::lock_guard lock(lifeline->mu);
                         if (!lifeline->alive) return;
                         net::post(executor, [self, r = std::move(r), method, path]() mutable {
                           self->Write(std::move(r), method, path);
                         });
                       });
    } catch (const std::exception&) {
      Write(Problem(500, "internal", "the server failed to answer; the request was not applied"),
            method, path);
    }
  }

  void Write(Response r, const std::string& method, const std::string& path) {
    if (server_->log && !method.empty()) {
      const double ms =
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started_)
              .count();
      server_->log({method, path, r.status, ms, remote_});
    }
    if (r.stream) return WriteStreamHead(std::move(r));
    auto res = std::make_shared<bhttp::response<bhttp::string_body>>(
        static_cast<bhttp::status>(r.status), 11);
    res->set(bhttp::field::server, "pathways");
    res->set(bhttp::field::content_type, r.content_type);
    for (auto& [name, value] : r.headers) res->insert(name, value);
    res->body() = std::move(r.body);
    res->keep_alive(keep_alive_);
    res->prepare_payload();
    Lowest().expires_after(std::chrono::milliseconds(server_->options.write_timeout_ms));
    bhttp::async_write(stream_, *res,
                       [self = this->shared_from_this(), res](beast::error_code ec, std::size_t) {
                         if (ec || !self->keep_alive_) return self->Close();
                         self->Read();
                       });
  }

  // ---- streamed bodies (chunked): the head, then one chunk per `next` ----
  void WriteStreamHead(Response r) {
    stream_body_ = std::move(r.stream);
    keep_alive_ = false;  // a stream ends its connection
    auto res = std::make_shared<bhttp::response<bhttp::empty_body>>(
        static_cast<bhttp::status>(r.status), 11);
    res->set(bhttp::field::server, "pathways");
    res->set(bhttp::field::content_type, r.content_type);
    res->set(bhttp::field::cache_control, "no-store");
    for (auto& [name, value] : r.headers) res->insert(name, value);
    res->chunked(true);
    res->keep_alive(false);
    auto sr = std::make_shared<bhttp::response_serializer<bhttp::empty_body>>(*res);
    Lowest().expires_after(std::chrono::milliseconds(server_->options.write_timeout_ms));
    bhttp::async_write_header(
        stream_, *sr,
        [self = this->shared_from_this(), res, sr](beast::error_code ec, std::size_t) {
          if (ec) return self->EndStream();
          self->NextChunk();
        });
  }

  void NextChunk() {
    if (server_->stopping && stream_body_->cancel) stream_body_->cancel();
    auto executor = stream_.get_executor();
    // The emit owns the session: while the stream waits for its next chunk no read or write
    // is pending, and nothing else keeps the connection alive. (A stream must therefore
    // always emit, at the latest when cancelled.)
    stream_body_->next([self = this->shared_from_this(), executor](std::string chunk, bool last) {
      std::lock_guard lock(self->lifeline_->mu);
      if (!self->lifeline_->alive) return;
      net::post(executor, [self, chunk = std::move(chunk), last]() mutable {
        self->WriteChunk(std::move(chunk), last);
      });
    });
  }

  void WriteChunk(std::string chunk, bool last) {
    auto data = std::make_shared<std::string>(std::move(chunk));
    auto after = [self = this->shared_from_this(), data, last](beast::error_code ec, std::size_t) {
      if (ec) return self->EndStream();
      if (last) return self->FinishStream();
      self->NextChunk();
    };
    Lowest().expires_after(std::chrono::milliseconds(server_->options.write_timeout_ms));
    if (data->empty()) {
      if (!last) return NextChunk();
      return FinishStream();
    }
    net::async_write(stream_, bhttp::make_chunk(net::buffer(*data)), std::move(after));
  }

  void FinishStream() {
    Lowest().expires_after(std::chrono::milliseconds(server_->options.write_timeout_ms));
    net::async_write(
        stream_, bhttp::make_chunk_last(),
        [self = this->shared_from_this()](beast::error_code, std::size_t) { self->EndStream(); });
  }

  void EndStream() {
    if (stream_body_ && stream_body_->cancel) stream_body_->cancel();
    stream_body_.reset();
    Close();
  }

  void Close() {
    if (closed_) return;
    closed_ = true;
    beast::error_code ec;
    if constexpr (kTls) {
      // No TLS close_notify round trip: a slow peer could hold the shutdown; close outright.
      Lowest().socket().shutdown(tcp::socket::shutdown_both, ec);
    } else {
      stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
    }
    Lowest().close();
  }

  Server::Impl* server_;  // valid while lifeline_->alive
  std::shared_ptr<Lifeline> lifeline_;
  Stream stream_;
  std::string remote_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  std::shared_ptr<http::Stream> stream_body_;
  std::chrono::steady_clock::time_point started_;
  bool keep_alive_ = true;
  bool idle_ = false;  // waiting for a request's first byte
  bool closed_ = false;
};

// ---- accepting ----------------------------------------------------------------------------

void Server::Impl::Accept() {
  acceptor->async_accept(
      net::make_strand(*io), [self = this](beast::error_code ec, tcp::socket socket) {
        if (ec || self->stopping) return;  // closed by Stop()
        self->total.fetch_add(1);
        beast::error_code ignored;
        auto endpoint = socket.remote_endpoint(ignored);
        const std::string remote = endpoint.address().to_string();
        if (self->open.load() >= self->options.max_connections) {
          // Over the cap: a short answer, written synchronously (it fits any socket buffer).
          self->refused.fetch_add(1);
          std::string body = ProblemBody(503, "too-many-connections",
                                         "the server has too many open connections; retry soon");
          std::string head =
              "HTTP/1.1 503 Service Unavailable\r\nContent-Type: "
              "application/problem+json\r\nRetry-After: 1\r\nConnection: "
              "close\r\nContent-Length: " +
              std::to_string(body.size()) + "\r\n\r\n";
          net::write(socket, std::vector<net::const_buffer>{net::buffer(head), net::buffer(body)},
                     ignored);
          socket.shutdown(tcp::socket::shutdown_both, ignored);
        } else {
          self->open.fetch_add(1);
          std::shared_ptr<SessionBase> session;
          if (self->tls) {
            using TlsStream = beast::ssl_stream<beast::tcp_stream>;
            auto s = std::make_shared<Session<TlsStream>>(
                self, TlsStream(beast::tcp_stream(std::move(socket)), *self->tls), remote);
            session = s;
            self->Register(session);
            s->Run();
          } else {
            auto s = std::make_shared<Session<beast::tcp_stream>>(
                self, beast::tcp_stream(std::move(socket)), remote);
            session = s;
            self->Register(session);
            s->Run();
          }
        }
        self->Accept();
      });
}

// ---- Server -------------------------------------------------------------------------------

Server::Server(ServerOptions options, Handler handler, std::function<void(const RequestLog&)> log)
    : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
  impl_->handler = std::move(handler);
  impl_->log = std::move(log);
}

Server::~Server() {
  Stop();
  Wait(0);
}

namespace {

// The TLS context for a certificate chain and its private key (nothing when neither is
// given). FailedPrecondition, naming the files, when they cannot be used together.
Status LoadTls(const std::string& certificate_file, const std::string& private_key_file,
               std::optional<ssl::context>& tls) {
  if (certificate_file.empty() != private_key_file.empty()) {
    return Status::FailedPrecondition("TLS needs both a certificate and a private key file");
  }
  if (certificate_file.empty()) return Status::Ok();
  tls.emplace(ssl::context::tls_server);
  tls->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                   ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
  beast::error_code ec;
  tls->use_certificate_chain_file(certificate_file, ec);
  if (!ec) tls->use_private_key_file(private_key_file, ssl::context::pem, ec);
  if (ec) {
    tls.reset();
    return Status::FailedPrecondition("TLS: cannot use " + certificate_file + " and " +
                                      private_key_file + ": " + ec.message());
  }
  return Status::Ok();
}

}  // namespace

Status CheckTls(const std::string& certificate_file, const std::string& private_key_file) {
  std::optional<ssl::context> tls;
  return LoadTls(certificate_file, private_key_file, tls);
}

Status Server::Start() {
  const ServerOptions& o = impl_->options;
  if (Status st = LoadTls(o.certificate_file, o.private_key_file, impl_->tls); !st.ok()) {
    return st;
  }
  beast::error_code ec;
  auto address = net::ip::make_address(o.host, ec);
  if (ec) return Status::InvalidArgument("listen address `" + o.host + "` is not an IP address");
  tcp::endpoint endpoint(address, o.port);
  impl_->acceptor.emplace(*impl_->io);
  impl_->acceptor->open(endpoint.protocol(), ec);
  if (!ec) impl_->acceptor->set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) impl_->acceptor->bind(endpoint, ec);
  if (!ec) impl_->acceptor->listen(net::socket_base::max_listen_connections, ec);
  if (ec) {
    return Status::IOError("cannot listen on " + o.host + ":" + std::to_string(o.port) + ": " +
                           ec.message());
  }
  impl_->Accept();
  impl_->work.emplace(impl_->io->get_executor());
  for (int i = 0; i < std::max(1, o.threads); ++i) {
    impl_->threads.emplace_back([io = impl_->io.get()] { io->run(); });
  }
  return Status::Ok();
}

std::uint16_t Server::port() const {
  if (!impl_->acceptor) return 0;
  beast::error_code ec;
  auto endpoint = impl_->acceptor->local_endpoint(ec);
  return ec ? 0 : endpoint.port();
}

bool Server::tls() const { return impl_->tls.has_value(); }

void Server::Stop() {
  if (impl_->stopping.exchange(true)) return;
  net::post(*impl_->io, [impl = impl_.get()] {
    beast::error_code ec;
    if (impl->acceptor) impl->acceptor->close(ec);
  });
  std::vector<std::shared_ptr<SessionBase>> live;
  {
    std::lock_guard lock(impl_->mu);
    for (const auto& [address, weak] : impl_->sessions) {
      if (auto s = weak.lock()) live.push_back(std::move(s));  // released after `mu`
    }
  }
  for (const auto& s : live) s->Shutdown();
}

void Server::Wait(int grace_ms) {
  {
    std::unique_lock lock(impl_->mu);
    impl_->closed_cv.wait_for(lock, std::chrono::milliseconds(grace_ms),
                              [&] { return impl_->open.load() == 0; });
  }
  impl_->work.reset();
  impl_->io->stop();
  for (std::thread& t : impl_->threads) {
    if (t.joinable()) t.join();
  }
  impl_->threads.clear();
}

ServerStats Server::Stats() const {
  return {impl_->open.load(), impl_->total.load(), impl_->refused.load(), impl_->requests.load()};
}

}  // namespace pathways::http

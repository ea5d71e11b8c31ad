#pragma once
// Test support: a C2SP tlog-witness on 127.0.0.1 (c2sp.org/tlog-witness, add-checkpoint), as
// an independent witness would run it: it trusts one log key once told (`Trust`; until then
// the origin is unknown: 404), keeps the latest checkpoint it cosigned, answers 409 with its
// size when the client's `old` is another, 422 for a consistency proof that fails, and
// cosigns (tlog-cosignature v1) what holds.

#include <doctest/doctest.h>

#include <ctime>
#include <memory>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "adapters/http/server.hpp"
#include "engine/audit/checkpoint.hpp"
#include "engine/audit/merkle.hpp"
#include "engine/audit/note.hpp"
#include "engine/random.hpp"

namespace pathways::testing {

class TlogWitness {
 public:
  TlogWitness() {
    CryptoRandom random;
    Result<audit::note::Signer> key = audit::note::GenerateSigner("witness.test/w1", random);
    REQUIRE(key.ok());
    key_ = *key;
    key_.verifier.type = audit::note::kCosignatureEd25519;
    http::ServerOptions o;
    o.host = "127.0.0.1";
    o.port = 0;
    o.threads = 1;
    server_ = std::make_unique<http::Server>(
        o, [this](http::Request r, http::Responder done) { done(Handle(r)); });
    REQUIRE(server_->Start().ok());
  }
  ~TlogWitness() {
    server_->Stop();
    server_->Wait(2000);
  }
  TlogWitness(const TlogWitness&) = delete;
  TlogWitness& operator=(const TlogWitness&) = delete;

  std::string url() const { return "http://127.0.0.1:" + std::to_string(server_->port()); }
  // Its verifier key, as the notifications file names it.
  std::string key() const { return audit::note::EncodeVerifier(key_.verifier); }
  const audit::note::Verifier& verifier() const { return key_.verifier; }
  void Trust(const audit::note::Verifier& log) {
    std::lock_guard lock(mu_);
    log_ = log;
  }
  std::uint64_t size() {
    std::lock_guard lock(mu_);
    return size_;
  }
  int conflicts() {
    std::lock_guard lock(mu_);
    return conflicts_;
  }

 private:
  static http::Response Answer(int status, std::string body,
                               std::string type = "text/plain; charset=utf-8") {
    http::Response r;
    r.status = status;
    r.content_type = std::move(type);
    r.body = std::move(body);
    return r;
  }

  http::Response Handle(const http::Request& r) {
    if (r.method != "POST" || r.path != "/add-checkpoint") return Answer(404, "no such call\n");
    std::istringstream in(r.body);
    std::string line;
    std::getline(in, line);
    if (!line.starts_with("old ")) return Answer(400, "no old size line\n");
    const std::uint64_t old = std::stoull(line.substr(4));
    std::vector<Hash256> proof;
    while (std::getline(in, line) && !line.empty()) {
      Hash256 h{};
      if (!audit::ParseHashBase64(line, h)) return Answer(400, "bad hash\n");
      proof.push_back(h);
    }
    const std::string rest(std::istreambuf_iterator<char>(in), {});
    Result<audit::note::Note> n = audit::note::Parse(rest);
    if (!n.ok()) return Answer(400, n.status().message() + "\n");
    Result<audit::Checkpoint> c = audit::ParseCheckpoint(n->text);
    if (!c.ok()) return Answer(400, c.status().message() + "\n");
    std::lock_guard lock(mu_);
    if (!log_ || log_->name != c->origin) return Answer(404, "unknown log\n");
    if (!audit::note::Verify(*n, *log_).ok()) return Answer(403, "not signed by the log\n");
    if (old > c->size) return Answer(400, "old size past the checkpoint\n");
    if (old != size_) {
      ++conflicts_;
      return Answer(409, std::to_string(size_) + "\n", "text/x.tlog.size");
    }
    if (old == c->size && c->root != root_) return Answer(409, "another root\n");
    if (old > 0 && old < c->size &&
        !audit::merkle::VerifyConsistency(old, c->size, proof, root_, c->root).ok()) {
      return Answer(422, "the consistency proof fails\n");
    }
    Result<audit::note::Signature> co =
        audit::note::Cosign(n->text, key_, static_cast<std::uint64_t>(std::time(nullptr)));
    if (!co.ok()) return Answer(500, co.status().message() + "\n");  // the test sees it fail
    size_ = c->size;
    root_ = c->root;
    const std::string formatted = audit::note::Format({n->text, {*co}});
    return Answer(200, formatted.substr(n->text.size() + 1));  // the signature line only
  }

  audit::note::Signer key_;
  std::unique_ptr<http::Server> server_;
  std::mutex mu_;
  std::optional<audit::note::Verifier> log_;
  std::uint64_t size_ = 0;
  Hash256 root_{};
  int conflicts_ = 0;
};

}  // namespace pathways::testing

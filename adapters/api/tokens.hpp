#pragma once
// Bearer tokens: issued once, stored only as SHA-256 hashes in a JSON file beside the store
// (the CLI issues and revokes them while the server runs; the server re-reads the file when it
// changes). A token reads `pw_<id>_<secret>`: the id names it in listings and revocations, the
// 256-bit secret is what makes it unguessable.
//
// Thread-safe. The file is replaced atomically (write, fsync, rename) under an advisory lock,
// so concurrent CLI calls and the server's reads never see half a file.

#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "engine/clock.hpp"
#include "engine/result.hpp"

namespace pathways::api {

struct TokenInfo {
  std::string id;
  std::string user;
  std::string sha256;  // hex of SHA-256(token)
  TimestampMs created_at = 0;
  TimestampMs revoked_at = 0;  // 0: valid
};

class TokenStore {
 public:
  explicit TokenStore(std::string path) : path_(std::move(path)) {}

  // A new token for `user`: returned once, only its hash is kept.
  Result<std::string> Issue(const std::string& user, TimestampMs now);
  // Errors: NotFound (no such id).
  Status Revoke(const std::string& id, TimestampMs now);
  Result<std::vector<TokenInfo>> List() const;

  // The user a valid token belongs to. Re-reads the file when it changed since the last
  // look (checked at most once a second).
  std::optional<std::string> Authenticate(const std::string& token);
  // Reads the file now (start-up, SIGHUP). A missing file is no tokens.
  Status Reload();

  const std::string& path() const { return path_; }

 private:
  Result<std::vector<TokenInfo>> ReadFile() const;
  Status WriteFile(const std::vector<TokenInfo>& tokens) const;

  std::string path_;
  std::mutex mu_;
  std::unordered_map<std::string, std::string> user_by_hash_;  // guarded by mu_
  std::int64_t loaded_mtime_ns_ = -1;                          // guarded by mu_
  std::int64_t checked_at_ms_ = 0;                             // steady clock; guarded by mu_
};

// hex(SHA-256(token)).
std::string TokenHash(const std::string& token);
// A secret: `bytes` bytes from the system's CSPRNG, in hex; empty when the source fails.
std::string RandomHex(std::size_t bytes);

}  // namespace pathways::api

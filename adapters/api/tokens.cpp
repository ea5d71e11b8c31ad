#include "adapters/api/tokens.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "adapters/config/private_file.hpp"
#include "engine/audit/sha256.hpp"
#include "engine/codec/event_json.hpp"
#include "engine/codec/event_record.hpp"
#include "engine/random.hpp"
#include "workflows/yaml_reader.hpp"

namespace pathways::api {
namespace {

using config::FileLock;

std::int64_t MtimeNs(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return 0;
  return static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
}

}  // namespace

std::string RandomHex(std::size_t bytes) {
  std::vector<std::uint8_t> raw(bytes);
  CryptoRandom random;
  if (!random.Fill(raw).ok()) return {};
  return codec::HexEncode(std::string_view(reinterpret_cast<const char*>(raw.data()), raw.size()));
}

std::string TokenHash(const std::string& token) {
  audit::Sha256 sha;
  sha.Update(token.data(), token.size());
  return codec::HexEncode(sha.Final());
}

Result<std::vector<TokenInfo>> TokenStore::ReadFile() const {
  std::vector<TokenInfo> out;
  std::string text;
  if (::access(path_.c_str(), F_OK) != 0) return out;
  if (!workflows::ReadWholeFile(path_, text)) return Status::IOError("cannot read " + path_);
  nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  if (!j.is_object() || !j.contains("tokens") || !j["tokens"].is_array()) {
    return Status::Corruption(path_ + " is not a Pathways tokens file");
  }
  for (const auto& t : j["tokens"]) {
    if (!t.is_object()) return Status::Corruption(path_ + " holds a malformed token entry");
    TokenInfo info;
    info.id = t.value("id", "");
    info.user = t.value("user", "");
    info.sha256 = t.value("sha256", "");
    info.created_at = t.value("created_at", TimestampMs{0});
    info.revoked_at = t.value("revoked_at", TimestampMs{0});
    if (info.id.empty() || info.user.empty() || info.sha256.size() != 64) {
      return Status::Corruption(path_ + " holds a malformed token entry");
    }
    out.push_back(std::move(info));
  }
  return out;
}

Status TokenStore::WriteFile(const std::vector<TokenInfo>& tokens) const {
  nlohmann::json list = nlohmann::json::array();
  for (const TokenInfo& t : tokens) {
    list.push_back({{"id", t.id},
                    {"user", t.user},
                    {"sha256", t.sha256},
                    {"created_at", t.created_at},
                    {"revoked_at", t.revoked_at}});
  }
  return config::WritePrivateFile(path_, nlohmann::json{{"tokens", list}}.dump(2) + "\n");
}

Result<std::string> TokenStore::Issue(const std::string& user, TimestampMs now) {
  // A fresh setup: the tokens file's folder may not exist yet.
  if (Status st = config::EnsurePrivateFolder(path_); !st.ok()) return st;
  FileLock lock(path_);
  if (!lock.ok()) return Status::IOError("cannot lock " + path_ + ".lock");
  Result<std::vector<TokenInfo>> tokens = ReadFile();
  if (!tokens.ok()) return tokens.status();
  const std::string id = RandomHex(6);
  const std::string secret = RandomHex(32);
  if (id.empty() || secret.empty()) return Status::IOError("the system has no randomness");
  const std::string token = "pw_" + id + "_" + secret;
  tokens->push_back({id, user, TokenHash(token), now, 0});
  if (Status st = WriteFile(*tokens); !st.ok()) return st;
  return token;
}

Status TokenStore::Revoke(const std::string& id, TimestampMs now) {
  FileLock lock(path_);
  if (!lock.ok()) return Status::IOError("cannot lock " + path_ + ".lock");
  Result<std::vector<TokenInfo>> tokens = ReadFile();
  if (!tokens.ok()) return tokens.status();
  for (TokenInfo& t : *tokens) {
    if (t.id != id) continue;
    if (t.revoked_at == 0) t.revoked_at = now;
    return WriteFile(*tokens);
  }
  return Status::NotFound("no token " + id);
}

Result<std::vector<TokenInfo>> TokenStore::List() const { return ReadFile(); }

Status TokenStore::Reload() {
  const std::int64_t mtime = MtimeNs(path_);
  Result<std::vector<TokenInfo>> tokens = ReadFile();
  if (!tokens.ok()) return tokens.status();
  std::unordered_map<std::string, std::string> by_hash;
  for (const TokenInfo& t : *tokens) {
    if (t.revoked_at == 0) by_hash[t.sha256] = t.user;
  }
  std::lock_guard lock(mu_);
  user_by_hash_ = std::move(by_hash);
  loaded_mtime_ns_ = mtime;
  return Status::Ok();
}

std::optional<std::string> TokenStore::Authenticate(const std::string& token) {
  const std::int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                               std::chrono::steady_clock::now().time_since_epoch())
                               .count();
  bool reload = false;
  {
    std::lock_guard lock(mu_);
    if (now - checked_at_ms_ >= 1000) {
      checked_at_ms_ = now;
      reload = MtimeNs(path_) != loaded_mtime_ns_;
    }
  }
  // A file that cannot be read keeps the tokens loaded before.
  if (reload) IgnoreError(Reload(), "the previous tokens stay valid until the file is fixed");
  const std::string hash = TokenHash(token);
  std::lock_guard lock(mu_);
  auto it = user_by_hash_.find(hash);
  if (it == user_by_hash_.end()) return std::nullopt;
  return it->second;
}

}  // namespace pathways::api

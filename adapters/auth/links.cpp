#include "adapters/auth/links.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <array>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "adapters/config/private_file.hpp"
#include "engine/codec/base64.hpp"
#include "engine/random.hpp"

namespace pathways::auth {
namespace {

constexpr std::size_t kKeyBytes = 32;
constexpr std::size_t kMaxToken = 1024;

// Base64url without padding (RFC 4648 §5): safe in a path.
std::string UrlEncode(std::string_view bytes) {
  std::string s = codec::Base64Encode(bytes);
  while (!s.empty() && s.back() == '=') s.pop_back();
  for (char& c : s) {
    if (c == '+') c = '-';
    if (c == '/') c = '_';
  }
  return s;
}

bool UrlDecode(std::string_view text, std::string& out) {
  std::string s(text);
  for (char& c : s) {
    if (c == '+' || c == '/' || c == '=') return false;
    if (c == '-') c = '+';
    if (c == '_') c = '/';
  }
  while (s.size() % 4 != 0) s.push_back('=');
  return codec::Base64Decode(s, out);
}

std::string Mac(std::string_view key, std::string_view data) {
  std::array<unsigned char, 32> mac{};
  std::size_t len = 0;
  if (EVP_Q_mac(nullptr, "HMAC", nullptr, "SHA256", nullptr, key.data(), key.size(),
                reinterpret_cast<const unsigned char*>(data.data()), data.size(), mac.data(),
                mac.size(), &len) == nullptr ||
      len != mac.size()) {
    return {};
  }
  return std::string(reinterpret_cast<const char*>(mac.data()), mac.size());
}

std::string Hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char b : bytes) {
    out.push_back(kDigits[b >> 4]);
    out.push_back(kDigits[b & 15]);
  }
  return out;
}

bool Unhex(std::string_view hex, std::string& out) {
  auto nibble = [](char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  if (hex.size() % 2 != 0) return false;
  out.clear();
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    const int hi = nibble(hex[i]);
    const int lo = nibble(hex[i + 1]);
    if (hi < 0 || lo < 0) return false;
    out.push_back(static_cast<char>(hi * 16 + lo));
  }
  return true;
}

}  // namespace

Result<LinkSigner> LinkSigner::Open(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    std::array<std::uint8_t, kKeyBytes> raw{};
    CryptoRandom random;
    if (!random.Fill(raw).ok()) return Status::IOError("the system has no randomness");
    const std::string key(reinterpret_cast<const char*>(raw.data()), raw.size());
    if (Status st = config::WritePrivateFile(path, Hex(key) + "\n"); !st.ok()) return st;
    return LinkSigner(key);
  }
  std::ifstream in(path);
  std::string line;
  if (!in || !std::getline(in, line)) return Status::IOError("cannot read " + path);
  std::string key;
  if (!Unhex(line, key) || key.size() < kKeyBytes) {
    return Status::InvalidArgument(path + " is not a link key (64 hex digits)");
  }
  return LinkSigner(std::move(key));
}

std::string LinkSigner::Sign(const LinkClaims& c) const {
  const std::string claims = UrlEncode(nlohmann::json{
      {"id", c.id},
      {"party", c.party},
      {"pathway", c.pathway_id},
      {"expires", c.expires_at}}.dump());
  return claims + "." + UrlEncode(Mac(key_, claims));
}

Result<LinkClaims> LinkSigner::Verify(std::string_view token, TimestampMs now,
                                      LinkClaims* expired) const {
  const Status invalid = Status::InvalidArgument("not a valid link");
  const std::size_t dot = token.find('.');
  if (token.size() > kMaxToken || dot == std::string_view::npos) return invalid;
  const std::string_view claims = token.substr(0, dot);
  std::string given;
  const std::string wanted = Mac(key_, claims);
  if (!UrlDecode(token.substr(dot + 1), given) || wanted.empty() || given.size() != wanted.size() ||
      CRYPTO_memcmp(given.data(), wanted.data(), wanted.size()) != 0) {
    return invalid;
  }
  std::string text;
  if (!UrlDecode(claims, text)) return invalid;
  const nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  if (!j.is_object() || !j.contains("id") || !j["id"].is_string() || !j.contains("party") ||
      !j["party"].is_string() || !j.contains("pathway") || !j["pathway"].is_string() ||
      !j.contains("expires") || !j["expires"].is_number_integer()) {
    return invalid;
  }
  LinkClaims c{j["id"].get<std::string>(), j["party"].get<std::string>(),
               j["pathway"].get<std::string>(), j["expires"].get<TimestampMs>()};
  if (now > c.expires_at) {
    if (expired != nullptr) *expired = c;
    return Status::FailedPrecondition("the link expired");
  }
  return c;
}

}  // namespace pathways::auth

#include "adapters/notify/webhook_signature.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <array>
#include <charconv>

#include "engine/codec/base64.hpp"

namespace pathways::notify {
namespace {

using Mac = std::array<unsigned char, 32>;

// False only when OpenSSL cannot compute it (out of memory): no zero MAC ever stands in.
bool HmacSha256(std::string_view key, std::string_view data, Mac& mac) {
  std::size_t len = 0;
  return EVP_Q_mac(nullptr, "HMAC", nullptr, "SHA256", nullptr, key.data(), key.size(),
                   reinterpret_cast<const unsigned char*>(data.data()), data.size(), mac.data(),
                   mac.size(), &len) != nullptr &&
         len == mac.size();
}

std::string SignedContent(std::string_view id, std::string_view timestamp, std::string_view body) {
  std::string content;
  content.reserve(id.size() + timestamp.size() + body.size() + 2);
  content.append(id).append(".").append(timestamp).append(".").append(body);
  return content;
}

}  // namespace

Result<std::string> ParseWebhookSecret(std::string_view secret) {
  constexpr std::string_view kPrefix = "whsec_";
  if (secret.substr(0, kPrefix.size()) != kPrefix) {
    return Status::InvalidArgument("a webhook secret starts with `whsec_`");
  }
  std::string key;
  if (!codec::Base64Decode(secret.substr(kPrefix.size()), key)) {
    return Status::InvalidArgument("a webhook secret is `whsec_` and base64");
  }
  if (key.size() < 24 || key.size() > 64) {
    return Status::InvalidArgument("a webhook secret holds 24 to 64 bytes");
  }
  return key;
}

std::string SignWebhook(std::string_view key, std::string_view id, std::int64_t timestamp,
                        std::string_view body) {
  Mac mac{};
  if (!HmacSha256(key, SignedContent(id, std::to_string(timestamp), body), mac)) return "v1,";
  return "v1," + codec::Base64Encode(
                     std::string_view(reinterpret_cast<const char*>(mac.data()), mac.size()));
}

std::string SignatureHeader(const std::vector<std::string>& keys, std::string_view id,
                            std::int64_t timestamp, std::string_view body) {
  std::string header;
  for (const std::string& key : keys) {
    if (!header.empty()) header.push_back(' ');
    header += SignWebhook(key, id, timestamp, body);
  }
  return header;
}

Status VerifyWebhook(const std::vector<std::string>& keys, std::string_view id,
                     std::string_view timestamp, std::string_view signature_header,
                     std::string_view body, std::int64_t now_s, std::int64_t tolerance_s) {
  if (id.empty()) return Status::InvalidArgument("webhook-id is missing");
  std::int64_t at = 0;
  const auto [end, ec] = std::from_chars(timestamp.data(), timestamp.data() + timestamp.size(), at);
  if (timestamp.empty() || ec != std::errc() || end != timestamp.data() + timestamp.size()) {
    return Status::InvalidArgument("webhook-timestamp must be unix seconds");
  }
  if (at < now_s - tolerance_s || at > now_s + tolerance_s) {
    return Status::Rejected("webhook-timestamp is outside the accepted window");
  }
  const std::string content = SignedContent(id, timestamp, body);
  std::vector<Mac> expected;
  for (const std::string& key : keys) {
    Mac mac{};
    if (HmacSha256(key, content, mac)) expected.push_back(mac);
  }
  bool any_v1 = false;
  std::size_t start = 0;
  while (start < signature_header.size()) {
    std::size_t stop = signature_header.find(' ', start);
    if (stop == std::string_view::npos) stop = signature_header.size();
    const std::string_view one = signature_header.substr(start, stop - start);
    start = stop + 1;
    if (one.substr(0, 3) != "v1,") continue;  // other schemes (v1a) are not ours
    any_v1 = true;
    std::string mac;
    if (!codec::Base64Decode(one.substr(3), mac) || mac.size() != 32) continue;
    for (const auto& e : expected) {
      if (CRYPTO_memcmp(mac.data(), e.data(), e.size()) == 0) return Status::Ok();
    }
  }
  if (!any_v1) return Status::InvalidArgument("webhook-signature holds no v1 signature");
  return Status::Rejected("no webhook signature matches a configured secret");
}

}  // namespace pathways::notify

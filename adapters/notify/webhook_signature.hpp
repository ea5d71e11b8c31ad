#pragma once
// Standard Webhooks signatures (v1: HMAC-SHA256): what partner systems receive from us and
// what we check on their callbacks.
//
// A message is signed over `{webhook-id}.{webhook-timestamp}.{body}` with the endpoint's
// secret; `webhook-signature` carries `v1,<base64>` for every secret in use, space-separated,
// so a secret can be rotated without a moment in which the receiver rejects us. Secrets are
// `whsec_` + base64 of 24-64 random bytes.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "engine/result.hpp"

namespace pathways::notify {

// The key bytes of a `whsec_…` secret. InvalidArgument (never echoing the secret) when the
// prefix, the base64 or the length (24-64 bytes) is wrong.
Result<std::string> ParseWebhookSecret(std::string_view secret);

// "v1,<base64 HMAC-SHA256(key, id.timestamp.body)>".
std::string SignWebhook(std::string_view key, std::string_view id, std::int64_t timestamp,
                        std::string_view body);

// The `webhook-signature` header: one signature per key, space-separated.
std::string SignatureHeader(const std::vector<std::string>& keys, std::string_view id,
                            std::int64_t timestamp, std::string_view body);

// Checks an inbound webhook: the timestamp within `tolerance_s` of `now_s` (either way), and
// some `v1` signature in the header made with one of `keys` (compared in constant time).
// Rejected (the message says which check failed, never a key or a signature) or
// InvalidArgument for a malformed header or timestamp.
Status VerifyWebhook(const std::vector<std::string>& keys, std::string_view id,
                     std::string_view timestamp, std::string_view signature_header,
                     std::string_view body, std::int64_t now_s, std::int64_t tolerance_s = 300);

}  // namespace pathways::notify

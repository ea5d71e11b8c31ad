#pragma once
// Standard base64 with padding (RFC 4648) over OpenSSL: signatures, secrets, MIME parts.

#include <string>
#include <string_view>

namespace pathways::codec {

std::string Base64Encode(std::string_view bytes);
// False for anything that is not padded standard base64.
bool Base64Decode(std::string_view text, std::string& out);

}  // namespace pathways::codec

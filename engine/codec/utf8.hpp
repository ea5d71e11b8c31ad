#pragma once
// UTF-8 validation (RFC 3629): what the store accepts in text it hashes, checked where input
// arrives so a bad byte is reported where it was found.

#include <string_view>

namespace pathways::codec {

// True when `text` is well-formed UTF-8: no overlong forms, no surrogates, nothing past
// U+10FFFF, no truncated sequence.
bool IsValidUtf8(std::string_view text);

}  // namespace pathways::codec

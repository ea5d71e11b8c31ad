#pragma once
// AES-256-GCM sealing and opening: how personal data and data keys are encrypted.
//
// Every ciphertext carries its 16-byte tag at the end. The additional authenticated data (AAD)
// binds a ciphertext to its context (participant, scope, key generation), so a ciphertext moved
// to another participant fails to open. Thread-safe: free functions.

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace pathways::audit {

inline constexpr std::size_t kKeySize = 32;
inline constexpr std::size_t kNonceSize = 12;
inline constexpr std::size_t kTagSize = 16;

using Key256 = std::array<std::uint8_t, kKeySize>;
using Nonce = std::array<std::uint8_t, kNonceSize>;

// Returns ciphertext || tag.
std::string Seal(const Key256& key, const Nonce& nonce, std::string_view aad,
                 std::string_view plaintext);

// Returns the plaintext, or nullopt when the key, nonce, AAD or bytes do not match
// (authentication failed).
std::optional<std::string> Open(const Key256& key, std::span<const std::uint8_t> nonce,
                                std::string_view aad, std::string_view sealed);

// Overwrites key material before it is released.
void Wipe(void* data, std::size_t size);

}  // namespace pathways::audit

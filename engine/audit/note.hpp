#pragma once
// Signed notes (C2SP signed-note v1) with Ed25519 (RFC 8032, through OpenSSL): the form a
// checkpoint is signed in and a witness cosigns (C2SP tlog-cosignature v1, Ed25519, type 0x04).
// Keys are written as Go's golang.org/x/mod/sumdb/note writes them, so any tool of that
// ecosystem reads ours: a verifier key `name+hex8(key id)+base64(type || public key)`, a signer
// key `PRIVATE+KEY+name+hex8(key id)+base64(type || seed)`.
//
// Thread-safe: free functions.

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "engine/random.hpp"
#include "engine/result.hpp"

namespace pathways::audit::note {

inline constexpr std::uint8_t kEd25519 = 0x01;             // a note signature
inline constexpr std::uint8_t kCosignatureEd25519 = 0x04;  // a witness's timestamped cosignature

using PublicKey = std::array<std::uint8_t, 32>;

struct Verifier {
  std::string name;
  std::uint8_t type = kEd25519;
  PublicKey key{};
  std::uint32_t id() const;
};

struct Signer {
  std::string name;
  std::array<std::uint8_t, 32> seed{};  // the Ed25519 private key
  Verifier verifier;                    // its public half
};

// SHA-256(name || 0x0A || type || key)[:4], big-endian.
std::uint32_t KeyId(std::string_view name, std::uint8_t type, const PublicKey& key);

// A key name: non-empty, valid UTF-8 without spaces or `+`.
bool IsValidKeyName(std::string_view name);

std::string EncodeVerifier(const Verifier& v);
// InvalidArgument, saying what is wrong, for anything but a well-formed Ed25519 verifier key
// (note or cosignature type) whose id matches.
Result<Verifier> DecodeVerifier(std::string_view vkey);
std::string EncodeSigner(const Signer& s);
Result<Signer> DecodeSigner(std::string_view skey);
// A new key named `name`. InvalidArgument for a bad name; IOError when randomness fails.
Result<Signer> GenerateSigner(const std::string& name, RandomSource& random);

struct Signature {
  std::string name;
  std::uint32_t id = 0;
  std::string bytes;  // what was signed with, without the key id
};

struct Note {
  std::string text;  // ends in a newline
  std::vector<Signature> signatures;
};

// The note text followed by a blank line and the signature lines.
std::string Format(const Note& note);
// InvalidArgument, saying what is wrong, unless `signed_note` is a well-formed signed note
// (UTF-8 without control characters but newline, text ending in a newline, at least one and at
// most 100 signature lines).
Result<Note> Parse(std::string_view signed_note);

// Signs `text` (a note text: ends in a newline, no blank line at its end).
Result<Signature> Sign(std::string_view text, const Signer& signer);

// Ok when a signature of `v`'s name and id verifies over the text (for a cosignature, over its
// timestamped message; `timestamp` then receives its time, POSIX seconds). Rejected, saying
// why, when none is there or one fails.
Status Verify(const Note& note, const Verifier& v, std::uint64_t* timestamp = nullptr);

// A cosignature (type 0x04) by `signer` over a checkpoint's text at `timestamp`.
Result<Signature> Cosign(std::string_view text, const Signer& signer, std::uint64_t timestamp);

}  // namespace pathways::audit::note

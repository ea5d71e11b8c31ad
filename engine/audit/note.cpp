#include "engine/audit/note.hpp"

#include <openssl/evp.h>

#include <memory>

#include "engine/audit/aead.hpp"
#include "engine/audit/sha256.hpp"
#include "engine/codec/base64.hpp"
#include "engine/codec/utf8.hpp"

namespace pathways::audit::note {
namespace {

constexpr std::string_view kDash = "\xE2\x80\x94 ";  // U+2014 and a space
constexpr std::string_view kPrivatePrefix = "PRIVATE+KEY+";
constexpr std::size_t kMaxSignatures = 100;
constexpr std::size_t kEd25519SignatureSize = 64;

struct PkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct MdCtxFree {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;
using MdCtx = std::unique_ptr<EVP_MD_CTX, MdCtxFree>;

std::string Hex8(std::uint32_t id) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(8, '0');
  for (int i = 7; i >= 0; --i, id >>= 4) out[static_cast<std::size_t>(i)] = kDigits[id & 0xF];
  return out;
}

bool ParseHex8(std::string_view text, std::uint32_t& out) {
  if (text.size() != 8) return false;
  out = 0;
  for (char c : text) {
    int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
    if (d < 0) return false;
    out = (out << 4) | static_cast<std::uint32_t>(d);
  }
  return true;
}

// Standard base64 that decodes and encodes back to itself: one spelling per value.
bool DecodeCanonical(std::string_view text, std::string& out) {
  return codec::Base64Decode(text, out) && codec::Base64Encode(out) == text;
}

std::string Bytes(std::uint8_t type, const std::array<std::uint8_t, 32>& key) {
  std::string out(1, static_cast<char>(type));
  out.append(reinterpret_cast<const char*>(key.data()), key.size());
  return out;
}

void PutBig32(std::string& out, std::uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>(v >> shift));
}

std::uint64_t GetBig64(std::string_view b) {
  std::uint64_t v = 0;
  for (int i = 0; i < 8; ++i)
    v = (v << 8) | static_cast<std::uint8_t>(b[static_cast<std::size_t>(i)]);
  return v;
}

// The message a cosignature of type 0x04 signs.
std::string CosignedMessage(std::string_view text, std::uint64_t timestamp) {
  std::string m = "cosignature/v1\ntime " + std::to_string(timestamp) + "\n";
  m.append(text);
  return m;
}

Result<std::string> Ed25519Sign(const std::array<std::uint8_t, 32>& seed, std::string_view msg) {
  Pkey key(EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, seed.data(), seed.size()));
  MdCtx ctx(EVP_MD_CTX_new());
  std::string sig(kEd25519SignatureSize, '\0');
  std::size_t len = sig.size();
  if (!key || !ctx || EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, key.get()) != 1 ||
      EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len,
                     reinterpret_cast<const unsigned char*>(msg.data()), msg.size()) != 1 ||
      len != kEd25519SignatureSize) {
    return Status::IOError("OpenSSL could not make an Ed25519 signature");
  }
  return sig;
}

bool Ed25519Verify(const PublicKey& pub, std::string_view msg, std::string_view sig) {
  if (sig.size() != kEd25519SignatureSize) return false;
  Pkey key(EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, pub.data(), pub.size()));
  MdCtx ctx(EVP_MD_CTX_new());
  return key && ctx && EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, key.get()) == 1 &&
         EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(sig.data()), sig.size(),
                          reinterpret_cast<const unsigned char*>(msg.data()), msg.size()) == 1;
}

Result<PublicKey> PublicOf(const std::array<std::uint8_t, 32>& seed) {
  Pkey key(EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, seed.data(), seed.size()));
  PublicKey pub{};
  std::size_t len = pub.size();
  if (!key || EVP_PKEY_get_raw_public_key(key.get(), pub.data(), &len) != 1 || len != pub.size()) {
    return Status::IOError("OpenSSL could not derive an Ed25519 public key");
  }
  return pub;
}

// name, hex8 id and the base64 rest of `key` (after any prefix), split at the first two `+`:
// the base64 may hold more.
bool SplitKey(std::string_view key, std::string_view& name, std::uint32_t& id,
              std::string& material) {
  const std::size_t a = key.find('+');
  if (a == std::string_view::npos) return false;
  const std::size_t b = key.find('+', a + 1);
  if (b == std::string_view::npos) return false;
  name = key.substr(0, a);
  return IsValidKeyName(name) && ParseHex8(key.substr(a + 1, b - a - 1), id) &&
         DecodeCanonical(key.substr(b + 1), material) && material.size() == 33;
}

}  // namespace

std::uint32_t Verifier::id() const { return KeyId(name, type, key); }

std::uint32_t KeyId(std::string_view name, std::uint8_t type, const PublicKey& key) {
  Sha256 sha;
  sha.Update(name.data(), name.size());
  const std::uint8_t sep[2] = {'\n', type};
  sha.Update(sep, 2);
  sha.Update(key.data(), key.size());
  const Hash256 h = sha.Final();
  return (std::uint32_t{h[0]} << 24) | (std::uint32_t{h[1]} << 16) | (std::uint32_t{h[2]} << 8) |
         std::uint32_t{h[3]};
}

bool IsValidKeyName(std::string_view name) {
  if (name.empty() || !codec::IsValidUtf8(name)) return false;
  for (unsigned char c : name) {
    if (c <= 0x20 || c == '+' || c == 0x7F) return false;
  }
  // Unicode spaces beyond ASCII: U+00A0, U+1680, U+2000-U+200A, U+2028, U+2029, U+202F,
  // U+205F, U+3000.
  for (std::string_view space : {"\xC2\xA0", "\xE1\x9A\x80", "\xE2\x80\xA8", "\xE2\x80\xA9",
                                 "\xE2\x80\xAF", "\xE2\x81\x9F", "\xE3\x80\x80"}) {
    if (name.find(space) != std::string_view::npos) return false;
  }
  for (std::size_t at = name.find("\xE2\x80"); at != std::string_view::npos;
       at = name.find("\xE2\x80", at + 1)) {
    const auto third = static_cast<unsigned char>(at + 2 < name.size() ? name[at + 2] : 0);
    if (third >= 0x80 && third <= 0x8A) return false;
  }
  return true;
}

std::string EncodeVerifier(const Verifier& v) {
  return v.name + "+" + Hex8(v.id()) + "+" + codec::Base64Encode(Bytes(v.type, v.key));
}

Result<Verifier> DecodeVerifier(std::string_view vkey) {
  std::string_view name;
  std::uint32_t id = 0;
  std::string material;
  if (!SplitKey(vkey, name, id, material)) {
    return Status::InvalidArgument(
        "not a verifier key: name+hex8 key id+base64 of the type byte and the 32-byte key");
  }
  Verifier v{std::string(name), static_cast<std::uint8_t>(material[0]), {}};
  if (v.type != kEd25519 && v.type != kCosignatureEd25519) {
    return Status::InvalidArgument("the verifier key is not an Ed25519 key (type 0x01 or 0x04)");
  }
  std::copy(material.begin() + 1, material.end(), v.key.begin());
  if (v.id() != id) {
    return Status::InvalidArgument("the verifier key's id does not match its name and key");
  }
  return v;
}

std::string EncodeSigner(const Signer& s) {
  return std::string(kPrivatePrefix) + s.name + "+" + Hex8(s.verifier.id()) + "+" +
         codec::Base64Encode(Bytes(s.verifier.type, s.seed));
}

Result<Signer> DecodeSigner(std::string_view skey) {
  std::string_view name;
  std::uint32_t id = 0;
  std::string material;
  if (!skey.starts_with(kPrivatePrefix) ||
      !SplitKey(skey.substr(kPrivatePrefix.size()), name, id, material)) {
    return Status::InvalidArgument(
        "not a signer key: PRIVATE+KEY+name+hex8 key id+base64 of the type byte and the seed");
  }
  Signer s;
  s.name = std::string(name);
  s.verifier.name = s.name;
  s.verifier.type = static_cast<std::uint8_t>(material[0]);
  if (s.verifier.type != kEd25519 && s.verifier.type != kCosignatureEd25519) {
    return Status::InvalidArgument("the signer key is not an Ed25519 key (type 0x01 or 0x04)");
  }
  std::copy(material.begin() + 1, material.end(), s.seed.begin());
  Wipe(material.data(), material.size());
  Result<PublicKey> pub = PublicOf(s.seed);
  if (!pub.ok()) return pub.status();
  s.verifier.key = *pub;
  if (s.verifier.id() != id) {
    return Status::InvalidArgument("the signer key's id does not match its name and key");
  }
  return s;
}

Result<Signer> GenerateSigner(const std::string& name, RandomSource& random) {
  if (!IsValidKeyName(name)) {
    return Status::InvalidArgument("`" + name + "` is not a key name: no spaces or `+`");
  }
  Signer s;
  s.name = name;
  if (Status st = random.Fill(s.seed); !st.ok()) return st;
  Result<PublicKey> pub = PublicOf(s.seed);
  if (!pub.ok()) return pub.status();
  s.verifier = {name, kEd25519, *pub};
  return s;
}

std::string Format(const Note& note) {
  std::string out = note.text;
  out.push_back('\n');
  for (const Signature& sig : note.signatures) {
    std::string bytes;
    PutBig32(bytes, sig.id);
    bytes.append(sig.bytes);
    out.append(kDash);
    out.append(sig.name);
    out.push_back(' ');
    out.append(codec::Base64Encode(bytes));
    out.push_back('\n');
  }
  return out;
}

Result<Note> Parse(std::string_view signed_note) {
  if (!codec::IsValidUtf8(signed_note)) return Status::InvalidArgument("the note is not UTF-8");
  for (unsigned char c : signed_note) {
    if (c < 0x20 && c != '\n') {
      return Status::InvalidArgument("the note holds a control character");
    }
  }
  const std::size_t split = signed_note.rfind("\n\n");
  if (split == std::string_view::npos) {
    return Status::InvalidArgument("the note has no blank line before its signatures");
  }
  Note note;
  note.text = std::string(signed_note.substr(0, split + 1));
  std::string_view rest = signed_note.substr(split + 2);
  if (rest.empty() || rest.back() != '\n') {
    return Status::InvalidArgument("the note's signature lines do not end in a newline");
  }
  while (!rest.empty()) {
    const std::size_t end = rest.find('\n');
    std::string_view line = rest.substr(0, end);
    rest.remove_prefix(end + 1);
    if (!line.starts_with(kDash)) {
      return Status::InvalidArgument("a signature line does not start with an em dash and a space");
    }
    line.remove_prefix(kDash.size());
    const std::size_t space = line.find(' ');
    std::string bytes;
    if (space == std::string_view::npos || !IsValidKeyName(line.substr(0, space)) ||
        !DecodeCanonical(line.substr(space + 1), bytes) || bytes.size() < 5) {
      return Status::InvalidArgument("a signature line is not `— name base64(key id, signature)`");
    }
    if (note.signatures.size() == kMaxSignatures) {
      return Status::InvalidArgument("the note has more than 100 signatures");
    }
    Signature sig;
    sig.name = std::string(line.substr(0, space));
    sig.id = (std::uint32_t{static_cast<std::uint8_t>(bytes[0])} << 24) |
             (std::uint32_t{static_cast<std::uint8_t>(bytes[1])} << 16) |
             (std::uint32_t{static_cast<std::uint8_t>(bytes[2])} << 8) |
             std::uint32_t{static_cast<std::uint8_t>(bytes[3])};
    sig.bytes = bytes.substr(4);
    note.signatures.push_back(std::move(sig));
  }
  return note;
}

Result<Signature> Sign(std::string_view text, const Signer& signer) {
  if (text.empty() || text.back() != '\n' || text.ends_with("\n\n")) {
    return Status::InvalidArgument("a note's text ends in one newline");
  }
  Result<std::string> sig = Ed25519Sign(signer.seed, text);
  if (!sig.ok()) return sig.status();
  return Signature{signer.name, signer.verifier.id(), std::move(*sig)};
}

Result<Signature> Cosign(std::string_view text, const Signer& signer, std::uint64_t timestamp) {
  if (signer.verifier.type != kCosignatureEd25519) {
    return Status::InvalidArgument("a cosignature needs a cosigner key (type 0x04)");
  }
  Result<std::string> sig = Ed25519Sign(signer.seed, CosignedMessage(text, timestamp));
  if (!sig.ok()) return sig.status();
  std::string bytes;
  PutBig32(bytes, static_cast<std::uint32_t>(timestamp >> 32));
  PutBig32(bytes, static_cast<std::uint32_t>(timestamp));
  bytes.append(*sig);
  return Signature{signer.name, signer.verifier.id(), std::move(bytes)};
}

Status Verify(const Note& note, const Verifier& v, std::uint64_t* timestamp) {
  const std::uint32_t id = v.id();
  bool found = false;
  for (const Signature& sig : note.signatures) {
    if (sig.name != v.name || sig.id != id) continue;  // another key's: ignored
    found = true;
    bool ok = false;
    if (v.type == kCosignatureEd25519) {
      if (sig.bytes.size() == 8 + kEd25519SignatureSize) {
        const std::uint64_t at = GetBig64(sig.bytes);
        ok = at < (std::uint64_t{1} << 63) &&
             Ed25519Verify(v.key, CosignedMessage(note.text, at), sig.bytes.substr(8));
        if (ok && timestamp != nullptr) *timestamp = at;
      }
    } else {
      ok = Ed25519Verify(v.key, note.text, sig.bytes);
    }
    if (!ok) return Status::Rejected("the signature of " + v.name + " does not verify");
  }
  if (!found) return Status::Rejected("the note has no signature of " + v.name + "+" + Hex8(id));
  return Status::Ok();
}

}  // namespace pathways::audit::note

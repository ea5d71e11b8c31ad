#include "engine/audit/aead.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <memory>

namespace pathways::audit {
namespace {

struct CtxFree {
  void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }
};
using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, CtxFree>;

const EVP_CIPHER* Aes256Gcm() {
  static EVP_CIPHER* cipher = EVP_CIPHER_fetch(nullptr, "AES-256-GCM", nullptr);
  return cipher;
}

const unsigned char* U(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

}  // namespace

std::string Seal(const Key256& key, const Nonce& nonce, std::string_view aad,
                 std::string_view plaintext) {
  CipherCtx ctx(EVP_CIPHER_CTX_new());
  std::string out(plaintext.size() + kTagSize, '\0');
  auto* dst = reinterpret_cast<unsigned char*>(out.data());
  int len = 0;
  int total = 0;
  // GCM encryption with a valid key and 12-byte nonce cannot fail short of memory exhaustion;
  // a failure here leaves `out` unusable, so treat it as fatal.
  if (EVP_EncryptInit_ex2(ctx.get(), Aes256Gcm(), key.data(), nonce.data(), nullptr) != 1 ||
      EVP_EncryptUpdate(ctx.get(), nullptr, &len, U(aad), static_cast<int>(aad.size())) != 1 ||
      EVP_EncryptUpdate(ctx.get(), dst, &len, U(plaintext), static_cast<int>(plaintext.size())) !=
          1) {
    std::abort();
  }
  total = len;
  if (EVP_EncryptFinal_ex(ctx.get(), dst + total, &len) != 1) std::abort();
  total += len;
  if (EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, static_cast<int>(kTagSize),
                          dst + total) != 1) {
    std::abort();
  }
  return out;
}

std::optional<std::string> Open(const Key256& key, std::span<const std::uint8_t> nonce,
                                std::string_view aad, std::string_view sealed) {
  if (sealed.size() < kTagSize || nonce.size() != kNonceSize) return std::nullopt;
  const std::size_t body = sealed.size() - kTagSize;
  CipherCtx ctx(EVP_CIPHER_CTX_new());
  std::string out(body, '\0');
  auto* dst = reinterpret_cast<unsigned char*>(out.data());
  int len = 0;
  std::string tag(sealed.substr(body));
  if (EVP_DecryptInit_ex2(ctx.get(), Aes256Gcm(), key.data(), nonce.data(), nullptr) != 1 ||
      EVP_DecryptUpdate(ctx.get(), nullptr, &len, U(aad), static_cast<int>(aad.size())) != 1 ||
      EVP_DecryptUpdate(ctx.get(), dst, &len, U(sealed), static_cast<int>(body)) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, static_cast<int>(kTagSize),
                          tag.data()) != 1) {
    return std::nullopt;
  }
  int final_len = 0;
  if (EVP_DecryptFinal_ex(ctx.get(), dst + len, &final_len) != 1) {
    Wipe(out.data(), out.size());
    return std::nullopt;
  }
  return out;
}

void Wipe(void* data, std::size_t size) { OPENSSL_cleanse(data, size); }

}  // namespace pathways::audit

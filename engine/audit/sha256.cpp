#include "engine/audit/sha256.hpp"

#include <openssl/evp.h>

#include <cstdlib>

namespace pathways::audit {
namespace {

const EVP_MD* Sha256Md() {
  // Fetched once: implicit fetching on every init costs a lookup per event.
  static EVP_MD* md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  if (md == nullptr) std::abort();  // OpenSSL without SHA-256 cannot run this program at all
  return md;
}

}  // namespace

struct Sha256::Ctx {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  ~Ctx() { EVP_MD_CTX_free(ctx); }
};

Sha256::Sha256() : ctx_(std::make_unique<Ctx>()) {
  EVP_DigestInit_ex2(ctx_->ctx, Sha256Md(), nullptr);
}

Sha256::~Sha256() = default;

void Sha256::Update(const void* data, std::size_t size) { EVP_DigestUpdate(ctx_->ctx, data, size); }

Hash256 Sha256::Final() {
  Hash256 out{};
  unsigned int len = 0;
  EVP_DigestFinal_ex(ctx_->ctx, out.data(), &len);
  EVP_DigestInit_ex2(ctx_->ctx, Sha256Md(), nullptr);
  return out;
}

}  // namespace pathways::audit

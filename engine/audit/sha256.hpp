#pragma once
// SHA-256 through OpenSSL's EVP interface: the hash of the audit chain.
//
// Not thread-safe per instance; create one per thread or per computation.

#include <cstddef>
#include <cstdint>
#include <memory>

#include "engine/event.hpp"

namespace pathways::audit {

class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  void Update(const void* data, std::size_t size);
  // Returns the digest and resets the instance for the next computation.
  Hash256 Final();

 private:
  struct Ctx;
  std::unique_ptr<Ctx> ctx_;
};

}  // namespace pathways::audit

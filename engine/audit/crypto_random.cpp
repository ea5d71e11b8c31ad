#include <openssl/rand.h>

#include "engine/random.hpp"

namespace pathways {

Status CryptoRandom::Fill(std::span<std::uint8_t> out) {
  if (RAND_bytes(out.data(), static_cast<int>(out.size())) != 1) {
    return Status::IOError("the system random source failed");
  }
  return Status::Ok();
}

}  // namespace pathways

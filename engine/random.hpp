#pragma once
// RandomSource: where key material and nonces come from.
//
// Injected like the clock so tests can make encryption deterministic. Implementations must be
// thread-safe. A failure to produce randomness is fatal for the caller's operation, never
// papered over with weaker bytes.

#include <cstddef>
#include <cstdint>
#include <span>

#include "engine/result.hpp"

namespace pathways {

class RandomSource {
 public:
  virtual ~RandomSource() = default;
  // Fills `out` with unpredictable bytes. Returns IOError when the source fails.
  virtual Status Fill(std::span<std::uint8_t> out) = 0;
};

// The operating system's CSPRNG through OpenSSL's RAND_bytes.
class CryptoRandom final : public RandomSource {
 public:
  Status Fill(std::span<std::uint8_t> out) override;
};

}  // namespace pathways

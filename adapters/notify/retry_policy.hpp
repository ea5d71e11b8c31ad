#pragma once
// When to try a failed delivery again: a schedule of delays (Standard Webhooks recommends
// immediately, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h, 24 h), each spread by a random
// jitter so that receivers coming back up are not hit by every sender at once.

#include <chrono>
#include <cmath>
#include <cstdint>
#include <optional>
#include <vector>

#include "engine/random.hpp"

namespace pathways::notify {

struct RetryPolicy {
  // Delay before attempt 2, 3, …; the number of attempts is one more than this.
  std::vector<std::chrono::milliseconds> delays = {
      std::chrono::seconds(5), std::chrono::minutes(5), std::chrono::minutes(30),
      std::chrono::hours(2),   std::chrono::hours(5),   std::chrono::hours(10),
      std::chrono::hours(14),  std::chrono::hours(20),  std::chrono::hours(24)};
  double jitter = 0.2;  // each delay is spread uniformly over ±20 %

  std::size_t max_attempts() const { return delays.size() + 1; }

  // The wait after `failed_attempts` failures (1 after the first), or nullopt when no attempt
  // is left and the delivery goes to dead letters. `random` draws the jitter.
  std::optional<std::chrono::milliseconds> NextDelay(std::size_t failed_attempts,
                                                     RandomSource& random) const {
    if (failed_attempts == 0 || failed_attempts > delays.size()) return std::nullopt;
    const auto base = delays[failed_attempts - 1];
    std::uint8_t raw[4] = {};
    if (jitter <= 0 || !random.Fill(raw).ok()) return base;
    const double unit = static_cast<double>(raw[0] | raw[1] << 8 | raw[2] << 16 |
                                            static_cast<std::uint32_t>(raw[3]) << 24) /
                        4294967295.0;  // [0, 1]
    const double factor = 1.0 + jitter * (2.0 * unit - 1.0);
    return std::chrono::milliseconds(std::llround(static_cast<double>(base.count()) * factor));
  }
};

}  // namespace pathways::notify

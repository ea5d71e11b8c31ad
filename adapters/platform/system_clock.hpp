#pragma once
// The wall clock, injected into the engine by the composition root. The engine itself never
// reads it (tests/layering_test.sh checks that).

#include "engine/clock.hpp"

namespace pathways::adapters {

class SystemClock final : public Clock {
 public:
  TimestampMs NowMs() const override;
};

}  // namespace pathways::adapters

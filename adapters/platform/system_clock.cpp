#include "adapters/platform/system_clock.hpp"

#include <chrono>

namespace pathways::adapters {

TimestampMs SystemClock::NowMs() const {
  using std::chrono::duration_cast;
  using std::chrono::milliseconds;
  return duration_cast<milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

}  // namespace pathways::adapters

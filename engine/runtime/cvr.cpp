#include "engine/runtime/cvr.hpp"

#include <array>

namespace pathways::runtime {

bool IsValidCvr(std::string_view cvr) {
  constexpr std::array<int, 8> kWeights = {2, 7, 6, 5, 4, 3, 2, 1};
  if (cvr.size() != kWeights.size() || cvr.front() == '0') return false;
  int sum = 0;
  for (std::size_t i = 0; i < cvr.size(); ++i) {
    if (cvr[i] < '0' || cvr[i] > '9') return false;
    sum += (cvr[i] - '0') * kWeights[i];
  }
  return sum % 11 == 0;
}

}  // namespace pathways::runtime

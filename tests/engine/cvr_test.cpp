// CVR numbers by the register's modulus-11 rule.

#include "engine/runtime/cvr.hpp"

#include <doctest/doctest.h>

#include <string>

namespace pathways::runtime {

TEST_CASE("cvr: companies' own numbers pass, one digit off or two swapped never do") {
  // Published CVR numbers: Novo Nordisk A/S, LEGO A/S, and the two the demo uses first.
  for (const char* cvr : {"24256790", "54562519", "31245672", "12345674"}) {
    CHECK_MESSAGE(IsValidCvr(cvr), cvr);
  }
  const std::string good = "24256790";
  for (std::size_t i = 0; i < good.size(); ++i) {
    for (char d = '0'; d <= '9'; ++d) {
      if (d == good[i]) continue;
      std::string typo = good;
      typo[i] = d;
      CHECK_FALSE_MESSAGE(IsValidCvr(typo), typo);
    }
    if (i + 1 < good.size() && good[i] != good[i + 1]) {
      std::string swapped = good;
      std::swap(swapped[i], swapped[i + 1]);
      CHECK_FALSE_MESSAGE(IsValidCvr(swapped), swapped);
    }
  }
  for (const char* bad :
       {"", "2425679", "242567900", "2425679x", " 4256790", "00000000", "12345678", "11111111"}) {
    CHECK_FALSE_MESSAGE(IsValidCvr(bad), bad);
  }
}

}  // namespace pathways::runtime

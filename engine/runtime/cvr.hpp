#pragma once
// CVR numbers, the Danish business register's number for a company: eight digits, the first
// not 0, whose weighted sum (weights 2 7 6 5 4 3 2 1) is divisible by 11 — the modulus-11 rule
// the register assigns them by, so a mistyped digit or two swapped digits never pass.
//
// Thread-safe: pure functions.

#include <string_view>

namespace pathways::runtime {

// Whether `cvr` is a CVR number by the modulus-11 rule.
bool IsValidCvr(std::string_view cvr);

}  // namespace pathways::runtime

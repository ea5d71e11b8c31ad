#pragma once
// Diagnostics: every problem found in a definition file, with where it is.

#include <string>
#include <string_view>
#include <vector>

namespace pathways::workflows {

struct Diagnostic {
  std::string file;
  int line = 0;    // 1-based
  int column = 0;  // 1-based
  std::string message;

  // "FILE:LINE:COL: error: MESSAGE"
  std::string ToString() const;
};

// The closest of `candidates` to `name` when it is close enough to be a likely typo, or "".
std::string ClosestMatch(std::string_view name, const std::vector<std::string>& candidates);

// " (did you mean `x`?)" or "".
std::string DidYouMean(std::string_view name, const std::vector<std::string>& candidates);

}  // namespace pathways::workflows

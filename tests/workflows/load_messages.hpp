#pragma once
// Test support for the definition tests: a definition's problems as the loader words them, and
// the edits the tests make to a valid definition.

#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "workflows/loader.hpp"

namespace pathways::testing {

// Every problem of `yaml`, loaded as `file`, as "file:line:col: message"; none loads.
inline std::vector<std::string> Messages(const std::string& yaml,
                                         const std::string& file = "demo.yaml") {
  workflows::LoadResult r = workflows::LoadDefinition(yaml, file);
  std::vector<std::string> out;
  for (const auto& d : r.diagnostics) out.push_back(d.ToString());
  if (!r.diagnostics.empty()) CHECK(r.definition == nullptr);
  return out;
}

inline bool Has(const std::vector<std::string>& messages, const std::string& needle) {
  return std::any_of(messages.begin(), messages.end(),
                     [&](const std::string& m) { return m.find(needle) != std::string::npos; });
}

// `text` with its first `from` replaced by `to`.
inline std::string Replace(std::string text, const std::string& from, const std::string& to) {
  const std::size_t at = text.find(from);
  REQUIRE_MESSAGE(at != std::string::npos, from);
  return text.replace(at, from.size(), to);
}

}  // namespace pathways::testing

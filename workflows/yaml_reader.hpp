#pragma once
// YamlReader: typed reading of a YAML document that reports every problem with its file,
// line and column instead of stopping at the first. Each reader checks one node, records a
// diagnostic when it is wrong, and returns nothing (or a default) so reading goes on. The
// definition loader and the server's config files build on it.
//
// Not thread-safe: one reader per document.

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "engine/definition/definition.hpp"
#include "workflows/diagnostics.hpp"

namespace pathways::workflows {

class YamlReader {
 public:
  using Keys = std::vector<std::string>;

  explicit YamlReader(std::string file) : file_(std::move(file)) {}

  // Parses `text`; a syntax error is reported and yields a null node.
  YAML::Node Parse(const std::string& text);

  void Error(const YAML::Mark& mark, std::string message);
  bool HasErrors() const { return !diagnostics_.empty(); }
  // The diagnostics so far in file order; the reader keeps none.
  std::vector<Diagnostic> TakeDiagnostics();

  // Checks `node` is a mapping whose keys are all in `known` (empty: any key), reporting
  // unknown keys (with "did you mean") and duplicates. False when it is not a mapping.
  bool CheckMap(const YAML::Node& node, const std::string& what, const Keys& known);

  std::optional<std::string> Str(const YAML::Node& node, const std::string& what);
  // lower_snake_case: a-z, 0-9 and _.
  std::optional<std::string> Id(const YAML::Node& node, const std::string& what);
  std::optional<std::int64_t> Int(const YAML::Node& node, const std::string& what);
  std::optional<bool> Bool(const YAML::Node& node, const std::string& what);
  // A text or a list of texts, each with where it stands.
  std::vector<std::pair<std::string, YAML::Mark>> List(const YAML::Node& node,
                                                       const std::string& what);
  // A text for both languages, or a mapping with `da` and `en`.
  definition::Label Label(const YAML::Node& node, const std::string& what);
  // "5 working days", "14 days", "-6 weeks", "3 months", "1 week".
  std::optional<definition::Duration> ReadDuration(const YAML::Node& node, const std::string& what);
  std::optional<definition::DataField::Type> Type(const YAML::Node& node, const std::string& what);

  // Checks that `name` is one of `ids`; reports "unknown <what>" with a suggestion.
  bool Known(const std::string& name, const YAML::Mark& mark, const Keys& ids,
             const std::string& what);

  // Iterates a mapping of id -> entry, checking ids and duplicates (ids collects them);
  // `read(id, mark, node)` gets each new entry.
  template <typename Read>
  void ForEachEntry(const YAML::Node& node, const std::string& what, Keys& ids, Read read) {
    if (!node) return;
    if (!CheckMap(node, what, {})) return;
    for (const auto& kv : node) {
      auto id = Id(kv.first, what + " id");
      if (!id) continue;
      if (std::find(ids.begin(), ids.end(), *id) != ids.end()) continue;  // reported as duplicate
      ids.push_back(*id);
      read(*id, kv.first.Mark(), kv.second);
    }
  }

  const std::string& file() const { return file_; }

 private:
  std::string file_;
  std::vector<Diagnostic> diagnostics_;
};

// Reads a whole file into `text`; false when it cannot be read.
bool ReadWholeFile(const std::string& path, std::string& text);

}  // namespace pathways::workflows

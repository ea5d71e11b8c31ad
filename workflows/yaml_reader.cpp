#include "workflows/yaml_reader.hpp"

#include <fstream>
#include <map>
#include <set>
#include <sstream>

namespace pathways::workflows {

using definition::DataField;
using definition::Duration;

YAML::Node YamlReader::Parse(const std::string& text) {
  try {
    return YAML::Load(text);
  } catch (const YAML::Exception& e) {
    Error(e.mark, "YAML syntax: " + e.msg);
    return YAML::Node(YAML::NodeType::Undefined);
  }
}

std::vector<Diagnostic> YamlReader::TakeDiagnostics() {
  std::stable_sort(diagnostics_.begin(), diagnostics_.end(),
                   [](const Diagnostic& a, const Diagnostic& b) {
                     return std::tie(a.line, a.column) < std::tie(b.line, b.column);
                   });
  return std::move(diagnostics_);
}

void YamlReader::Error(const YAML::Mark& mark, std::string message) {
  diagnostics_.push_back({file_, mark.is_null() ? 1 : mark.line + 1,
                          mark.is_null() ? 1 : mark.column + 1, std::move(message)});
}

// Checks `node` is a mapping whose keys are all in `known` (unknown and duplicate keys are
// reported). Returns false when it is not a mapping.
bool YamlReader::CheckMap(const YAML::Node& node, const std::string& what, const Keys& known) {
  if (!node.IsMap()) {
    Error(node.Mark(), what + " must be a mapping");
    return false;
  }
  std::set<std::string> seen;
  for (const auto& kv : node) {
    const std::string key = kv.first.Scalar();
    if (!seen.insert(key).second) {
      Error(kv.first.Mark(), "duplicate key `" + key + "` in " + what);
    } else if (!known.empty() && std::find(known.begin(), known.end(), key) == known.end()) {
      Error(kv.first.Mark(), "unknown key `" + key + "` in " + what + DidYouMean(key, known));
    }
  }
  return true;
}

std::optional<std::string> YamlReader::Str(const YAML::Node& node, const std::string& what) {
  if (!node.IsScalar()) {
    Error(node.Mark(), what + " must be a text");
    return std::nullopt;
  }
  return node.Scalar();
}

std::optional<std::string> YamlReader::Id(const YAML::Node& node, const std::string& what) {
  auto s = Str(node, what);
  if (!s) return std::nullopt;
  const bool ok = !s->empty() && std::all_of(s->begin(), s->end(), [](char c) {
    return std::islower(static_cast<unsigned char>(c)) ||
           std::isdigit(static_cast<unsigned char>(c)) || c == '_';
  });
  if (!ok) {
    Error(node.Mark(), what + " `" + *s + "` must be lower_snake_case (a-z, 0-9, _)");
    return std::nullopt;
  }
  return s;
}

std::optional<std::int64_t> YamlReader::Int(const YAML::Node& node, const std::string& what) {
  try {
    if (node.IsScalar()) return node.as<std::int64_t>();
  } catch (const YAML::Exception&) {
  }
  Error(node.Mark(), what + " must be a whole number");
  return std::nullopt;
}

std::optional<bool> YamlReader::Bool(const YAML::Node& node, const std::string& what) {
  try {
    if (node.IsScalar()) return node.as<bool>();
  } catch (const YAML::Exception&) {
  }
  Error(node.Mark(), what + " must be true or false");
  return std::nullopt;
}

// A text or a list of texts.
std::vector<std::pair<std::string, YAML::Mark>> YamlReader::List(const YAML::Node& node,
                                                                 const std::string& what) {
  std::vector<std::pair<std::string, YAML::Mark>> out;
  if (node.IsScalar()) {
    out.emplace_back(node.Scalar(), node.Mark());
  } else if (node.IsSequence()) {
    for (const auto& item : node) {
      if (auto s = Str(item, "each of " + what)) out.emplace_back(*s, item.Mark());
    }
  } else {
    Error(node.Mark(), what + " must be a text or a list of texts");
  }
  return out;
}

definition::Label YamlReader::Label(const YAML::Node& node, const std::string& what) {
  definition::Label label;
  if (node.IsScalar()) {  // one text serves both languages
    label.da = label.en = node.Scalar();
    return label;
  }
  if (!CheckMap(node, what, {"da", "en"})) return label;
  if (node["da"]) label.da = Str(node["da"], what + ".da").value_or("");
  if (node["en"]) label.en = Str(node["en"], what + ".en").value_or("");
  if (label.da.empty() || label.en.empty()) {
    Error(node.Mark(), what + " needs both `da` and `en`");
  }
  return label;
}

// "5 working days", "14 days", "-6 weeks", "3 months", "1 week".
std::optional<definition::Duration> YamlReader::ReadDuration(const YAML::Node& node,
                                                             const std::string& what) {
  auto text = Str(node, what);
  if (!text) return std::nullopt;
  std::istringstream in(*text);
  Duration d;
  std::string unit;
  std::string rest;
  in >> d.amount;
  if (!in) {
    Error(node.Mark(), what + " `" + *text +
                           "` must read like `5 working days`, `14 days`, "
                           "`6 weeks` or `3 months`");
    return std::nullopt;
  }
  in >> unit;
  if (unit == "working") {
    in >> rest;
    unit += " " + rest;
  }
  static const std::map<std::string, Duration::Unit> kUnits = {
      {"day", Duration::Unit::kDays},
      {"days", Duration::Unit::kDays},
      {"working day", Duration::Unit::kWorkingDays},
      {"working days", Duration::Unit::kWorkingDays},
      {"week", Duration::Unit::kWeeks},
      {"weeks", Duration::Unit::kWeeks},
      {"month", Duration::Unit::kMonths},
      {"months", Duration::Unit::kMonths}};
  auto it = kUnits.find(unit);
  std::string trailing;
  if (it == kUnits.end() || (in >> trailing)) {
    Error(node.Mark(),
          what + " `" + *text + "`: the unit must be days, working days, weeks " + "or months");
    return std::nullopt;
  }
  d.unit = it->second;
  if (!definition::WithinDurationBound(d)) {
    Error(node.Mark(), what + " `" + *text +
                           "` is more than ten years; a pathway's durations are at most 10 "
                           "years (3653 days, 2610 working days, 522 weeks or 120 months)");
    return std::nullopt;
  }
  return d;
}

std::optional<definition::DataField::Type> YamlReader::Type(const YAML::Node& node,
                                                            const std::string& what) {
  static const Keys kTypes = {"string", "integer", "number", "boolean", "date"};
  auto s = Str(node, what);
  if (!s) return std::nullopt;
  auto it = std::find(kTypes.begin(), kTypes.end(), *s);
  if (it == kTypes.end()) {
    Error(node.Mark(), what + " `" + *s + "` is not a type" + DidYouMean(*s, kTypes) +
                           "; use string, integer, number, boolean or date");
    return std::nullopt;
  }
  return static_cast<DataField::Type>(it - kTypes.begin());
}

// Checks that `name` is one of `ids`; reports "unknown <what>" with a suggestion.
bool YamlReader::Known(const std::string& name, const YAML::Mark& mark, const Keys& ids,
                       const std::string& what) {
  if (std::find(ids.begin(), ids.end(), name) != ids.end()) return true;
  Error(mark, "unknown " + what + " `" + name + "`" + DidYouMean(name, ids));
  return false;
}

bool ReadWholeFile(const std::string& path, std::string& text) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::stringstream ss;
  ss << in.rdbuf();
  text = ss.str();
  return static_cast<bool>(in) || in.eof();
}

}  // namespace pathways::workflows

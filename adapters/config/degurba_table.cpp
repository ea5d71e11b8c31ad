#include "adapters/config/degurba_table.hpp"

#include <algorithm>

#include "workflows/yaml_reader.hpp"

namespace pathways::config {
namespace {

class DegurbaReader : workflows::YamlReader {
 public:
  explicit DegurbaReader(const std::string& file) : YamlReader(file) {}

  DegurbaTable Read(std::vector<workflows::Diagnostic>& diagnostics) {
    DegurbaTable t;
    t.file = file();
    std::string text;
    if (!workflows::ReadWholeFile(file(), text)) {
      Error({}, "cannot read the DEGURBA table");
    } else if (YAML::Node root = Parse(text); !HasErrors()) {
      ReadRoot(root, t);
    }
    for (auto& d : TakeDiagnostics()) diagnostics.push_back(std::move(d));
    return t;
  }

 private:
  void ReadRoot(const YAML::Node& root, DegurbaTable& t) {
    if (!CheckMap(root, "the DEGURBA table", {"version", "source", "municipalities"})) return;
    for (const char* key : {"version", "source", "municipalities"}) {
      if (!root[key]) Error(root.Mark(), std::string("the DEGURBA table needs `") + key + "`");
    }
    if (root["version"]) t.version = Str(root["version"], "version").value_or("");
    if (root["source"]) t.source = Str(root["source"], "source").value_or("");
    const YAML::Node list = root["municipalities"];
    if (!list || !CheckMap(list, "municipalities", {})) return;
    for (const auto& kv : list) {
      const std::string code = kv.first.Scalar();
      const bool shaped = code.size() == 3 && std::all_of(code.begin(), code.end(), [](char c) {
                            return c >= '0' && c <= '9';
                          });
      if (!shaped) {
        Error(kv.first.Mark(), "a municipality code is three digits (\"751\"), not `" + code + "`");
        continue;
      }
      const YAML::Node& entry = kv.second;
      if (!entry.IsSequence() || entry.size() != 2) {
        Error(entry.Mark(), "municipality " + code + " is [name, class]");
        continue;
      }
      Str(entry[0], "the name of municipality " + code);
      const std::optional<std::int64_t> degree = Int(entry[1], "the class of " + code);
      if (degree && (*degree < 1 || *degree > 3)) {
        Error(entry[1].Mark(),
              "a DEGURBA class is 1 (cities), 2 (towns and suburbs) or 3 "
              "(rural areas), not " +
                  std::to_string(*degree));
      } else if (degree) {
        t.municipalities[code] = static_cast<int>(*degree);
      }
    }
  }
};

}  // namespace

DegurbaTable LoadDegurbaTable(const std::string& path,
                              std::vector<workflows::Diagnostic>& diagnostics) {
  return DegurbaReader(path).Read(diagnostics);
}

}  // namespace pathways::config

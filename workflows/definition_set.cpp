#include "workflows/definition_set.hpp"

#include <algorithm>
#include <filesystem>
#include <map>
#include <system_error>

#include "workflows/loader.hpp"

namespace pathways::workflows {
namespace {

namespace fs = std::filesystem;

bool IsDefinitionFile(const fs::path& p) {
  const std::string ext = p.extension().string();
  return ext == ".yaml" || ext == ".yml";
}

// The files `paths` name, directories expanded; a path that is neither is a diagnostic.
std::vector<std::string> ExpandPaths(const std::vector<std::string>& paths,
                                     std::vector<Diagnostic>& diagnostics) {
  std::vector<std::string> files;
  for (const std::string& path : paths) {
    std::error_code ec;
    if (!fs::is_directory(path, ec)) {
      files.push_back(path);  // a missing file is reported by the loader
      continue;
    }
    std::vector<std::string> inside;
    for (const fs::directory_entry& e : fs::directory_iterator(path, ec)) {
      if (e.is_regular_file(ec) && IsDefinitionFile(e.path())) inside.push_back(e.path().string());
    }
    if (ec) diagnostics.push_back({path, 1, 1, "cannot list the directory: " + ec.message()});
    std::sort(inside.begin(), inside.end());
    files.insert(files.end(), inside.begin(), inside.end());
  }
  return files;
}

std::string Named(const definition::Definition& d) {
  return d.id + " version " + std::to_string(d.version);
}

}  // namespace

DefinitionSet LoadDefinitionSet(const std::vector<std::string>& paths) {
  DefinitionSet set;
  std::vector<definition::DefinitionCatalog::Ptr> loaded;
  std::vector<std::string> files;
  std::map<std::pair<std::string, std::uint32_t>, std::string> file_of;
  for (const std::string& file : ExpandPaths(paths, set.diagnostics)) {
    LoadResult r = LoadDefinitionFile(file);
    set.diagnostics.insert(set.diagnostics.end(), r.diagnostics.begin(), r.diagnostics.end());
    if (!r.definition) continue;
    auto [it, inserted] = file_of.emplace(std::pair(r.definition->id, r.definition->version), file);
    if (!inserted) {
      set.diagnostics.push_back(
          {file, 1, 1, Named(*r.definition) + " is also defined in " + it->second});
      continue;
    }
    loaded.push_back(std::move(r.definition));
    files.push_back(file);
  }
  if (loaded.empty() && set.diagnostics.empty()) {
    std::string where;
    for (const std::string& p : paths) where += (where.empty() ? "" : ", ") + p;
    set.diagnostics.push_back({where.empty() ? "(no paths)" : where, 1, 1,
                               "no pathway definition found (*.yaml or *.yml)"});
  }
  if (set.diagnostics.empty()) {
    set.definitions = std::move(loaded);
    set.files = std::move(files);
  }
  return set;
}

ReloadReport ReloadDefinitions(definition::DefinitionCatalog& catalog,
                               const std::vector<std::string>& paths) {
  ReloadReport report;
  DefinitionSet set = LoadDefinitionSet(paths);
  report.diagnostics = std::move(set.diagnostics);
  if (!report.diagnostics.empty()) return report;
  // One step under the catalog's lock: a SIGHUP and an API reload at once never both add a
  // version, and a version pathways may run on is never overwritten.
  definition::DefinitionCatalog::MergeResult merged = catalog.Merge(set.definitions);
  for (std::size_t i : merged.conflicts) {
    report.diagnostics.push_back(
        {set.files[i], 1, 1,
         Named(*set.definitions[i]) +
             " is already loaded with other content and pathways may run on it; "
             "give the changed definition a new version"});
  }
  report.added = std::move(merged.added);
  report.unchanged = merged.unchanged;
  return report;
}

}  // namespace pathways::workflows

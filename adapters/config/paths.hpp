#pragma once
// Paths in config files: relative ones are relative to the file's own directory.

#include <filesystem>
#include <string>

namespace pathways::config {

inline std::string DirOf(const std::string& file) {
  const std::filesystem::path parent = std::filesystem::path(file).parent_path();
  return parent.empty() ? "." : parent.string();
}

inline std::string Resolve(const std::string& base_dir, const std::string& path) {
  if (path.empty() || std::filesystem::path(path).is_absolute()) return path;
  return (std::filesystem::path(base_dir) / path).lexically_normal().string();
}

}  // namespace pathways::config

#include "adapters/web/assets.hpp"

#include <algorithm>
#include <vector>

namespace pathways::web {
namespace {

struct EmbeddedAsset {
  const char* path;
  const char* content_type;
  const char* begin;
  const char* end;
};

// Declares the embedded bytes (extern "C": the assembler's symbols) and defines kAssetVersion
// and kEmbeddedAssets.
#include "web_assets.inc"

std::vector<Asset> SortedAssets() {
  std::vector<Asset> out;
  for (const EmbeddedAsset& a : kEmbeddedAssets) {
    out.push_back({a.path, a.content_type,
                   std::string_view(a.begin, static_cast<std::size_t>(a.end - a.begin))});
  }
  std::sort(out.begin(), out.end(), [](const Asset& x, const Asset& y) { return x.path < y.path; });
  return out;
}

}  // namespace

const std::string& AssetPrefix() {
  static const std::string prefix = std::string("/assets/") + kAssetVersion;
  return prefix;
}

const Asset* FindAsset(std::string_view path) {
  static const std::vector<Asset> assets = SortedAssets();
  auto it = std::lower_bound(assets.begin(), assets.end(), path,
                             [](const Asset& a, std::string_view p) { return a.path < p; });
  return it != assets.end() && it->path == path ? &*it : nullptr;
}

}  // namespace pathways::web

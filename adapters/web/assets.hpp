#pragma once
// The workspace's static files (the design system's CSS, JS, fonts and icons, and our own),
// embedded in the binary at build time by embed_assets.cmake and served under
// /assets/VERSION/…: VERSION is a hash of every file, so each address is immutable and cached
// for a year.

#include <string>
#include <string_view>

namespace pathways::web {

struct Asset {
  std::string_view path;  // below the version: "dkfds/css/dkfds.min.css"
  std::string_view content_type;
  std::string_view bytes;
};

// "/assets/VERSION": the prefix every page links its files under.
const std::string& AssetPrefix();
// The asset at `path` below the prefix, or nullptr.
const Asset* FindAsset(std::string_view path);

}  // namespace pathways::web

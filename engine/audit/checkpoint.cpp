#include "engine/audit/checkpoint.hpp"

#include <charconv>

#include "engine/codec/base64.hpp"

namespace pathways::audit {

std::string HashBase64(const Hash256& h) {
  return codec::Base64Encode({reinterpret_cast<const char*>(h.data()), h.size()});
}

bool ParseHashBase64(std::string_view text, Hash256& out) {
  std::string bytes;
  if (!codec::Base64Decode(text, bytes) || bytes.size() != out.size() ||
      codec::Base64Encode(bytes) != text) {
    return false;
  }
  std::copy(bytes.begin(), bytes.end(), reinterpret_cast<char*>(out.data()));
  return true;
}

std::string CheckpointText(const Checkpoint& c) {
  std::string out = c.origin + "\n" + std::to_string(c.size) + "\n" + HashBase64(c.root) + "\n";
  for (const std::string& line : c.extensions) out += line + "\n";
  return out;
}

Result<Checkpoint> ParseCheckpoint(std::string_view text) {
  if (text.empty() || text.back() != '\n') {
    return Status::InvalidArgument("a checkpoint's text ends in a newline");
  }
  std::vector<std::string_view> lines;
  for (std::string_view rest = text; !rest.empty();) {
    const std::size_t end = rest.find('\n');
    lines.push_back(rest.substr(0, end));
    rest.remove_prefix(end + 1);
  }
  if (lines.size() < 3) {
    return Status::InvalidArgument("a checkpoint has three lines: origin, tree size and root");
  }
  Checkpoint c;
  if (lines[0].empty()) return Status::InvalidArgument("the checkpoint's origin line is empty");
  c.origin = std::string(lines[0]);
  const std::string_view size = lines[1];
  const auto [end, ec] = std::from_chars(size.data(), size.data() + size.size(), c.size);
  if (size.empty() || ec != std::errc() || end != size.data() + size.size() ||
      (size.size() > 1 && size[0] == '0')) {
    return Status::InvalidArgument(
        "the checkpoint's second line is not a tree size (decimal, no leading zeroes)");
  }
  if (!ParseHashBase64(lines[2], c.root)) {
    return Status::InvalidArgument("the checkpoint's third line is not a base64 SHA-256 root");
  }
  for (std::size_t i = 3; i < lines.size(); ++i) {
    if (lines[i].empty()) return Status::InvalidArgument("the checkpoint has an empty line");
    c.extensions.emplace_back(lines[i]);
  }
  return c;
}

}  // namespace pathways::audit

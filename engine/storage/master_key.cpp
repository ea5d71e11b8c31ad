#include "engine/storage/master_key.hpp"

#include "engine/codec/event_record.hpp"
#include "engine/storage/secret_file.hpp"

namespace pathways::storage {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string DefaultMasterKeyPath(const std::string& store_dir) {
  std::string dir = store_dir;
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  return dir + ".master-key";
}

Result<audit::Key256> LoadMasterKey(const std::string& path) {
  Result<std::string> read = ReadSecretFile(path, "master key file");
  if (!read.ok()) return read.status();
  std::string& text = *read;
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  audit::Key256 key{};
  bool valid = text.size() == 2 * key.size();
  for (std::size_t i = 0; valid && i < key.size(); ++i) {
    int hi = HexValue(text[2 * i]);
    int lo = HexValue(text[2 * i + 1]);
    valid = hi >= 0 && lo >= 0;
    if (valid) key[i] = static_cast<std::uint8_t>(hi << 4 | lo);
  }
  audit::Wipe(text.data(), text.size());
  if (!valid) {
    return Status::FailedPrecondition("master key file " + path +
                                      " does not hold 64 hex digits (a 256-bit key)");
  }
  return key;
}

Result<audit::Key256> CreateMasterKey(const std::string& path, RandomSource& random) {
  audit::Key256 key{};
  if (Status s = random.Fill(key); !s.ok()) return s;
  std::string text =
      codec::HexEncode(std::string_view(reinterpret_cast<const char*>(key.data()), key.size()));
  text.push_back('\n');
  Status st = CreateSecretFile(path, text, "master key file");
  audit::Wipe(text.data(), text.size());
  if (!st.ok()) return st;
  return key;
}

}  // namespace pathways::storage

#include "engine/storage/checkpoint_key.hpp"

#include <unistd.h>

#include <cstdio>

#include "engine/audit/aead.hpp"
#include "engine/storage/secret_file.hpp"

namespace pathways::storage {
namespace {

constexpr const char* kWhat = "checkpoint key file";

std::string Trimmed(std::string dir) {
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  return dir;
}

// Keeps what a key name may hold; anything else becomes `-`.
std::string NameSafe(const std::string& text) {
  std::string out;
  for (unsigned char c : text) {
    out.push_back(c > 0x20 && c < 0x7F && c != '+' ? static_cast<char>(c) : '-');
  }
  return out.empty() ? "store" : out;
}

}  // namespace

std::string DefaultCheckpointKeyPath(const std::string& store_dir) {
  return Trimmed(store_dir) + ".checkpoint-key";
}

std::string DefaultOrigin(const std::string& store_dir) {
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) != 0 || host[0] == '\0')
    std::snprintf(host, sizeof host, "localhost");
  const std::string dir = Trimmed(store_dir);
  const std::size_t slash = dir.rfind('/');
  return NameSafe(host) + "/pathways/" +
         NameSafe(slash == std::string::npos ? dir : dir.substr(slash + 1));
}

Result<audit::note::Signer> LoadCheckpointKey(const std::string& path) {
  Result<std::string> text = ReadSecretFile(path, kWhat);
  if (!text.ok()) return text.status();
  std::string key = *text;
  while (!key.empty() && (key.back() == '\n' || key.back() == '\r')) key.pop_back();
  Result<audit::note::Signer> signer = audit::note::DecodeSigner(key);
  audit::Wipe(key.data(), key.size());
  audit::Wipe(text->data(), text->size());
  if (!signer.ok()) {
    return Status::FailedPrecondition(std::string(kWhat) + " " + path + ": " +
                                      signer.status().message());
  }
  return signer;
}

Result<audit::note::Signer> CreateCheckpointKey(const std::string& path, const std::string& origin,
                                                RandomSource& random) {
  Result<audit::note::Signer> signer = audit::note::GenerateSigner(origin, random);
  if (!signer.ok()) return signer.status();
  std::string text = audit::note::EncodeSigner(*signer) + "\n";
  Status st = CreateSecretFile(path, text, kWhat);
  audit::Wipe(text.data(), text.size());
  if (!st.ok()) return st;
  return signer;
}

Result<audit::note::Signer> LoadOrCreateCheckpointKey(const std::string& path,
                                                      const std::string& origin,
                                                      RandomSource& random) {
  Result<audit::note::Signer> loaded = LoadCheckpointKey(path);
  if (loaded.status().code() != StatusCode::kNotFound) return loaded;
  return CreateCheckpointKey(path, origin, random);
}

}  // namespace pathways::storage

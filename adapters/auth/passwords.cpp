#include "adapters/auth/passwords.hpp"

#include <argon2.h>
#include <unistd.h>

#include <array>
#include <nlohmann/json.hpp>

#include "adapters/config/private_file.hpp"
#include "engine/codec/utf8.hpp"
#include "engine/random.hpp"
#include "workflows/yaml_reader.hpp"

namespace pathways::auth {
namespace {

constexpr std::size_t kSaltBytes = 16;
constexpr std::size_t kHashBytes = 32;

Result<nlohmann::json> ReadPasswords(const std::string& path) {
  if (::access(path.c_str(), F_OK) != 0)
    return nlohmann::json{{"passwords", nlohmann::json::object()}};
  std::string text;
  if (!workflows::ReadWholeFile(path, text)) return Status::IOError("cannot read " + path);
  nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  if (!j.is_object() || !j.contains("passwords") || !j["passwords"].is_object()) {
    return Status::Corruption(path + " is not a Pathways passwords file");
  }
  return j;
}

}  // namespace

Status CheckPassword(std::string_view password) {
  if (password.size() < 12) return Status::InvalidArgument("a password has at least 12 characters");
  if (password.size() > 1024) return Status::InvalidArgument("a password has at most 1024 bytes");
  if (!codec::IsValidUtf8(password)) return Status::InvalidArgument("a password is UTF-8 text");
  return Status::Ok();
}

Result<std::string> HashPassword(std::string_view password) {
  if (Status st = CheckPassword(password); !st.ok()) return st;
  std::array<std::uint8_t, kSaltBytes> salt{};
  CryptoRandom random;
  if (Status st = random.Fill(salt); !st.ok()) return st;
  std::string encoded(argon2_encodedlen(kArgon2Passes, kArgon2MemoryKiB, kArgon2Lanes, kSaltBytes,
                                        kHashBytes, Argon2_id),
                      '\0');
  const int rc = argon2id_hash_encoded(kArgon2Passes, kArgon2MemoryKiB, kArgon2Lanes,
                                       password.data(), password.size(), salt.data(), salt.size(),
                                       kHashBytes, encoded.data(), encoded.size());
  if (rc != ARGON2_OK) {
    return Status::IOError(std::string("Argon2id: ") + argon2_error_message(rc));
  }
  encoded.resize(encoded.find('\0'));
  return encoded;
}

bool VerifyPassword(const std::string& encoded, std::string_view password) {
  if (!encoded.starts_with("$argon2id$")) return false;
  return argon2id_verify(encoded.c_str(), password.data(), password.size()) == ARGON2_OK;
}

Status PasswordFile::Set(const std::string& user, std::string_view password,
                         TimestampMs now) const {
  Result<std::string> encoded = HashPassword(password);
  if (!encoded.ok()) return encoded.status();
  if (Status st = config::EnsurePrivateFolder(path_); !st.ok()) return st;
  config::FileLock lock(path_);
  if (!lock.ok()) return Status::IOError("cannot lock " + path_ + ".lock");
  Result<nlohmann::json> all = ReadPasswords(path_);
  if (!all.ok()) return all.status();
  (*all)["passwords"][user] = {{"argon2id", *encoded}, {"set_at", now}};
  return config::WritePrivateFile(path_, all->dump(2) + "\n");
}

Result<bool> PasswordFile::Verify(const std::string& user, std::string_view password) const {
  Result<nlohmann::json> all = ReadPasswords(path_);
  if (!all.ok()) return all.status();
  const nlohmann::json& users = (*all)["passwords"];
  const auto it = users.find(user);
  if (it == users.end() || !it->is_object()) return false;
  return VerifyPassword(it->value("argon2id", ""), password);
}

}  // namespace pathways::auth

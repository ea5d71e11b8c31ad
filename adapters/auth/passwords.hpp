#pragma once
// Users' passwords for signing in to the workspace: hashed with Argon2id (the reference
// implementation, Debian's libargon2), in PHC string form with a random salt per password, in
// a private JSON file the CLI writes (`pathways user set-password USER`) and the server reads.
// Never a password itself, anywhere.
//
// Thread-safe: free functions, and the file under an advisory lock.

#include <string>
#include <string_view>

#include "engine/clock.hpp"
#include "engine/result.hpp"

namespace pathways::auth {

// OWASP's Argon2id setting: 19 MiB of memory, 2 passes, 1 lane.
inline constexpr std::uint32_t kArgon2MemoryKiB = 19 * 1024;
inline constexpr std::uint32_t kArgon2Passes = 2;
inline constexpr std::uint32_t kArgon2Lanes = 1;

// What a password must be: 12 to 1024 bytes of UTF-8 (a passphrase is welcome; nothing else is
// demanded of it). InvalidArgument saying why.
Status CheckPassword(std::string_view password);

// "$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>".
Result<std::string> HashPassword(std::string_view password);
// Whether `password` is the one `encoded` was made from (false for anything malformed).
bool VerifyPassword(const std::string& encoded, std::string_view password);

// The passwords file: {"passwords": {USER: {"argon2id": ENCODED, "set_at": MS}}}.
class PasswordFile {
 public:
  explicit PasswordFile(std::string path) : path_(std::move(path)) {}
  // Hashes and stores `password` for `user`, replacing one set before.
  Status Set(const std::string& user, std::string_view password, TimestampMs now) const;
  // Whether `user` has a password and `password` is it.
  Result<bool> Verify(const std::string& user, std::string_view password) const;

 private:
  std::string path_;
};

}  // namespace pathways::auth

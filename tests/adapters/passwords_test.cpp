// Passwords for the workspace's sign-in: Argon2id in PHC form with a salt of its own, the
// policy's refusals, and the private file the CLI writes and the server reads.

#include "adapters/auth/passwords.hpp"

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

#include "tests/support/temp_store.hpp"

namespace pathways::auth {
namespace {

TEST_CASE("passwords: Argon2id with OWASP's setting, a salt each, and only the right one fits") {
  Result<std::string> a = HashPassword("korrekt hest batteri");
  REQUIRE(a.ok());
  CHECK(a->starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
  CHECK(a->find("korrekt") == std::string::npos);
  Result<std::string> b = HashPassword("korrekt hest batteri");
  REQUIRE(b.ok());
  CHECK(*a != *b);  // a salt of its own
  CHECK(VerifyPassword(*a, "korrekt hest batteri"));
  CHECK(VerifyPassword(*b, "korrekt hest batteri"));
  CHECK_FALSE(VerifyPassword(*a, "korrekt hest batteri "));
  CHECK_FALSE(VerifyPassword(*a, ""));
  CHECK_FALSE(VerifyPassword("", "korrekt hest batteri"));
  CHECK_FALSE(VerifyPassword("$argon2i$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaA", "x"));
  CHECK_FALSE(VerifyPassword("not a hash", "korrekt hest batteri"));
}

TEST_CASE("passwords: too short, too long or not text is refused, and never hashed") {
  CHECK(CheckPassword("elleve tegn").code() == StatusCode::kInvalidArgument);  // 11
  CHECK(CheckPassword("tolv tegn ok").ok());                                   // 12
  CHECK(CheckPassword(std::string(1025, 'x')).code() == StatusCode::kInvalidArgument);
  CHECK(CheckPassword("ugyldig \xff\xfe tekst").code() == StatusCode::kInvalidArgument);
  CHECK(HashPassword("kort").status().code() == StatusCode::kInvalidArgument);
}

TEST_CASE("the passwords file: private, replaced whole, the hash only") {
  testing::TempDir tmp;
  const std::string path = tmp / "var/passwords.json";
  PasswordFile file(path);
  CHECK(*file.Verify("anne", "hvad som helst her") == false);  // no file: no passwords
  REQUIRE(file.Set("anne", "første adgangskode", 1000).ok());
  REQUIRE(file.Set("bo", "bos egen adgangskode", 1001).ok());
  CHECK(*file.Verify("anne", "første adgangskode"));
  CHECK_FALSE(*file.Verify("anne", "bos egen adgangskode"));
  CHECK(*file.Verify("bo", "bos egen adgangskode"));
  CHECK_FALSE(*file.Verify("carl", "første adgangskode"));
  REQUIRE(file.Set("anne", "en ny adgangskode", 2000).ok());
  CHECK_FALSE(*file.Verify("anne", "første adgangskode"));
  CHECK(*file.Verify("anne", "en ny adgangskode"));

  namespace fs = std::filesystem;
  CHECK((fs::status(path).permissions() & (fs::perms::group_all | fs::perms::others_all)) ==
        fs::perms::none);
  CHECK((fs::status(tmp / "var").permissions() & fs::perms::others_all) == fs::perms::none);
  std::ifstream in(path);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  CHECK(text.find("adgangskode") == std::string::npos);
  CHECK(text.find("$argon2id$") != std::string::npos);

  // A damaged file is said to be so, and is not overwritten.
  std::ofstream(path) << "{not json";
  CHECK(file.Verify("anne", "en ny adgangskode").status().code() == StatusCode::kCorruption);
  CHECK(file.Set("anne", "endnu en adgangskode", 3000).code() == StatusCode::kCorruption);
  std::ifstream again(path);
  CHECK(std::string((std::istreambuf_iterator<char>(again)), std::istreambuf_iterator<char>()) ==
        "{not json");
}

}  // namespace
}  // namespace pathways::auth

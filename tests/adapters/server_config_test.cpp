// The users file: schools of the partnership, each user's role and school, and every mistake
// named at its line and column.

#include "adapters/config/server_config.hpp"

#include <doctest/doctest.h>

#include <fstream>

#include "tests/support/temp_store.hpp"

namespace pathways::config {
namespace {

ConfigResult Load(const testing::TempDir& tmp, const std::string& users) {
  std::ofstream(tmp / "users.yaml") << users;
  std::ofstream(tmp / "pathways.yaml") << "data: store\nworkflows: []\nusers: users.yaml\n";
  return LoadServerConfig(tmp / "pathways.yaml");
}

TEST_CASE("users file: schools, and users who belong to one") {
  testing::TempDir tmp;
  ConfigResult ok = Load(tmp, R"(schools:
  amigo_skolen: {name: AMIGO-skolen}
  teknisk_skole: {name: Teknisk Skole}
users:
  anne: {name: Anne, role: counsellor, school: amigo_skolen}
  tove: {name: Tove, role: team_lead, school: amigo_skolen}
  sara: {name: Sara, role: administrator, school: teknisk_skole}
  admin: {name: Admin, role: administrator}
  revisor: {name: Revisor, role: auditor}
)");
  REQUIRE(ok.diagnostics.empty());
  CHECK(ok.config.schools.size() == 2);
  CHECK(ok.config.schools.at("teknisk_skole").name == "Teknisk Skole");
  CHECK(ok.config.users.at("tove").role == Role::kTeamLead);
  CHECK(ok.config.users.at("tove").school == "amigo_skolen");
  CHECK(ok.config.users.at("admin").school.empty());
  CHECK(RoleName(Role::kTeamLead) == "team_lead");
}

TEST_CASE("users file: each mistake about schools is named where it stands") {
  testing::TempDir tmp;
  ConfigResult bad = Load(tmp, R"(schools:
  Amigo Skolen: {name: AMIGO-skolen}
  teknisk_skole: {}
users:
  anne: {name: Anne, role: counsellor}
  bo: {name: Bo, role: counsellor, school: teknisk_skol}
  revisor: {name: Revisor, role: auditor, school: teknisk_skole}
  tove: {name: Tove, role: teamlead, school: teknisk_skole}
)");
  std::vector<std::string> said;
  for (const auto& d : bad.diagnostics) said.push_back(d.ToString());
  auto names = [&](const std::string& where, const std::string& what) {
    const bool found = std::any_of(said.begin(), said.end(), [&](const std::string& s) {
      return s.find(where) != std::string::npos && s.find(what) != std::string::npos;
    });
    CHECK_MESSAGE(found, where << " " << what);
  };
  names("users.yaml:2:", "lower_snake_case");
  names("users.yaml:3:", "needs a `name`");
  names("users.yaml:5:", "needs a `school`");
  names("users.yaml:6:", "did you mean `teknisk_skole`");
  names("users.yaml:7:", "an auditor sees every school");
  names("users.yaml:8:", "team_lead");
}

TEST_CASE("config: the workspace's sessions and throttle, and a wrong origin at its place") {
  testing::TempDir tmp;
  std::ofstream(tmp / "pathways.yaml") << "data: store\nworkflows: []\nworkspace:\n"
                                          "  idle_minutes: 20\n  session_hours: 8\n"
                                          "  failures_per_user: 3\n"
                                          "  origin: https://pathways.example.dk\n";
  ConfigResult ok = LoadServerConfig(tmp / "pathways.yaml");
  REQUIRE(ok.diagnostics.empty());
  CHECK(ok.config.workspace.idle_minutes == 20);
  CHECK(ok.config.workspace.session_hours == 8);
  CHECK(ok.config.workspace.failures_per_user == 3);
  CHECK(ok.config.workspace.failures_per_address == 20);
  CHECK(ok.config.workspace.origin == "https://pathways.example.dk");

  for (const auto& [yaml, where, says] :
       std::vector<std::tuple<std::string, std::string, std::string>>{
           {"  origin: https://pathways.example.dk/app\n", ":4:11:", "no path"},
           {"  origin: pathways.example.dk\n", ":4:11:", "scheme and host"},
           {"  idle_minutes: 0\n", ":4:17:", "workspace.idle_minutes"},
           {"  session: 8\n", ":4:3:", "session"}}) {
    std::ofstream(tmp / "bad.yaml") << "data: store\nworkflows: []\nworkspace:\n" << yaml;
    ConfigResult bad = LoadServerConfig(tmp / "bad.yaml");
    REQUIRE_MESSAGE(bad.diagnostics.size() == 1, yaml);
    const std::string text = bad.diagnostics[0].ToString();
    CHECK_MESSAGE(text.find("bad.yaml" + where) != std::string::npos, text);
    CHECK_MESSAGE(text.find(says) != std::string::npos, text);
  }
}

}  // namespace
}  // namespace pathways::config

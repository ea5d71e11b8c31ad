// The `pathways` command line as a user runs it: exit codes and what it prints.

#include <doctest/doctest.h>
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "engine/storage/store_format.hpp"
#include "tests/support/cli_run.hpp"
#include "tests/support/raw_db.hpp"
#include "tests/support/temp_store.hpp"
#include "workflows/yaml_reader.hpp"

namespace pathways {
namespace {

using testing::Pathways;
using testing::Run;

void Populate(const std::string& dir) {
  ManualClock clock(testing::kTestEpochMs);
  auto store = testing::OpenStore(dir, clock);
  for (int i = 0; i < 12; ++i) {
    AppendRequest r = testing::Request("pw-" + std::to_string(i % 3), "c" + std::to_string(i));
    if (i < 3) r.events[0].personal[PersonalScope::kIdentity] = {{"name", "Navn Nielsen"}};
    REQUIRE(store->Append(std::move(r)).ok());
  }
}

TEST_CASE("verify: exit 0 with count and head, exit 3 naming the altered position") {
  testing::TempDir tmp;
  Populate(tmp / "store");
  Run ok = Pathways("verify --data " + (tmp / "store"));
  CHECK(ok.exit_code == 0);
  CHECK(ok.out.find("ok: 12 events") != std::string::npos);

  Run json = Pathways("verify --json --data " + (tmp / "store"));
  auto report = nlohmann::json::parse(json.out);
  CHECK(report["ok"] == true);
  CHECK(report["events"] == 12);
  CHECK(report["head_hash"].get<std::string>().size() == 64);

  {
    testing::RawDb raw(tmp / "store");
    std::string v = raw.Get("events", storage::EventKey(8));
    v[v.size() / 2] ^= 0x20;
    raw.Put("events", storage::EventKey(8), v);
  }
  Run bad = Pathways("verify --data " + (tmp / "store"));
  CHECK(bad.exit_code == 3);
  CHECK_MESSAGE(bad.out.find("position 8") != std::string::npos, bad.out);
}

TEST_CASE("verify and export work while another process holds the store") {
  testing::TempDir tmp;
  Populate(tmp / "store");
  ManualClock clock(testing::kTestEpochMs);
  auto writer = testing::OpenStore(tmp / "store", clock);  // holds RocksDB's lock
  REQUIRE(writer->Append(testing::Request("pw-9", "while-open")).ok());
  Run verify = Pathways("verify --data " + (tmp / "store"));
  CHECK(verify.exit_code == 0);
  CHECK(verify.out.find("ok: 13 events") != std::string::npos);
  Run exported = Pathways("export --data " + (tmp / "store") + " --from 13");
  CHECK(exported.exit_code == 0);
  CHECK(nlohmann::json::parse(exported.out)["command_id"] == "while-open");

  Run forget = Pathways("forget p-pw-0 --data " + (tmp / "store") + " 2>&1");
  CHECK(forget.exit_code == 1);
  CHECK_MESSAGE(forget.out.find("another process") != std::string::npos, forget.out);
}

// Rows of RFC 4180 CSV: quoted cells may hold commas, doubled quotes and line breaks.
std::vector<std::vector<std::string>> ParseCsv(const std::string& text) {
  std::vector<std::vector<std::string>> rows(1);
  std::string cell;
  bool quoted = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        cell += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        cell += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',' || c == '\n') {
      rows.back().push_back(std::move(cell));
      cell.clear();
      if (c == '\n') rows.emplace_back();
    } else {
      cell += c;
    }
  }
  rows.pop_back();  // after the last line end
  return rows;
}

TEST_CASE("export as CSV: a header, one row per event, JSON cells quoted, --from and --to") {
  testing::TempDir tmp;
  Populate(tmp / "store");
  Run jsonl = Pathways("export --data " + (tmp / "store"));
  Run csv = Pathways("export --format csv --data " + (tmp / "store"));
  REQUIRE(csv.exit_code == 0);
  auto rows = ParseCsv(csv.out);
  REQUIRE(rows.size() >= 2);
  CHECK(rows[0].front() == "position");
  CHECK(rows[0].back() == "hash");
  std::size_t lines = 0;
  for (std::size_t at = 0; (at = jsonl.out.find('\n', at)) != std::string::npos; ++at) ++lines;
  CHECK(rows.size() == lines + 1);
  const auto first = nlohmann::json::parse(jsonl.out.substr(0, jsonl.out.find('\n')));
  for (const auto& row : rows) CHECK(row.size() == rows[0].size());
  CHECK(rows[1][0] == "1");
  CHECK(rows[1][4] == first["type"]);
  CHECK(nlohmann::json::parse(rows[1][15]) == first["data"]);
  CHECK(rows[1][18] == first["hash"]);
  CHECK(csv.out.find("Navn Nielsen") == std::string::npos);

  Run range = Pathways("export --format csv --from 2 --to 3 --data " + (tmp / "store"));
  auto part = ParseCsv(range.out);
  REQUIRE(part.size() == 3);
  CHECK(part[1][0] == "2");
  CHECK(part[2][0] == "3");
  CHECK(Pathways("export --format xml --data " + (tmp / "store") + " 2>&1").exit_code == 2);
}

TEST_CASE("backup and restore: the restored store verifies, a damaged backup restores nothing") {
  testing::TempDir tmp;
  Populate(tmp / "store");
  Run backup = Pathways("backup --data " + (tmp / "store") + " --to " + (tmp / "backups"));
  REQUIRE_MESSAGE(backup.exit_code == 0, backup.out);
  CHECK(backup.out.find("backup 1") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(tmp / "backups/master-key"));
  REQUIRE(
      Pathways("backup --with-master-key --data " + (tmp / "store") + " --to " + (tmp / "backups"))
          .exit_code == 0);
  Run list = Pathways("restore --list --from " + (tmp / "backups"));
  CHECK(list.out.find("1  ") == 0);
  CHECK(list.out.find("\n2  ") != std::string::npos);

  Run restored = Pathways("restore --from " + (tmp / "backups") + " --data " + (tmp / "copy"));
  REQUIRE_MESSAGE(restored.exit_code == 0, restored.out);
  CHECK(restored.out.find("the chain verifies") != std::string::npos);
  const std::string original = Pathways("verify --data " + (tmp / "store")).out;
  CHECK(Pathways("verify --data " + (tmp / "copy")).out == original);
  // The newest backup held the key: personal data reads in the copy.
  CHECK(Pathways("export --include-personal --data " + (tmp / "copy")).out.find("Navn Nielsen") !=
        std::string::npos);
  Run again =
      Pathways("restore --from " + (tmp / "backups") + " --data " + (tmp / "copy") + " 2>&1");
  CHECK(again.exit_code == 1);
  CHECK(again.out.find("never overwritten") != std::string::npos);

  // Flip a byte in every stored table file: the checksums catch it, nothing is restored.
  for (const auto& f : std::filesystem::directory_iterator(tmp / "backups/shared_checksum")) {
    std::fstream file(f.path(), std::ios::in | std::ios::out | std::ios::binary);
    file.seekg(20);
    char byte = 0;
    file.read(&byte, 1);
    file.seekp(20);
    byte = static_cast<char>(byte ^ 0x5a);
    file.write(&byte, 1);
  }
  Run damaged =
      Pathways("restore --from " + (tmp / "backups") + " --data " + (tmp / "bad") + " 2>&1");
  CHECK(damaged.exit_code == 1);
  CHECK_FALSE(std::filesystem::exists(tmp / "bad"));
  CHECK_FALSE(std::filesystem::exists(tmp / "bad.restoring"));
}

TEST_CASE("export and forget from the command line") {
  testing::TempDir tmp;
  Populate(tmp / "store");
  Run sealed = Pathways("export --data " + (tmp / "store"));
  REQUIRE(sealed.exit_code == 0);
  CHECK(sealed.out.find("Navn Nielsen") == std::string::npos);
  Run open = Pathways("export --include-personal --data " + (tmp / "store"));
  CHECK(open.out.find("Navn Nielsen") != std::string::npos);

  Run forget = Pathways("forget p-pw-0 --scope all --reason 'request from participant' --data " +
                        (tmp / "store"));
  CHECK(forget.exit_code == 0);
  CHECK(forget.out.find(
            "erased guidance, identity and special data of participant p-pw-0 (log position "
            "13)") != std::string::npos);

  Run after = Pathways("export --include-personal --data " + (tmp / "store"));
  auto first = nlohmann::json::parse(after.out.substr(0, after.out.find('\n')));
  CHECK(first["personal"]["identity"] == nlohmann::json{{"erased", true}});
  CHECK(Pathways("verify --data " + (tmp / "store")).exit_code == 0);

  Run unknown = Pathways("forget nobody --data " + (tmp / "store") + " 2>&1");
  CHECK(unknown.exit_code == 1);
  CHECK(unknown.out.find("no pathway") != std::string::npos);

  // Before the ESF audit end of the reports file, the identity is kept, restricted.
  const std::string source = PATHWAYS_SOURCE_DIR;
  const std::string reports = " --reports " + source + "/config/reports.yaml --workflows " +
                              source + "/config/workflows --data " + (tmp / "store");
  Run broken = Pathways("forget p-pw-1 --reports " + source + "/config/pathways.yaml --workflows " +
                        source + "/config/workflows --data " + (tmp / "store") + " 2>&1");
  CHECK(broken.exit_code == 2);
  CHECK(broken.out.find("pathways.yaml:") != std::string::npos);
  Run kept = Pathways("forget p-pw-1 --reason 'asked by the participant'" + reports);
  CHECK(kept.exit_code == 0);
  CHECK(kept.out.find("erased guidance data of participant p-pw-1") != std::string::npos);
  CHECK(kept.out.find("identity and special data restricted until the ESF audit end 2032-12-31") !=
        std::string::npos);
  Run listed = Pathways("export --include-personal --data " + (tmp / "store"));
  CHECK(listed.out.find("\"type\":\"PersonalDataRestricted\"") != std::string::npos);
  // Kept (the export opens it with the master key, as an auditor's reading does).
  bool kept_name = false;
  std::istringstream lines(listed.out);
  for (std::string line; std::getline(lines, line);) {
    const auto e = nlohmann::json::parse(line);
    if (e["stream_id"] == "pw-1" && e["version"] == 1) {
      kept_name = e["personal"]["identity"]["name"] == "Navn Nielsen";
    }
  }
  CHECK(kept_name);
  CHECK(Pathways("verify --data " + (tmp / "store")).exit_code == 0);
}

TEST_CASE("bad command lines and missing stores get clear errors") {
  testing::TempDir tmp;
  Run missing = Pathways("verify --data " + (tmp / "nowhere") + " 2>&1");
  CHECK(missing.exit_code == 1);
  CHECK(missing.out.find("no Pathways store") != std::string::npos);
  Run usage = Pathways("verify 2>&1");
  CHECK(usage.exit_code == 2);
  Run scope = Pathways("forget p --scope everything --data x 2>&1");
  CHECK(scope.exit_code == 2);
  Run key = Pathways("export --include-personal --data " + (tmp / "store") +
                     " --master-key /nonexistent 2>&1");
  CHECK(key.exit_code == 1);

  // Help and errors say what a person needs, not the parser's internals.
  Run unknown = Pathways("frobnicate 2>&1");
  CHECK(unknown.exit_code == 2);
  CHECK(unknown.out.find("unknown command `frobnicate`") != std::string::npos);
  CHECK(Pathways("token issue --help").out.find("--config") != std::string::npos);
  Run format_help = Pathways("export --help");
  CHECK(format_help.out.find("jsonl|csv") != std::string::npos);
  CHECK(format_help.out.find("->") == std::string::npos);
  Run format = Pathways("export --format xml --data x 2>&1");
  CHECK(format.exit_code == 2);
  CHECK(format.out.find("->") == std::string::npos);
  CHECK(Pathways("restore --help").out.find("required unless --list") != std::string::npos);
  CHECK(Pathways("forget --help").out.find("default: all") != std::string::npos);
  Run no_config = Pathways("token issue anne 2>&1");
  CHECK(no_config.exit_code == 2);
  CHECK(no_config.out.find("--config FILE") != std::string::npos);
}

TEST_CASE("a refused start creates nothing, and check-config names every file's problem") {
  testing::TempDir tmp;
  std::filesystem::create_directories(tmp / "templates");
  std::ofstream(tmp / "users.yaml") << "users:\n  anne: {name: Anne, role: counsellor}\n"
                                       "  admin: {name: Admin, role: administrator}\n";
  const std::string base = "data: store\nworkflows: [" + std::string(PATHWAYS_SOURCE_DIR) +
                           "/config/workflows]\nusers: users.yaml\ntokens: tokens.json\n";
  auto write = [&](const std::string& name, const std::string& extra,
                   const std::string& notifications) {
    std::ofstream(tmp / (name + ".yaml")) << base << extra;
    if (!notifications.empty()) std::ofstream(tmp / (name + "-notify.yaml")) << notifications;
    return tmp / (name + ".yaml");
  };
  auto nothing_created = [&] {
    return !std::filesystem::exists(tmp / "store") &&
           !std::filesystem::exists(tmp / "store.master-key") &&
           !std::filesystem::exists(tmp / "store.creating");
  };

  // A template that does not parse: named at its line and column.
  std::ofstream(tmp / "templates/notification.da.txt") << "Hej\n\n{{#unclosed}}\nslut\n";
  const std::string broken_template =
      write("t", "notifications: t-notify.yaml\n", "templates: templates\nparties: {}\n");
  Run t = Pathways("serve --config " + broken_template + " 2>&1");
  CHECK(t.exit_code == 2);
  CHECK_MESSAGE(t.out.find("notification.da.txt:3:1: error: not a valid Mustache template") !=
                    std::string::npos,
                t.out);
  CHECK(nothing_created());

  // An inbox naming a user who does not exist.
  const std::string inbox =
      write("i", "notifications: i-notify.yaml\n", "parties:\n  team_lead:\n    inbox: [nobody]\n");
  Run i = Pathways("serve --config " + inbox + " 2>&1");
  CHECK(i.exit_code == 2);
  CHECK(i.out.find("i-notify.yaml:2:3: error: the inbox of party team_lead") != std::string::npos);
  CHECK(i.out.find("names user `nobody`, who is not in") != std::string::npos);
  CHECK(nothing_created());

  // A partner's referrals going to someone who is not a counsellor.
  const std::string referrals =
      write("r", "notifications: r-notify.yaml\n",
            "parties:\n  referring_authority:\n    inbound:\n"
            "      secrets: [whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw]\n"
            "      referrals: {referral_source: jobcenter, contact_person: admin}\n");
  Run r = Pathways("serve --config " + referrals + " 2>&1");
  CHECK(r.exit_code == 2);
  CHECK_MESSAGE(r.out.find("r-notify.yaml:5:18: error: the referrals of party referring_authority: "
                           "`admin` is not a counsellor in") != std::string::npos,
                r.out);
  CHECK(nothing_created());

  // A TLS certificate that is not there.
  const std::string tls = write(
      "s",
      "tls: {certificate: " + (tmp / "none.pem") + ", private_key: " + (tmp / "none.key") + "}\n",
      "");
  Run s = Pathways("serve --config " + tls + " 2>&1");
  CHECK(s.exit_code == 2);
  CHECK(s.out.find("TLS: cannot use") != std::string::npos);
  CHECK(nothing_created());

  // check-config (and serve --check) read everything and create nothing.
  const std::string good = write("g", "", "");
  Run ok = Pathways("check-config --config " + good + " 2>&1");
  CHECK_MESSAGE(ok.exit_code == 0, ok.out);
  CHECK(ok.out.find("ok: ") == 0);
  CHECK(ok.out.find("created on first start") != std::string::npos);
  CHECK(Pathways("serve --check --config " + good).exit_code == 0);
  CHECK(Pathways("check-config --config " + broken_template + " 2>&1").exit_code == 2);
  CHECK(nothing_created());
}

TEST_CASE("user set-password: from stdin, kept as Argon2id only, refusals write nothing") {
  testing::TempDir tmp;
  std::ofstream(tmp / "users.yaml") << "users:\n  anne: {name: Anne, role: counsellor}\n"
                                       "  jc: {name: Jobcenter, role: partner}\n";
  std::ofstream(tmp / "pathways.yaml")
      << "data: store\nworkflows: []\nusers: users.yaml\npasswords: var/passwords.json\n";
  const std::string set = " user set-password --config " + (tmp / "pathways.yaml") + " ";
  const std::string file = tmp / "var/passwords.json";
  auto piped = [&](const std::string& input, const std::string& user) {
    return Pathways(set + user + " 2>&1 <<'EOF'\n" + input + "\nEOF");
  };
  Run short_one = piped("kort", "anne");
  CHECK(short_one.exit_code == 2);
  CHECK(short_one.out.find("at least 12 characters") != std::string::npos);
  Run partner = piped("en god lang adgangskode", "jc");
  CHECK(partner.exit_code == 2);
  Run nobody = piped("en god lang adgangskode", "carl");
  CHECK(nobody.exit_code == 2);
  CHECK_FALSE(std::filesystem::exists(file));

  Run ok = piped("en god lang adgangskode", "anne");
  CHECK_MESSAGE(ok.exit_code == 0, ok.out);
  CHECK(ok.out.find("password set for anne") != std::string::npos);
  std::string text;
  REQUIRE(workflows::ReadWholeFile(file, text));
  CHECK(text.find("$argon2id$v=19$") != std::string::npos);
  CHECK(text.find("adgangskode") == std::string::npos);
  CHECK((std::filesystem::status(file).permissions() & std::filesystem::perms::others_all) ==
        std::filesystem::perms::none);
}

TEST_CASE("token issue on a fresh setup creates the tokens file's folder, private") {
  testing::TempDir tmp;
  std::ofstream(tmp / "users.yaml") << "users:\n  anne: {name: Anne, role: counsellor}\n";
  std::ofstream(tmp / "pathways.yaml")
      << "data: store\nworkflows: [" << PATHWAYS_SOURCE_DIR
      << "/config/workflows]\nusers: users.yaml\ntokens: var/secrets/tokens.json\n";
  Run issued = Pathways("token issue anne --config " + (tmp / "pathways.yaml") + " 2>&1");
  CHECK_MESSAGE(issued.exit_code == 0, issued.out);
  CHECK(issued.out.rfind("pw_", 0) == 0);
  CHECK(std::filesystem::exists(tmp / "var/secrets/tokens.json"));
  CHECK((std::filesystem::status(tmp / "var/secrets").permissions() &
         std::filesystem::perms::others_all) == std::filesystem::perms::none);
  // --config before the subcommand works as well.
  CHECK(Pathways("token --config " + (tmp / "pathways.yaml") + " list").exit_code == 0);
}

}  // namespace
}  // namespace pathways

namespace pathways {
namespace {

TEST_CASE(
    "validate: a summary and exit 0 for a good file, FILE:LINE:COL and exit 2 for a bad one") {
  Run good =
      Pathways(std::string("validate ") + PATHWAYS_SOURCE_DIR + "/config/workflows/amigo.yaml");
  CHECK(good.exit_code == 0);
  CHECK(good.out.find("ok: amigo version 4") != std::string::npos);

  testing::TempDir tmp;
  const std::string bad = tmp / "bad.yaml";
  std::ofstream(bad) << "id: x\nversion: 1\nstates:\n  - {id: a, label: A}\n"
                        "transitions:\n  - {trigger: go, from: a, to: b}\n";
  Run r = Pathways("validate " + bad + " 2>&1");
  CHECK(r.exit_code == 2);
  CHECK_MESSAGE(r.out.find(bad + ":6:32: error: unknown state `b`") != std::string::npos, r.out);
  CHECK(r.out.find("problem") != std::string::npos);

  Run missing = Pathways("validate " + (tmp / "none.yaml") + " 2>&1");
  CHECK(missing.exit_code == 2);
  CHECK(missing.out.find("cannot read the file") != std::string::npos);
}

}  // namespace
}  // namespace pathways

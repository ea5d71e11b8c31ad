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
#include "tests/support/raw_db.hpp"
#include "tests/support/temp_store.hpp"
#include "workflows/yaml_reader.hpp"

namespace pathways {
namespace {

struct Run {
  int exit_code = -1;
  std::string out;
};

// Runs `pathways ARGS` and captures stdout (stderr goes to stdout too with `2>&1` in args).
Run Pathways(const std::string& args) {
  Run r;
  std::string command = std::string(PATHWAYS_BIN) + " " + args;
  std::FILE* p = ::popen(command.c_str(), "r");
  REQUIRE(p != nullptr);
  char buf[4096];
  for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, p)) > 0;) r.out.append(buf, n);
  int status = ::pclose(p);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

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

TEST_CASE("import: with schools, each lead names its school and a counsellor of it") {
  testing::TempDir tmp;
  const std::string workflows = std::string(PATHWAYS_SOURCE_DIR) + "/config/workflows";
  std::ofstream(tmp / "users.yaml")
      << "schools:\n  nord: {name: Nord}\n  syd: {name: Syd}\n"
         "users:\n  anne: {name: Anne, role: counsellor, school: nord}\n"
         "  bo: {name: Bo, role: counsellor, school: syd}\n";
  std::ofstream(tmp / "pathways.yaml")
      << "data: store\nworkflows: [" << workflows << "]\nusers: users.yaml\n";
  const std::string base = "import --data " + (tmp / "store") + " --workflow " + workflows +
                           " --config " + (tmp / "pathways.yaml") + " ";
  std::ofstream(tmp / "none.csv") << "referral_source,contact_person\njobcenter,anne\n";
  Run none = Pathways(base + (tmp / "none.csv") + " 2>&1");
  CHECK(none.exit_code == 2);
  CHECK(none.out.find("none.csv:1: the users file has schools: a school column") !=
        std::string::npos);
  std::ofstream(tmp / "leads.csv") << "referral_source,school,contact_person\n"
                                      "jobcenter,nord,anne\n"
                                      "union,syd,anne\n"
                                      "union,vest,\n";
  Run bad = Pathways(base + (tmp / "leads.csv") + " 2>&1");
  CHECK(bad.exit_code == 2);
  CHECK(bad.out.find("leads.csv:3: contact_person `anne` is not of school `syd`") !=
        std::string::npos);
  CHECK(bad.out.find("leads.csv:4: school `vest` is not in the users file") != std::string::npos);
  Run some = Pathways(base + (tmp / "leads.csv") + " --skip-bad 2>&1");
  CHECK_MESSAGE(some.exit_code == 0, some.out);
  CHECK(some.out.find("imported 1 lead(s)") != std::string::npos);
}

TEST_CASE("import: every bad row named by its line, none imported unless told, never twice") {
  testing::TempDir tmp;
  const std::string workflows = std::string(PATHWAYS_SOURCE_DIR) + "/config/workflows";
  std::ofstream(tmp / "users.yaml") << "users:\n  anne: {name: Anne, role: counsellor}\n"
                                       "  bo: {name: Bo, role: counsellor}\n"
                                       "  admin: {name: Admin, role: administrator}\n";
  std::ofstream(tmp / "pathways.yaml")
      << "data: store\nworkflows: [" << workflows << "]\nusers: users.yaml\n";
  const std::string base = "import --data " + (tmp / "store") + " --workflow " + workflows +
                           " --config " + (tmp / "pathways.yaml") + " ";
  std::ofstream(tmp / "bad.csv")
      << "referral_source,contact_person,data.age_at_entry,identity.name\n"
         "jobcenter,anne,31,\"Nielsen, Navn\"\n"
         "jobcenter,anne,thirty,X\n"
         "union,bo,40,\"two\nlines\"\n"  // one record over lines 4-5
         ",bo,40,Z\n"
         "union,bo\n";
  Run refused = Pathways(base + (tmp / "bad.csv") + " 2>&1");
  CHECK(refused.exit_code == 2);
  CHECK(refused.out.find("bad.csv:3: data.age_at_entry: `thirty` is not a whole number") !=
        std::string::npos);
  CHECK(refused.out.find("bad.csv:6: referral_source is empty") != std::string::npos);
  CHECK(refused.out.find("bad.csv:7: 2 cells where the header has 4") != std::string::npos);
  CHECK(refused.out.find("nothing imported") != std::string::npos);
  CHECK(Pathways("verify --data " + (tmp / "store") + " 2>&1").exit_code == 1);  // no store yet

  // Invalid UTF-8 in a row among good ones, or a contact person who is no counsellor: the
  // line is named and nothing is imported.
  std::ofstream(tmp / "mixed.csv") << "referral_source,contact_person,identity.name\n"
                                      "jobcenter,anne,Ok\n"
                                      "jobcenter,anne,Bad \xff\xfe name\n"
                                      "jobcenter,admin,Not a counsellor\n"
                                      "jobcenter,carl,Unknown\n";
  Run mixed = Pathways(base + (tmp / "mixed.csv") + " 2>&1");
  CHECK(mixed.exit_code == 2);
  CHECK(mixed.out.find("mixed.csv:3: cell 3 is not valid UTF-8") != std::string::npos);
  CHECK(mixed.out.find("mixed.csv:4: contact_person `admin` is no counsellor") !=
        std::string::npos);
  CHECK(mixed.out.find("mixed.csv:5: contact_person `carl` is no counsellor") != std::string::npos);
  CHECK(mixed.out.find("nothing imported") != std::string::npos);
  CHECK(Pathways("verify --data " + (tmp / "store") + " 2>&1").exit_code == 1);  // no store yet
  Run no_config = Pathways("import --data " + (tmp / "store") + " --workflow " + workflows + " " +
                           (tmp / "mixed.csv") + " 2>&1");
  CHECK(no_config.exit_code == 2);
  CHECK(no_config.out.find("needs --config") != std::string::npos);

  Run skipped = Pathways(base + (tmp / "bad.csv") + " --skip-bad 2>&1");
  CHECK(skipped.exit_code == 0);
  CHECK(skipped.out.find("imported 2 lead(s)") != std::string::npos);
  CHECK(skipped.out.find("skipped 3 bad row(s)") != std::string::npos);
  Run again = Pathways(base + (tmp / "bad.csv") + " --skip-bad 2>&1");
  CHECK(again.out.find("imported 0 lead(s)") != std::string::npos);
  CHECK(again.out.find("2 were imported before") != std::string::npos);

  Run exported = Pathways("export --include-personal --data " + (tmp / "store"));
  CHECK(exported.out.find("Nielsen, Navn") != std::string::npos);
  CHECK(exported.out.find("two\\nlines") != std::string::npos);
  CHECK(exported.out.find("\"age_at_entry\":31") != std::string::npos);
  CHECK(exported.out.find("ContactPersonAssigned") != std::string::npos);
  CHECK(Pathways("verify --data " + (tmp / "store")).exit_code == 0);

  std::ofstream(tmp / "header.csv") << "referral_source,data.nope\njobcenter,1\n";
  Run header = Pathways(base + (tmp / "header.csv") + " --skip-bad 2>&1");
  CHECK(header.exit_code == 2);
  CHECK(header.out.find("header.csv:1: column `data.nope`: amigo has no data field `nope`") !=
        std::string::npos);
  std::ofstream(tmp / "open.csv") << "referral_source\n\"jobcenter\n";
  Run open = Pathways(base + (tmp / "open.csv") + " 2>&1");
  CHECK(open.exit_code == 2);
  CHECK(open.out.find("open.csv:2: a quoted cell is not closed") != std::string::npos);
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

#include "tests/support/amigo_store.hpp"
#include "tests/support/server_process.hpp"

namespace pathways {
namespace {

TEST_CASE("replay: the state as of a time and the steps that led there") {
  testing::TempDir tmp;
  ManualClock clock(testing::kTestEpochMs);
  {
    auto store = testing::OpenWithDefinitions(tmp / "store", clock);
    int n = 0;
    auto run = [&](runtime::Command c) {
      CommandRequest r;
      r.pathway_id = "pw-1";
      r.participant_id = "p-1";
      r.command_id = "c" + std::to_string(++n);
      r.actor = {"vejleder-1", "counsellor"};
      r.command = std::move(c);
      REQUIRE(store->Execute(std::move(r)).ok());
    };
    run(runtime::RegisterLead{"jobcenter", nlohmann::json::object(), {}, ""});
    run(runtime::AssignContactPerson{"vejleder-1"});
    clock.Advance(3'600'000);
    CommandRequest early;
    early.pathway_id = "pw-1";
    early.command_id = "too-early";
    early.actor = {"vejleder-2", "counsellor"};
    early.command = runtime::FireTrigger{"enrol", nlohmann::json::object()};
    REQUIRE(store->Execute(early).status().code() == StatusCode::kRejected);
    clock.Advance(86'400'000);  // the next day
    run(runtime::FireTrigger{"hold_intake", {{"age_at_entry", 33}}});
  }
  Run now = Pathways("replay --data " + (tmp / "store") + " --pathway pw-1");
  CHECK(now.exit_code == 0);
  CHECK(now.out.find("state intake, status active") != std::string::npos);
  CHECK(now.out.find("hold_intake: lead -> intake  guards: contact_person_assigned=true  by "
                     "vejleder-1 (counsellor)") != std::string::npos);
  // The refusal stands where it happened: after the assignment, before the intake.
  const std::size_t refusal = now.out.find("REFUSED FireTrigger enrol in state lead: ");
  CHECK(refusal != std::string::npos);
  CHECK(now.out.find("by vejleder-2 (counsellor)", refusal) != std::string::npos);
  CHECK(refusal > now.out.find("ContactPersonAssigned"));
  CHECK(refusal < now.out.find("hold_intake: lead -> intake"));

  Run before =
      Pathways("replay --data " + (tmp / "store") + " --pathway pw-1 --as-of 2026-03-02T12:00:00Z");
  CHECK(before.out.find("state lead, status active") != std::string::npos);
  CHECK(before.out.find("hold_intake: lead -> intake") == std::string::npos);
  CHECK(before.out.find("REFUSED") != std::string::npos);  // 09:00, before noon

  Run json = Pathways("replay --json --data " + (tmp / "store") + " --pathway pw-1");
  auto parsed = nlohmann::json::parse(json.out);
  CHECK(parsed["state"]["state"] == "intake");
  CHECK(parsed["history"].size() > 3);
  REQUIRE(parsed["rejections"].size() == 1);
  CHECK(parsed["rejections"][0]["command_id"] == "too-early");

  CHECK(Pathways("replay --data " + (tmp / "store") + " --pathway pw-1 --as-of soon 2>&1")
            .exit_code == 2);
  Run missing = Pathways("replay --data " + (tmp / "store") + " --pathway nobody 2>&1");
  CHECK(missing.exit_code == 1);
  CHECK(missing.out.find("has no events") != std::string::npos);
}

}  // namespace
}  // namespace pathways

namespace pathways {
namespace {

TEST_CASE("migrate: a dry run lists what would move, then the pathways move") {
  // Pathways started on the shipped version 1 move to the shipped version 2.
  testing::TempDir tmp;
  const std::string v1 = std::string(PATHWAYS_SOURCE_DIR) + "/config/workflows/amigo-v1.yaml";
  const std::string v2 = std::string(PATHWAYS_SOURCE_DIR) + "/config/workflows/amigo-v2.yaml";
  {
    auto loaded = workflows::LoadDefinitionFile(v1);
    REQUIRE(loaded.definition != nullptr);
    REQUIRE(loaded.definition->version == 1);
    auto catalog = std::make_shared<definition::DefinitionCatalog>();
    catalog->Add(loaded.definition);
    ManualClock clock(testing::kTestEpochMs);
    auto store = testing::OpenWithDefinitions(tmp / "store", clock, catalog);
    for (const char* id : {"pw-a", "pw-b"}) {
      CommandRequest r;
      r.pathway_id = id;
      r.participant_id = std::string("p-") + id;
      r.command_id = std::string("lead-") + id;
      r.actor = {"vejleder-1", "counsellor"};
      r.command = runtime::RegisterLead{"jobcenter", nlohmann::json::object(), {}, ""};
      REQUIRE(store->Execute(std::move(r)).ok());
    }
  }
  const std::string base = "migrate --data " + (tmp / "store") + " --workflow " + v1 +
                           " --workflow " + v2 + " --from-version 1 --to-version 2";
  Run unmapped = Pathways(base + " --dry-run --map lead=lead 2>&1");
  CHECK(unmapped.exit_code == 1);
  CHECK(unmapped.out.find("refused pw-a: the mapping leaves states unmapped: intake") !=
        std::string::npos);

  Run dry = Pathways(base + " --dry-run --map-same-names");
  CHECK(dry.exit_code == 0);
  CHECK(dry.out.find("would move pw-a: lead -> lead") != std::string::npos);
  CHECK(dry.out.find("would move 2 pathways from amigo version 1 to 2; 0 refused") !=
        std::string::npos);

  Run real = Pathways(base + " --map-same-names");
  CHECK(real.exit_code == 0);
  CHECK(real.out.find("moved 2 pathways") != std::string::npos);
  Run again = Pathways(base + " --map-same-names");
  CHECK(again.out.find("moved 0 pathways") != std::string::npos);
  Run replay = Pathways("replay --data " + (tmp / "store") + " --pathway pw-b");
  CHECK(replay.out.find("on amigo version 2") != std::string::npos);
  CHECK(Pathways("verify --data " + (tmp / "store")).exit_code == 0);
}

TEST_CASE("migrate: the demo store, seeded on version 1, moves to version 2 whole") {
  // The demo as a first run of an older release left it: the shipped config with only
  // amigo-v1.yaml, participants spread over the pathway.
  testing::TempDir tmp;
  std::filesystem::copy(std::string(PATHWAYS_SOURCE_DIR) + "/config", tmp / "config",
                        std::filesystem::copy_options::recursive);
  std::filesystem::remove(tmp / "config/workflows/amigo.yaml");
  std::filesystem::remove(tmp / "config/workflows/amigo-v2.yaml");
  std::filesystem::remove(tmp / "config/workflows/amigo-v3.yaml");
  // Nor had it reports (their indicators read later versions' fields).
  std::string server;
  REQUIRE(workflows::ReadWholeFile(tmp / "config/pathways.yaml", server));
  const std::size_t reports = server.find("\nreports:");
  REQUIRE(reports != std::string::npos);
  server.erase(reports + 1, server.find('\n', reports + 1) - reports);
  std::ofstream(tmp / "config/pathways.yaml", std::ios::trunc) << server;
  // Nor did its notifications file know the participant, a party since version 2 (the last
  // entry of the file).
  std::string notifications;
  REQUIRE(workflows::ReadWholeFile(tmp / "config/notifications.yaml", notifications));
  const std::size_t participant = notifications.find("\n  # The participant");
  REQUIRE(participant != std::string::npos);
  std::ofstream(tmp / "config/notifications.yaml") << notifications.substr(0, participant + 1);
  std::filesystem::create_directories(tmp / "var");
  {
    testing::ServerProcess server(PATHWAYS_BIN, {"--config", tmp / "config/pathways.yaml"});
    server.Signal(SIGTERM);
    CHECK(server.Wait() == 0);
  }
  const std::string store = tmp / "var/store";
  const std::string base = "migrate --data " + store + " --workflow " + PATHWAYS_SOURCE_DIR +
                           "/config/workflows --from-version 1 --to-version 2 --map-same-names";
  Run dry = Pathways(base + " --dry-run");
  CHECK(dry.exit_code == 0);
  CHECK(dry.out.find("would move 36 pathways from amigo version 1 to 2; 0 refused") !=
        std::string::npos);
  Run real = Pathways(base);
  CHECK(real.exit_code == 0);
  CHECK(real.out.find("moved 36 pathways from amigo version 1 to 2; 0 refused") !=
        std::string::npos);
  CHECK(Pathways(base + " --dry-run").out.find("would move 0 pathways") != std::string::npos);
  CHECK(Pathways("verify --data " + store).exit_code == 0);
  Run replay = Pathways("replay --data " + store + " --pathway demo-36");
  CHECK(replay.out.find("on amigo version 2") != std::string::npos);
}

}  // namespace
}  // namespace pathways

namespace pathways {
namespace {

TEST_CASE("report esf: the indicators from a store, as JSON and CSV, as of a day or position") {
  testing::TempDir tmp;
  std::uint64_t lead_only = 0;
  {
    ManualClock clock(testing::kTestEpochMs);  // Monday 2 March 2026
    auto store = testing::OpenWithDefinitions(tmp / "store", clock);
    int n = 0;
    auto run = [&](runtime::Command command) {
      CommandRequest r;
      r.pathway_id = "pw-1";
      r.participant_id = "p-1";
      r.command_id = "c" + std::to_string(++n);
      r.actor = {"anne", "counsellor"};
      r.command = std::move(command);
      REQUIRE(store->Execute(std::move(r)).ok());
    };
    runtime::RegisterLead lead;
    lead.referral_source = "jobcenter";
    lead.contact_person = "anne";
    lead.personal[PersonalScope::kIdentity] = {{"date_of_birth", "1970-01-01"}};
    run(lead);
    lead_only = store->Head().position;
    clock.Advance(2LL * 24 * 3600 * 1000);
    run(runtime::FireTrigger{"record_entry",
                             {{"gender", "man"},
                              {"employment_status", "inactive"},
                              {"education_level", "isced_3_4"},
                              {"household", "other"},
                              {"homeless", "yes"}}});
    run(runtime::FireTrigger{"hold_intake", nlohmann::json::object()});
  }
  const std::string base = "report esf --data " + (tmp / "store") + " --workflow " +
                           PATHWAYS_SOURCE_DIR + "/config/workflows --reports " +
                           PATHWAYS_SOURCE_DIR + "/config/reports.yaml";
  Run json = Pathways(base + " 2>&1");
  REQUIRE_MESSAGE(json.exit_code == 0, json.out);
  const nlohmann::json j = nlohmann::json::parse(json.out);
  CHECK(j["indicators"][0]["by"]["man"]["count"] == 1);
  CHECK(j["indicators"][7]["code"] == "EECO08");  // 56 at entry
  CHECK(j["indicators"][7]["total"]["count"] == 1);
  CHECK(j["indicators"][15]["code"] == "EECO16");  // sealed, read with the master key
  CHECK(j["indicators"][15]["total"]["count"] == 1);

  // As of the end of the day of registration (before the initial guidance), and as of the
  // lead's position: no participants yet.
  for (const std::string& at : {std::string("2026-03-02"), std::to_string(lead_only)}) {
    Run then = Pathways(base + " --at " + at);
    REQUIRE_MESSAGE(then.exit_code == 0, then.out);
    CHECK(nlohmann::json::parse(then.out)["position"] == lead_only);
    CHECK(nlohmann::json::parse(then.out)["indicators"][0]["total"]["count"] == 0);
  }
  Run csv = Pathways(base + " --format csv --lang en --from 2026-03-01 --to 2026-03-31");
  REQUIRE(csv.exit_code == 0);
  CHECK(csv.out.starts_with("code,label,at,Woman,Man,Non-binary,total\n"));
  CHECK(csv.out.find("\nEECO04,Inactive,entry,0,1,0,1\n") != std::string::npos);

  const std::string project = "report project --data " + (tmp / "store") + " --workflow " +
                              PATHWAYS_SOURCE_DIR + "/config/workflows --reports " +
                              PATHWAYS_SOURCE_DIR + "/config/reports.yaml";
  Run figures = Pathways(project + " 2>&1");
  REQUIRE_MESSAGE(figures.exit_code == 0, figures.out);
  const nlohmann::json p = nlohmann::json::parse(figures.out);
  CHECK(p["as_of"] == "2026-03-04T08:00:00.000Z");  // the time of the last event
  CHECK(p["funnel"][0]["reached"] == 1);
  CHECK(p["forecast"]["days_left"] > 400);

  Run bad = Pathways(base + " --at soon 2>&1");
  CHECK(bad.exit_code == 1);
  CHECK(bad.out.find("--at is a log position or a day YYYY-MM-DD") != std::string::npos);
  CHECK(Pathways(base + " --at 999 2>&1").out.find("past the log's head") != std::string::npos);
  const std::string broken = tmp / "reports.yaml";
  std::ofstream(broken) << "definition: amigo\nindicators: {}\n";
  Run refused = Pathways("report esf --data " + (tmp / "store") + " --workflow " +
                         PATHWAYS_SOURCE_DIR + "/config/workflows --reports " + broken + " 2>&1");
  CHECK(refused.exit_code == 2);
  CHECK(refused.out.find(broken + ":2:13: error: indicators is a list") != std::string::npos);
}

}  // namespace
}  // namespace pathways

// pathways import: registers leads from a CSV file (docs/operations.md, "Importing leads").
// Every row is checked before anything is written: with a bad row nothing is imported unless
// --skip-bad says to import the good ones. Ids follow from the file's content and the row's
// line, so importing the same file again registers nothing twice. Writes, so it needs the
// store to itself (stop the server, or register leads through the API).

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <set>

#include "adapters/config/server_config.hpp"
#include "adapters/platform/system_clock.hpp"
#include "engine/audit/sha256.hpp"
#include "engine/codec/event_record.hpp"
#include "engine/codec/utf8.hpp"
#include "engine/runtime/processor.hpp"
#include "tools/pathways/cli_common.hpp"
#include "tools/pathways/csv_reader.hpp"
#include "workflows/yaml_reader.hpp"

namespace pathways::cli {
namespace {

struct Row {
  std::size_t line = 0;
  CommandRequest request;
};

std::string Hex(const std::string& text) {
  audit::Sha256 h;
  h.Update(text.data(), text.size());
  return codec::HexEncode(h.Final());
}

// A cell as the JSON value the definition's field wants, or an error in words.
std::optional<nlohmann::json> Typed(const std::string& cell, const definition::DataField& f,
                                    std::string& error) {
  using Type = definition::DataField::Type;
  switch (f.type) {
    case Type::kInteger: {
      std::size_t used = 0;
      try {
        const long long v = std::stoll(cell, &used);
        if (used == cell.size()) return nlohmann::json(v);
      } catch (const std::exception&) {
      }
      error = "`" + cell + "` is not a whole number";
      return std::nullopt;
    }
    case Type::kNumber: {
      std::size_t used = 0;
      try {
        const double v = std::stod(cell, &used);
        if (used == cell.size()) return nlohmann::json(v);
      } catch (const std::exception&) {
      }
      error = "`" + cell + "` is not a number";
      return std::nullopt;
    }
    case Type::kBoolean:
      if (cell == "true" || cell == "ja" || cell == "yes" || cell == "1") return true;
      if (cell == "false" || cell == "nej" || cell == "no" || cell == "0") return false;
      error = "`" + cell + "` is not true/false (ja/nej, 1/0)";
      return std::nullopt;
    case Type::kString:
    case Type::kDate: return nlohmann::json(cell);
  }
  return nlohmann::json(cell);
}

// Draws "importing  1200/5000 [======        ]  24%" on a terminal.
class Progress {
 public:
  explicit Progress(std::size_t total) : total_(total), tty_(::isatty(STDERR_FILENO) == 1) {}
  void Show(std::size_t done, bool last = false) {
    if (!tty_ || total_ == 0) return;
    const auto now = std::chrono::steady_clock::now();
    if (!last && now - shown_ < std::chrono::milliseconds(100)) return;
    shown_ = now;
    constexpr int kWidth = 30;
    const int filled = static_cast<int>(kWidth * done / total_);
    std::fprintf(stderr, "\rimporting %6zu/%zu [%s%s] %3zu%%", done, total_,
                 std::string(static_cast<std::size_t>(filled), '=').c_str(),
                 std::string(static_cast<std::size_t>(kWidth - filled), ' ').c_str(),
                 100 * done / total_);
    if (last) std::fprintf(stderr, "\n");
  }

 private:
  std::size_t total_;
  bool tty_;
  std::chrono::steady_clock::time_point shown_{};
};

}  // namespace

void AddImportCommand(CLI::App& app) {
  auto* cmd = app.add_subcommand("import", "register leads from a CSV file");
  struct Args {
    StoreFlags store;
    std::vector<std::string> workflows;
    std::string definition;
    std::string file;
    std::string actor;
    std::string config;
    bool skip_bad = false;
  };
  auto a = std::make_shared<Args>();
  a->store.AddTo(*cmd);
  cmd->add_option("--workflow", a->workflows, "definition files or directories (repeatable)")
      ->required()
      ->allow_extra_args(false);  // one value per --workflow: the CSV file is not one
  cmd->add_option("--definition", a->definition, "definition id (default: the newest loaded)");
  cmd->add_option("--actor", a->actor, "who the history names as importer (default: $USER)");
  cmd->add_option("--config", a->config,
                  "server config file, whose users a contact_person column must name "
                  "(required with that column)");
  cmd->add_flag("--skip-bad", a->skip_bad,
                "import the good rows of a file with bad ones (default: import none)");
  cmd->add_option("file", a->file,
                  "CSV with a header row: referral_source (required), pathway_id, "
                  "participant_id, contact_person, data.<field>, identity.<field>, "
                  "guidance.<field>")
      ->required();
  cmd->callback([a] {
    auto catalog = LoadCatalog(a->workflows);
    if (catalog == nullptr) return;
    auto def = a->definition.empty() ? catalog->Newest() : catalog->Newest(a->definition);
    if (def == nullptr) {
      std::fprintf(stderr, "pathways import: error: no definition `%s` is loaded\n",
                   a->definition.c_str());
      ExitCode() = kExitUsage;
      return;
    }
    std::string text;
    if (!workflows::ReadWholeFile(a->file, text)) {
      ExitCode() = Fail("import", Status::IOError("cannot read " + a->file));
      return;
    }
    CsvResult csv = ReadCsv(text);
    std::vector<std::string> errors;
    auto bad = [&](std::size_t line, const std::string& what) {
      errors.push_back(a->file + ":" + std::to_string(line) + ": " + what);
    };
    if (!csv.error.empty()) bad(csv.error_line, csv.error);
    // Every cell's encoding first: a row the store would refuse is found before it is opened.
    std::vector<bool> encoded(csv.records.size(), true);
    for (std::size_t r = 0; r < csv.records.size(); ++r) {
      const std::vector<std::string>& cells = csv.records[r].cells;
      for (std::size_t c = 0; c < cells.size() && encoded[r]; ++c) {
        if (codec::IsValidUtf8(cells[c])) continue;
        bad(csv.records[r].line, "cell " + std::to_string(c + 1) + " is not valid UTF-8");
        encoded[r] = false;
      }
    }
    if (!encoded.empty() && !encoded.front()) {
      for (const auto& e : errors) std::fprintf(stderr, "%s\n", e.c_str());
      ExitCode() = kExitUsage;
      return;
    }
    if (csv.records.empty()) {
      if (csv.error.empty()) bad(1, "the file is empty; it needs a header row");
      for (const auto& e : errors) std::fprintf(stderr, "%s\n", e.c_str());
      ExitCode() = kExitUsage;
      return;
    }

    // The header: every column must mean something, or nothing is imported.
    const std::vector<std::string>& header = csv.records.front().cells;
    bool header_ok = true;
    bool has_source = false;
    for (const std::string& column : header) {
      const std::size_t dot = column.find('.');
      const std::string prefix = dot == std::string::npos ? "" : column.substr(0, dot);
      const std::string name = dot == std::string::npos ? column : column.substr(dot + 1);
      has_source = has_source || column == "referral_source";
      const bool known = column == "referral_source" || column == "pathway_id" ||
                         column == "participant_id" || column == "contact_person" ||
                         column == "school" ||
                         (prefix == "data" && def->FindField(name) != nullptr) ||
                         ((prefix == "identity" || prefix == "guidance") && !name.empty());
      if (!known) {
        bad(1, prefix == "data"
                   ? "column `" + column + "`: " + def->id + " has no data field `" + name + "`"
                   : "unknown column `" + column +
                         "` (referral_source, pathway_id, participant_id, "
                         "contact_person, school, data.<field>, identity.<field>, "
                         "guidance.<field>)");
        header_ok = false;
      }
    }
    if (!has_source) {
      bad(1, "the header has no referral_source column");
      header_ok = false;
    }
    // Contact persons and schools are checked against the users file the server reads.
    std::map<std::string, config::User> users;
    std::map<std::string, config::School> schools;
    const auto has = [&](const char* column) {
      return std::find(header.begin(), header.end(), column) != header.end();
    };
    if (has("contact_person") || has("school")) {
      if (a->config.empty()) {
        bad(1,
            "a contact_person or school column needs --config FILE, whose users file it "
            "must name");
        header_ok = false;
      }
    }
    if (!a->config.empty()) {
      config::ConfigResult cfg = config::LoadServerConfig(a->config);
      for (const auto& d : cfg.diagnostics) errors.push_back(d.ToString());
      header_ok = header_ok && cfg.diagnostics.empty();
      users = std::move(cfg.config.users);
      schools = std::move(cfg.config.schools);
      if (!schools.empty() && !has("school") && cfg.diagnostics.empty()) {
        bad(1, "the users file has schools: a school column says whose each lead is");
        header_ok = false;
      }
    }
    if (!header_ok) {
      for (const auto& e : errors) std::fprintf(stderr, "%s\n", e.c_str());
      ExitCode() = kExitUsage;
      return;
    }

    // Every row, checked by the pathway's own rules before anything is written.
    const std::string file_id = Hex(text).substr(0, 16);
    const Actor actor{a->actor.empty() ? CurrentUser() : a->actor, "administrator"};
    adapters::SystemClock clock;
    std::vector<Row> rows;
    std::set<std::string> ids;
    for (std::size_t r = 1; r < csv.records.size(); ++r) {
      const CsvRecord& rec = csv.records[r];
      if (!encoded[r]) continue;
      if (rec.cells.size() != header.size()) {
        bad(rec.line, std::to_string(rec.cells.size()) + " cells where the header has " +
                          std::to_string(header.size()));
        continue;
      }
      Row row;
      row.line = rec.line;
      CommandRequest& q = row.request;
      runtime::RegisterLead lead;
      std::string problem;
      for (std::size_t c = 0; c < header.size() && problem.empty(); ++c) {
        const std::string& column = header[c];
        const std::string& cell = rec.cells[c];
        const std::size_t dot = column.find('.');
        if (column == "referral_source") {
          lead.referral_source = cell;
        } else if (column == "pathway_id") {
          q.pathway_id = cell;
        } else if (column == "participant_id") {
          q.participant_id = cell;
        } else if (column == "contact_person") {
          lead.contact_person = cell;
          auto user = users.find(cell);
          if (!cell.empty() &&
              (user == users.end() || user->second.role != config::Role::kCounsellor)) {
            problem = "contact_person `" + cell + "` is no counsellor in " + a->config;
          }
        } else if (column == "school") {
          lead.school = cell;
          if (!schools.count(cell)) problem = "school `" + cell + "` is not in the users file";
        } else if (cell.empty()) {
          continue;  // an empty cell sets nothing
        } else if (column.compare(0, dot, "data") == 0) {
          std::string error;
          auto value = Typed(cell, *def->FindField(column.substr(dot + 1)), error);
          if (!value) {
            problem = column + ": " + error;
          } else {
            lead.data[column.substr(dot + 1)] = *value;
          }
        } else {
          const PersonalScope scope = column.compare(0, dot, "identity") == 0
                                          ? PersonalScope::kIdentity
                                          : PersonalScope::kGuidance;
          lead.personal[scope][column.substr(dot + 1)] = cell;
        }
      }
      if (problem.empty() && lead.referral_source.empty()) problem = "referral_source is empty";
      if (problem.empty() && !lead.contact_person.empty() &&
          users.at(lead.contact_person).school != lead.school) {
        problem =
            "contact_person `" + lead.contact_person + "` is not of school `" + lead.school + "`";
      }
      const std::string seed = file_id + ":" + std::to_string(rec.line);
      if (q.pathway_id.empty()) q.pathway_id = "pw-" + Hex(seed).substr(0, 20);
      if (q.participant_id.empty()) q.participant_id = "p-" + Hex(seed + ":p").substr(0, 20);
      if (problem.empty() && !ids.insert(q.pathway_id).second) {
        problem = "pathway_id " + q.pathway_id + " appears twice in the file";
      }
      if (problem.empty()) {
        // Checked by the processor the writer runs, so a row that passes here is not refused.
        const runtime::ProcessContext ctx{*catalog,         actor,  clock.NowMs(), q.pathway_id,
                                          q.participant_id, def->id};
        if (Status st = runtime::Process(runtime::PathwayState{}, lead, ctx).status(); !st.ok()) {
          problem = st.message();
        }
      }
      if (!problem.empty()) {
        bad(rec.line, problem);
        continue;
      }
      q.definition_id = def->id;
      q.command_id = "import:" + seed;
      q.actor = actor;
      q.command = std::move(lead);
      rows.push_back(std::move(row));
    }
    for (const auto& e : errors) std::fprintf(stderr, "%s\n", e.c_str());
    if (!errors.empty() && !a->skip_bad) {
      std::fprintf(stderr,
                   "pathways import: %zu bad row(s); nothing imported (--skip-bad imports the "
                   "%zu good ones)\n",
                   errors.size(), rows.size());
      ExitCode() = kExitUsage;
      return;
    }

    storage::StoreOptions o = a->store.Options();
    o.clock = &clock;
    o.definitions = catalog;
    o.create_if_missing = true;  // leads may come before the server's first start
    auto store = storage::RocksEventStore::Open(o);
    if (!store.ok()) {
      ExitCode() = Fail("import", store.status());
      return;
    }
    // Many commands in flight: the writer commits them in groups.
    constexpr std::size_t kInFlight = 512;
    std::mutex mu;
    std::condition_variable cv;
    std::size_t answered = 0;
    std::size_t imported = 0;
    std::size_t again = 0;
    std::vector<std::string> failed;
    Progress progress(rows.size());
    for (std::size_t i = 0; i < rows.size(); ++i) {
      {
        std::unique_lock lock(mu);
        cv.wait(lock, [&] { return i - answered < kInFlight; });
      }
      const std::size_t line = rows[i].line;
      (*store)->ExecuteAsync(std::move(rows[i].request), [&, line](Result<AppendResult> r) {
        std::lock_guard lock(mu);
        if (!r.ok()) {
          failed.push_back(a->file + ":" + std::to_string(line) + ": " + r.status().message());
        } else if (r->duplicate) {
          ++again;
        } else {
          ++imported;
        }
        ++answered;
        cv.notify_all();
      });
      progress.Show(i);
    }
    {
      std::unique_lock lock(mu);
      cv.wait(lock, [&] { return answered == rows.size(); });
    }
    progress.Show(rows.size(), /*last=*/true);
    for (const auto& f : failed) std::fprintf(stderr, "%s\n", f.c_str());
    std::printf("imported %zu lead(s) from %s", imported, a->file.c_str());
    if (again > 0) std::printf("; %zu were imported before", again);
    if (!errors.empty()) std::printf("; skipped %zu bad row(s)", errors.size());
    if (!failed.empty()) std::printf("; %zu refused by the store", failed.size());
    std::printf("\n");
    if (!failed.empty()) ExitCode() = kExitError;
  });
}

}  // namespace pathways::cli

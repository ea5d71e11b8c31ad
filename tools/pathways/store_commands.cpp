// pathways verify | export | forget | backup | restore: offline work on a store.
// verify and export open the store read-only (a RocksDB secondary), so they run beside a
// server; forget writes and so needs the store to itself until the server offers it.

#include <unistd.h>

#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>

#include "adapters/app/retention.hpp"
#include "adapters/platform/system_clock.hpp"
#include "engine/audit/aead.hpp"
#include "engine/codec/event_json.hpp"
#include "engine/codec/event_record.hpp"
#include "engine/random.hpp"
#include "engine/storage/backup.hpp"
#include "engine/storage/export.hpp"
#include "tools/pathways/cli_common.hpp"

namespace pathways::cli {
namespace {

void AddVerify(Command app) {
  Command cmd = app.Sub("verify", "walk the hash chain and the stream index");
  auto flags = std::make_shared<StoreFlags>();
  auto json = std::make_shared<bool>(false);
  flags->AddTo(cmd);
  cmd.Flag("--json", *json, "print the report as one JSON object");
  cmd.OnRun([flags, json] {
    storage::StoreOptions o = flags->Options();
    o.read_only = true;
    o.load_master_key = false;  // the chain is over ciphertext: no key needed
    auto store = storage::RocksEventStore::Open(o);
    if (!store.ok()) {
      ExitCode() = Fail("verify", store.status());
      return;
    }
    Result<VerifyReport> report = (*store)->Verify();
    if (!report.ok()) {
      ExitCode() = Fail("verify", report.status());
      return;
    }
    const VerifyReport& r = *report;
    if (*json) {
      nlohmann::json out = {{"ok", r.ok},
                            {"events", r.events},
                            {"index_rows", r.index_rows},
                            {"tree_nodes", r.tree_nodes},
                            {"head_position", r.head.position},
                            {"head_hash", codec::HexEncode(r.head.hash)}};
      if (!r.ok) {
        out["first_bad_position"] = r.first_bad_position;
        out["problem"] = r.problem;
      }
      std::printf("%s\n", out.dump().c_str());
    } else if (r.ok) {
      std::printf("ok: %llu events, head %llu %s\n", static_cast<unsigned long long>(r.events),
                  static_cast<unsigned long long>(r.head.position),
                  codec::HexEncode(r.head.hash).c_str());
    } else {
      std::printf("DAMAGED at position %llu: %s\n",
                  static_cast<unsigned long long>(r.first_bad_position), r.problem.c_str());
    }
    ExitCode() = r.ok ? kExitOk : kExitDamaged;
  });
}

void AddExport(Command app) {
  Command cmd = app.Sub("export", "write the log as JSON Lines or CSV in global order");
  auto flags = std::make_shared<StoreFlags>();
  auto options = std::make_shared<ExportOptions>();
  flags->AddTo(cmd);
  cmd.Add("--from", options->from_position, "first position to export (default 1)").Positive();
  cmd.Add("--to", options->to_position, "last position to export (default: the head)").Positive();
  auto format = std::make_shared<std::string>("jsonl");
  cmd.Add("--format", *format, "jsonl (default) or csv")
      .OneOf({"jsonl", "csv"})
      .ValueText("jsonl|csv");
  cmd.Flag("--include-personal", options->include_personal,
           "decrypt personal data (needs the master key)");
  cmd.Add("--school", options->school,
          "only the pathways of this school (their whole histories; not a whole chain)");
  cmd.OnRun([flags, options, format] {
    options->format = *format == "csv" ? ExportFormat::kCsv : ExportFormat::kJsonLines;
    storage::StoreOptions o = flags->Options();
    o.read_only = true;
    o.load_master_key = options->include_personal;
    auto store = storage::RocksEventStore::Open(o);
    if (!store.ok()) {
      ExitCode() = Fail("export", store.status());
      return;
    }
    Result<std::uint64_t> lines = storage::ExportLog(**store, *options, stdout);
    if (!lines.ok()) ExitCode() = Fail("export", lines.status());
  });
}

std::string FreshCommandId(std::string_view prefix) {
  std::array<std::uint8_t, 12> bytes{};
  CryptoRandom random;
  IgnoreError(random.Fill(bytes), "a command id only needs to be unlikely to repeat");
  return std::string(prefix) +
         codec::HexEncode(std::string_view(reinterpret_cast<const char*>(bytes.data()), 12));
}

void AddForget(Command app) {
  Command cmd = app.Sub("forget", "erase a participant's personal data by destroying its keys");
  struct Args {
    StoreFlags store;
    std::string participant;
    std::string scope = "all";
    std::string reason;
    std::string reports;
    std::vector<std::string> workflows{"config/workflows"};
  };
  auto args = std::make_shared<Args>();
  cmd.Add("PARTICIPANT", args->participant, "pseudonymous participant id").Required();
  args->store.AddTo(cmd);
  cmd.Add("--scope", args->scope, "guidance (barriers, notes) or all (also identity); default: all")
      .OneOf({"guidance", "all"});
  cmd.Add("--reason", args->reason,
          "why, for the auditors (no personal data: it is stored in plain text)");
  cmd.Add("--reports", args->reports,
          "the reports file: before its ESF audit end the identity data is restricted "
          "until then instead of erased (docs/privacy.md)");
  cmd.Add("--workflows", args->workflows,
          "definition files or directories the reports file is checked against "
          "(default config/workflows)");
  cmd.OnRun([args] {
    // The audit end, from a reports file checked as the server checks it.
    std::string audit_end;
    if (!args->reports.empty()) {
      auto catalog = LoadCatalog(args->workflows);
      if (catalog == nullptr) return;
      std::optional<config::ReportConfig> reports = LoadReports(args->reports, *catalog);
      if (!reports) return;
      audit_end = reports->audit_end;
    }
    adapters::SystemClock clock;
    auto store = OpenForWriting(args->store, clock, "forget");
    if (store == nullptr) return;
    app::ErasureRequest request;
    request.participant_id = args->participant;
    request.command_id = FreshCommandId("forget-");
    request.actor = {CurrentUser(), "administrator"};
    request.reason = args->reason;
    Result<app::ErasureOutcome> outcome = Status::Ok();
    if (args->scope == "all") {
      outcome = app::RequestErasure(*store, audit_end, clock.NowMs(), request);
    } else {
      EraseRequest guidance{request.participant_id,
                            {PersonalScope::kGuidance},
                            request.command_id,
                            request.actor,
                            request.reason};
      Result<AppendResult> erased = store->ErasePersonalData(std::move(guidance));
      if (erased.ok()) {
        outcome = app::ErasureOutcome{{PersonalScope::kGuidance}, {}, "", erased->last_position};
      } else {
        outcome = erased.status();
      }
    }
    if (!outcome.ok()) {
      ExitCode() = Fail("forget", outcome.status());
      return;
    }
    if (Status s = store->PurgeErasedKeys(); !s.ok()) {
      ExitCode() = Fail("forget", s);
      return;
    }
    auto names = [](const std::vector<PersonalScope>& scopes) {
      std::string out;
      for (std::size_t i = 0; i < scopes.size(); ++i) {
        out += (i == 0 ? "" : i + 1 == scopes.size() ? " and " : ", ");
        out += PersonalScopeName(scopes[i]);
      }
      return out;
    };
    std::printf(
        "erased %s data of participant %s (log position %llu); the destroyed keys were "
        "purged from the store's files\n",
        names(outcome->erased).c_str(), args->participant.c_str(),
        static_cast<unsigned long long>(outcome->position));
    if (!outcome->restricted.empty()) {
      std::printf(
          "%s data restricted until the ESF audit end %s: readable by auditors "
          "only, erased by the server when the day is over\n",
          names(outcome->restricted).c_str(), outcome->until.c_str());
    }
  });
}

void AddBackup(Command app) {
  Command cmd = app.Sub("backup", "take an incremental, checksummed backup of a store");
  struct Args {
    StoreFlags store;
    std::string to;
    bool with_master_key = false;
  };
  auto args = std::make_shared<Args>();
  args->store.AddTo(cmd);
  cmd.Add("--to", args->to, "backup directory (created if missing; holds many backups)").Required();
  cmd.Flag("--with-master-key", args->with_master_key,
           "copy the master key into the backup too (then the backup alone reveals "
           "personal data: keep it as safe as the key)");
  cmd.OnRun([args] {
    adapters::SystemClock clock;
    auto store = OpenForWriting(args->store, clock, "backup");
    if (store == nullptr) {
      std::fprintf(stderr, "(if a server holds the store, POST /v1/admin/backup takes one)\n");
      return;
    }
    auto info = store->Backup(args->to, args->with_master_key);
    if (!info.ok()) {
      ExitCode() = Fail("backup", info.status());
      return;
    }
    std::printf("backup %u in %s: head %llu, %llu bytes%s\n", info->id, args->to.c_str(),
                static_cast<unsigned long long>(info->head_position),
                static_cast<unsigned long long>(info->bytes),
                args->with_master_key ? ", with the master key" : "");
  });
}

void AddRestore(Command app) {
  Command cmd = app.Sub(
      "restore", "restore a backup into a new store directory, verified before it is in place");
  struct Args {
    std::string from;
    std::string data;
    std::uint32_t id = 0;
    bool list = false;
  };
  auto args = std::make_shared<Args>();
  cmd.Add("--from", args->from, "backup directory").Required();
  cmd.Add("--data", args->data, "the new store directory (must not exist; required unless --list)");
  cmd.Add("--backup", args->id, "backup id (default: the newest)");
  cmd.Flag("--list", args->list, "list the backups instead");
  cmd.OnRun([args] {
    if (args->list) {
      auto list = storage::ListBackups(args->from);
      if (!list.ok()) {
        ExitCode() = Fail("restore", list.status());
        return;
      }
      for (const auto& b : *list) {
        std::printf("%u  %s  head %llu  %llu bytes\n", b.id,
                    codec::FormatIso8601(b.created_unix_s * 1000).c_str(),
                    static_cast<unsigned long long>(b.head_position),
                    static_cast<unsigned long long>(b.bytes));
      }
      return;
    }
    if (args->data.empty()) {
      std::fprintf(stderr, "pathways restore: error: --data names the new store directory\n");
      ExitCode() = kExitUsage;
      return;
    }
    auto report = storage::RestoreBackup(args->from, args->id, args->data);
    if (!report.ok()) {
      ExitCode() = Fail("restore", report.status());
      return;
    }
    std::printf("restored into %s: %llu events, head %llu %s; the chain verifies\n",
                args->data.c_str(), static_cast<unsigned long long>(report->events),
                static_cast<unsigned long long>(report->head.position),
                codec::HexEncode(report->head.hash).c_str());
  });
}

}  // namespace

std::unique_ptr<Store> OpenForWriting(const StoreFlags& flags, const Clock& clock,
                                      const char* command) {
  storage::StoreOptions o = flags.Options();
  o.clock = &clock;
  auto store = storage::RocksEventStore::Open(o);
  if (!store.ok()) {
    ExitCode() = Fail(command, store.status());
    return nullptr;
  }
  return std::move(*store);
}

std::unique_ptr<Store> OpenForReading(const StoreFlags& flags, const char* command) {
  storage::StoreOptions o = flags.Options();
  o.read_only = true;
  o.load_master_key = false;
  auto store = storage::RocksEventStore::Open(o);
  if (!store.ok()) {
    ExitCode() = Fail(command, store.status());
    return nullptr;
  }
  return std::move(*store);
}

void AddStoreCommands(Command app) {
  AddVerify(app);
  AddExport(app);
  AddForget(app);
  AddBackup(app);
  AddRestore(app);
}

}  // namespace pathways::cli

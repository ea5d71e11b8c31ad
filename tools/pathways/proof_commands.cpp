// pathways checkpoint key | sign | show, prove inclusion | consistency, verify-proof: the log's
// signed checkpoints and the proofs an auditor checks without trusting the operator
// (docs/formats/merkle.md). verify-proof needs no store and no server: the bundle and the
// log's public key are all it reads.

#include <cstdio>
#include <fstream>

#include "adapters/app/proofs.hpp"
#include "adapters/platform/system_clock.hpp"
#include "engine/audit/proof_bundle.hpp"
#include "engine/storage/checkpoint_key.hpp"
#include "tools/pathways/cli_common.hpp"
#include "workflows/yaml_reader.hpp"

namespace pathways::cli {
namespace {

namespace note = audit::note;

// --data, --master-key and --checkpoint-key.
struct CheckpointFlags {
  StoreFlags store;
  std::string key;
  void AddTo(Command cmd) {
    store.AddTo(cmd);
    cmd.Add("--checkpoint-key", key,
            "checkpoint signing key file (default: DIR.checkpoint-key beside the store)");
  }
  std::string KeyPath() const {
    return key.empty() ? storage::DefaultCheckpointKeyPath(store.data_dir) : key;
  }
};

// The file an option names, or nullopt when the option was not given; false after saying why.
bool ReadArgument(const std::string& path, const char* command, std::optional<std::string>& out) {
  if (path.empty()) return true;
  std::string text;
  if (!workflows::ReadWholeFile(path, text)) {
    ExitCode() = Fail(command, Status::IOError("cannot read " + path));
    return false;
  }
  out = std::move(text);
  return true;
}

// Writes `text` to `path`, or to stdout without one.
bool WriteOut(const std::string& path, const std::string& text, const char* command) {
  if (path.empty()) {
    std::fwrite(text.data(), 1, text.size(), stdout);
    return true;
  }
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out) {
    ExitCode() = Fail(command, Status::IOError("cannot write " + path));
    return false;
  }
  return true;
}

// A verifier key given as the key itself or as a file holding it.
Result<note::Verifier> VerifierArg(const std::string& arg) {
  std::string text = arg;
  if (arg.find('+') == std::string::npos && !workflows::ReadWholeFile(arg, text)) {
    return Status::InvalidArgument("`" + arg + "` is neither a verifier key nor a readable file");
  }
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  return note::DecodeVerifier(text);
}

void AddCheckpointCommands(Command app) {
  Command group = app.Sub("checkpoint", "the log's signed checkpoints (C2SP tlog-checkpoint)");
  group.RequireSubcommand();

  Command key = group.Sub("key", "print the log's public key (verifier key) and key name");
  auto key_flags = std::make_shared<CheckpointFlags>();
  key_flags->AddTo(key);
  key.OnRun([key_flags] {
    Result<note::Signer> signer = storage::LoadCheckpointKey(key_flags->KeyPath());
    if (!signer.ok()) {
      ExitCode() = Fail("checkpoint key",
                        signer.status().code() == StatusCode::kNotFound
                            ? Status::NotFound(signer.status().message() +
                                               "; the server makes it at its first start, or "
                                               "run `pathways checkpoint sign`")
                            : signer.status());
      return;
    }
    std::printf("%s\nkey name (origin): %s\n", note::EncodeVerifier(signer->verifier).c_str(),
                signer->name.c_str());
  });

  Command sign = group.Sub("sign", "sign a checkpoint of the log as it stands, and keep it");
  auto sign_flags = std::make_shared<CheckpointFlags>();
  auto origin = std::make_shared<std::string>();
  sign_flags->AddTo(sign);
  sign.Add("--origin", *origin,
           "the log's name when the key is made now (default: <host>/pathways/<dir name>)");
  sign.OnRun([sign_flags, origin] {
    adapters::SystemClock clock;
    auto store = OpenForWriting(sign_flags->store, clock, "checkpoint sign");
    if (store == nullptr) return;
    CryptoRandom random;
    Result<note::Signer> signer = storage::LoadOrCreateCheckpointKey(
        sign_flags->KeyPath(),
        origin->empty() ? storage::DefaultOrigin(sign_flags->store.data_dir) : *origin, random);
    if (!signer.ok()) {
      ExitCode() = Fail("checkpoint sign", signer.status());
      return;
    }
    Result<StoredCheckpoint> c = store->SignCheckpoint(*signer);
    if (!c.ok()) {
      ExitCode() = Fail("checkpoint sign", c.status());
      return;
    }
    std::fwrite(c->note.data(), 1, c->note.size(), stdout);
  });

  Command show = group.Sub("show", "print a kept checkpoint (the latest by default)");
  auto show_flags = std::make_shared<StoreFlags>();
  auto size = std::make_shared<unsigned long>(0);
  show_flags->AddTo(show);
  show.Add("--size", *size, "the checkpoint of this tree size");
  show.OnRun([show_flags, size] {
    auto store = OpenForReading(*show_flags, "checkpoint show");
    if (store == nullptr) return;
    Result<StoredCheckpoint> c =
        store->Checkpoint(*size == 0 ? std::nullopt : std::optional<std::uint64_t>(*size));
    if (!c.ok()) {
      ExitCode() = Fail("checkpoint show", c.status());
      return;
    }
    std::fwrite(c->note.data(), 1, c->note.size(), stdout);
  });
}

void AddProveCommands(Command app) {
  Command group = app.Sub("prove", "write a proof bundle an auditor checks with verify-proof");
  group.RequireSubcommand();

  struct InclusionArgs {
    StoreFlags store;
    std::string pathway;
    std::string checkpoint;
    std::string out;
  };
  Command inclusion =
      group.Sub("inclusion", "every event of one pathway in a checkpoint (C2SP tlog-proof)");
  auto in = std::make_shared<InclusionArgs>();
  in->store.AddTo(inclusion);
  inclusion.Add("--pathway", in->pathway, "the pathway (or company record) id").Required();
  inclusion.Add("--checkpoint", in->checkpoint,
                "a signed checkpoint file to prove against (default: the latest kept)");
  inclusion.Add("--out", in->out, "write the bundle here (default: stdout)");
  inclusion.OnRun([in] {
    std::optional<std::string> held;
    if (!ReadArgument(in->checkpoint, "prove inclusion", held)) return;
    auto store = OpenForReading(in->store, "prove inclusion");
    if (store == nullptr) return;
    Result<std::string> bundle = app::ProveInclusion(*store, in->pathway, held);
    if (!bundle.ok()) {
      ExitCode() = Fail("prove inclusion", bundle.status());
      return;
    }
    WriteOut(in->out, *bundle, "prove inclusion");
  });

  struct ConsistencyArgs {
    StoreFlags store;
    std::string from;
    std::string to;
    std::string out;
  };
  Command consistency =
      group.Sub("consistency", "that the log of one checkpoint is the start of another's");
  auto co = std::make_shared<ConsistencyArgs>();
  co->store.AddTo(consistency);
  consistency.Add("--from", co->from, "the older signed checkpoint file").Required();
  consistency.Add("--to", co->to, "the newer signed checkpoint file (default: the latest kept)");
  consistency.Add("--out", co->out, "write the bundle here (default: stdout)");
  consistency.OnRun([co] {
    std::optional<std::string> older;
    std::optional<std::string> newer;
    if (!ReadArgument(co->from, "prove consistency", older) ||
        !ReadArgument(co->to, "prove consistency", newer)) {
      return;
    }
    auto store = OpenForReading(co->store, "prove consistency");
    if (store == nullptr) return;
    Result<std::string> bundle = app::ProveConsistency(*store, *older, newer);
    if (!bundle.ok()) {
      ExitCode() = Fail("prove consistency", bundle.status());
      return;
    }
    WriteOut(co->out, *bundle, "prove consistency");
  });
}

void AddVerifyProof(Command app) {
  struct Args {
    std::string bundle;
    std::string key;
    std::vector<std::string> witnesses;
  };
  Command cmd =
      app.Sub("verify-proof", "check a proof bundle offline with the log's public key alone");
  auto a = std::make_shared<Args>();
  cmd.Add("bundle", a->bundle, "the bundle file `pathways prove` wrote").Required();
  cmd.Add("--key", a->key, "the log's verifier key (`pathways checkpoint key`), or a file with it")
      .Required();
  cmd.Add("--witness", a->witnesses,
          "a witness's verifier key (or file) whose cosignature the checkpoints must carry")
      .OneValueEach();
  cmd.OnRun([a] {
    Result<note::Verifier> log = VerifierArg(a->key);
    if (!log.ok()) {
      ExitCode() = kExitUsage;
      Fail("verify-proof", log.status());
      return;
    }
    std::vector<note::Verifier> witnesses;
    for (const std::string& w : a->witnesses) {
      Result<note::Verifier> v = VerifierArg(w);
      if (!v.ok()) {
        ExitCode() = kExitUsage;
        Fail("verify-proof", v.status());
        return;
      }
      witnesses.push_back(*v);
    }
    std::optional<std::string> text;
    if (!ReadArgument(a->bundle, "verify-proof", text)) return;
    Result<audit::ProofReport> report = audit::VerifyBundle(*text, *log, witnesses);
    if (!report.ok()) {
      std::printf("REFUSED: %s\n", report.status().message().c_str());
      ExitCode() =
          report.status().code() == StatusCode::kInvalidArgument ? kExitUsage : kExitDamaged;
      return;
    }
    for (const std::string& line : report->checked) std::printf("%s\n", line.c_str());
    if (report->kind == "inclusion") {
      std::printf("ok: %zu events of %s are in the log of %s at %llu events\n",
                  report->checked.size() - 1 - witnesses.size(), report->pathway_id.c_str(),
                  report->origin.c_str(), static_cast<unsigned long long>(report->size));
    } else {
      std::printf("ok: the log of %s at %llu events extends the one at %llu\n",
                  report->origin.c_str(), static_cast<unsigned long long>(report->size),
                  static_cast<unsigned long long>(report->old_size));
    }
  });
}

}  // namespace

void AddProofCommands(Command app) {
  AddCheckpointCommands(app);
  AddProveCommands(app);
  AddVerifyProof(app);
}

}  // namespace pathways::cli

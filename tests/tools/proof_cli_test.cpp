// Checkpoints and proofs from the command line as an auditor uses them: a checkpoint signed and
// its public key printed, a participant's inclusion bundle and a consistency bundle checked by
// verify-proof with the key alone, and each attack refused with its reason: an event altered
// in a bundle, the wrong key, a forked checkpoint, a log that lost events, a rewritten history.

#include <doctest/doctest.h>

#include <fstream>
#include <sstream>

#include "engine/audit/checkpoint.hpp"
#include "engine/audit/merkle.hpp"
#include "engine/codec/base64.hpp"
#include "engine/storage/checkpoint_key.hpp"
#include "tests/support/cli_run.hpp"
#include "tests/support/raw_db.hpp"
#include "tests/support/temp_store.hpp"

namespace pathways {
namespace {

namespace note = audit::note;
using testing::Pathways;
using testing::Run;

void Append(const std::string& dir, int from, int to) {
  ManualClock clock(testing::kTestEpochMs);
  auto store = testing::OpenStore(dir, clock);
  for (int i = from; i < to; ++i) {
    AppendRequest r = testing::Request("pw-" + std::to_string(i % 3), "c" + std::to_string(i));
    r.events[0].personal[PersonalScope::kIdentity] = {{"name", "Navn Nielsen"}};
    REQUIRE(store->Append(std::move(r)).ok());
  }
}

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

void Write(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
}

// A checkpoint the log's own key signs over any size and root: what a dishonest operator
// could make with the key.
std::string Forged(const note::Signer& key, std::uint64_t size, const Hash256& root) {
  const std::string text = audit::CheckpointText({key.name, size, root, {}});
  return note::Format({text, {*note::Sign(text, key)}});
}

TEST_CASE("checkpoints and proofs: signed, proved and verified offline, attacks refused") {
  testing::TempDir tmp;
  const std::string dir = tmp / "store";
  const std::string data = "--data " + dir;
  Append(dir, 0, 12);

  Run none = Pathways("checkpoint key " + data + " 2>&1");
  CHECK(none.exit_code == 1);
  CHECK(none.out.find("the server makes it at its first start") != std::string::npos);

  Run signed_old = Pathways("checkpoint sign " + data + " --origin amigo.example/log");
  REQUIRE_MESSAGE(signed_old.exit_code == 0, signed_old.out);
  CHECK(signed_old.out.starts_with("amigo.example/log\n12\n"));
  Write(tmp / "old.checkpoint", signed_old.out);
  Run key = Pathways("checkpoint key " + data);
  REQUIRE(key.exit_code == 0);
  const std::string vkey = key.out.substr(0, key.out.find('\n'));
  CHECK(vkey.starts_with("amigo.example/log+"));
  CHECK(key.out.find("key name (origin): amigo.example/log") != std::string::npos);
  Write(tmp / "log.vkey", vkey + "\n");
  CHECK(Pathways("checkpoint show " + data).out == signed_old.out);

  // A participant's events, checked with the key alone (no store: it is moved away).
  REQUIRE(Pathways("prove inclusion " + data + " --pathway pw-1 --out " + (tmp / "pw-1.proof"))
              .exit_code == 0);
  const std::string bundle = Slurp(tmp / "pw-1.proof");
  CHECK(bundle.starts_with("pathways/inclusion-proof@v1\npathway pw-1\nevents 4\n"));
  CHECK(bundle.find("Navn Nielsen") == std::string::npos);  // sealed in the leaves
  std::filesystem::rename(dir, tmp / "elsewhere");
  Run ok = Pathways("verify-proof " + (tmp / "pw-1.proof") + " --key " + vkey);
  CHECK_MESSAGE(ok.exit_code == 0, ok.out);
  CHECK(ok.out.find("ok: 4 events of pw-1 are in the log of amigo.example/log at 12 events") !=
        std::string::npos);
  CHECK(
      Pathways("verify-proof " + (tmp / "pw-1.proof") + " --key " + (tmp / "log.vkey")).exit_code ==
      0);
  std::filesystem::rename(tmp / "elsewhere", dir);

  // An event altered in the bundle: its leaf no longer leads to the signed root.
  {
    const std::size_t at = bundle.find("extra ") + 6;
    const std::size_t end = bundle.find('\n', at);
    std::string value;
    REQUIRE(codec::Base64Decode(bundle.substr(at, end - at), value));
    value[20] ^= 1;
    std::string altered = bundle;
    altered.replace(at, end - at, codec::Base64Encode(value));
    Write(tmp / "altered.proof", altered);
    Run refused = Pathways("verify-proof " + (tmp / "altered.proof") + " --key " + vkey);
    CHECK(refused.exit_code == 3);
    CHECK(refused.out.starts_with("REFUSED: "));
  }
  // The wrong key, and a bundle cut short.
  {
    CryptoRandom random;
    Result<note::Signer> other = note::GenerateSigner("amigo.example/log", random);
    Run wrong = Pathways("verify-proof " + (tmp / "pw-1.proof") + " --key " +
                         note::EncodeVerifier(other->verifier));
    CHECK(wrong.exit_code == 3);
    CHECK(wrong.out.find("not signed by the log's key") != std::string::npos);
    Write(tmp / "cut.proof", bundle.substr(0, bundle.size() / 2));
    CHECK(Pathways("verify-proof " + (tmp / "cut.proof") + " --key " + vkey).exit_code != 0);
    // A bundle of no events proves nothing.
    Write(tmp / "empty.proof", "pathways/inclusion-proof@v1\npathway pw-1\nevents 0\n");
    Run empty = Pathways("verify-proof " + (tmp / "empty.proof") + " --key " + vkey);
    CHECK(empty.exit_code == 2);
    CHECK(empty.out == "REFUSED: the bundle holds no event\n");
  }

  // The log grows; a consistency bundle shows the old checkpoint is its start.
  Append(dir, 12, 30);
  REQUIRE(Pathways("checkpoint sign " + data).exit_code == 0);
  REQUIRE(Pathways("prove consistency " + data + " --from " + (tmp / "old.checkpoint") + " --out " +
                   (tmp / "grew.proof"))
              .exit_code == 0);
  Run grew = Pathways("verify-proof " + (tmp / "grew.proof") + " --key " + vkey);
  CHECK_MESSAGE(grew.exit_code == 0, grew.out);
  CHECK(grew.out.find("extends the one at 12") != std::string::npos);

  // A forked checkpoint: signed with the log's key over another root. The store will not prove
  // anything against it, and a bundle made by hand around it is refused.
  Result<note::Signer> log_key = storage::LoadCheckpointKey(storage::DefaultCheckpointKeyPath(dir));
  REQUIRE(log_key.ok());
  Write(tmp / "fork.checkpoint", Forged(*log_key, 12, audit::merkle::LeafHash("fork")));
  Run fork =
      Pathways("prove consistency " + data + " --from " + (tmp / "fork.checkpoint") + " 2>&1");
  CHECK(fork.exit_code == 1);
  CHECK(fork.out.find("another root than the checkpoint") != std::string::npos);
  {
    std::string forged = Slurp(tmp / "grew.proof");
    const std::string old = Slurp(tmp / "old.checkpoint");
    forged.replace(forged.find(old), old.size(), Slurp(tmp / "fork.checkpoint"));
    Write(tmp / "fork.proof", forged);
    Run refused = Pathways("verify-proof " + (tmp / "fork.proof") + " --key " + vkey);
    CHECK(refused.exit_code == 3);
    CHECK(refused.out.find("history was rewritten") != std::string::npos);
  }
  // A checkpoint of more events than the log holds: the log lost events.
  Write(tmp / "longer.checkpoint", Forged(*log_key, 1000, audit::merkle::LeafHash("x")));
  Run lost = Pathways("prove inclusion " + data + " --pathway pw-1 --checkpoint " +
                      (tmp / "longer.checkpoint") + " 2>&1");
  CHECK(lost.exit_code == 1);
  CHECK(lost.out.find("the log lost events") != std::string::npos);

  // A rewritten history: event 5 changed, every tree node recomputed. Nothing proves against
  // the checkpoint signed before, and the store will sign no checkpoint contradicting it.
  {
    testing::RawDb raw(dir);
    raw.RewriteHistory(5);
  }
  Run resigned = Pathways("checkpoint sign " + data + " 2>&1");
  CHECK(resigned.exit_code == 1);
  CHECK(resigned.out.find("inconsistent") != std::string::npos);
  Run rewritten = Pathways("prove inclusion " + data + " --pathway pw-1 --checkpoint " +
                           (tmp / "old.checkpoint") + " 2>&1");
  CHECK(rewritten.exit_code == 1);
  CHECK(rewritten.out.find("rewritten") != std::string::npos);
  // The bundle the auditor kept still verifies: it carries the events as they were.
  CHECK(Pathways("verify-proof " + (tmp / "pw-1.proof") + " --key " + vkey).exit_code == 0);
}

}  // namespace
}  // namespace pathways

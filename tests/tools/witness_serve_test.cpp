// Checkpoints published by a real `pathways serve` to the witnesses of its notifications file:
// a directory, an email to the funder's auditor (a real SMTP server), a signed webhook, and a
// C2SP tlog-witness whose cosignature is verified, kept and shown with the checkpoint — and
// after a restart, which forgets what the witness holds, asked again from the size it names.
// A witness that cosigns offline hands its cosignature in over the API.

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "adapters/notify/webhook_signature.hpp"
#include "engine/audit/proof_bundle.hpp"
#include "tests/support/cli_run.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/server_process.hpp"
#include "tests/support/smtp_receiver.hpp"
#include "tests/support/temp_store.hpp"
#include "tests/support/tlog_witness.hpp"
#include "tests/support/webhook_receiver.hpp"

namespace pathways {
namespace {

namespace note = audit::note;
using testing::HttpReply;

constexpr const char* kSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

std::string FileText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Polls `done` every 20 ms for at most 20 s; true once it holds.
template <typename F>
bool Eventually(F done) {
  for (int i = 0; i < 1000; ++i) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return done();
}

struct Setup {
  testing::TempDir dir;
  std::string config = dir / "pathways.yaml";
  std::map<std::string, std::string> anne, revisor;
};

void WriteConfig(Setup& s, const testing::WebhookReceiver& hook, const testing::SmtpReceiver& smtp,
                 const testing::TlogWitness& witness, const std::string& offline_key) {
  std::filesystem::create_directories(s.dir / "workflows");
  std::filesystem::copy_file(std::string(PATHWAYS_SOURCE_DIR) + "/config/workflows/amigo.yaml",
                             s.dir / "workflows/amigo.yaml");
  std::ofstream(s.dir / "users.yaml")
      << "users:\n  anne: {role: counsellor}\n  revisor: {role: auditor}\n";
  std::ofstream(s.dir / "notifications.yaml")
      << "retry: {schedule: [100ms, 200ms, 400ms, 800ms, 1s, 1s, 1s, 1s], jitter: 0}\n"
         "timeout: 2s\n"
         "smtp:\n  url: smtp://127.0.0.1:"
      << smtp.port()
      << "\n  from: pathways@skole.example\n  ca_file: " PATHWAYS_SOURCE_DIR
         "/tests/data/tls/server.crt\n"
         "witnesses:\n"
         "  arkiv: {directory: checkpoints}\n"
         "  revisor: {email: [revisor@fonden.example]}\n"
         "  overvaagning:\n    webhook: {url: "
      << hook.url("/checkpoints") << ", secrets: [" << kSecret
      << "]}\n"
         "  tilsyn: {url: \""
      << witness.url() << "\", key: \"" << witness.key()
      << "\"}\n"
         "  offline: {key: \""
      << offline_key << "\"}\n";
  std::ofstream(s.config) << "data: store\nworkflows: [workflows]\nusers: users.yaml\n"
                             "tokens: tokens.json\nnotifications: notifications.yaml\n"
                             "checkpoints: {origin: skole.example/amigo, every_minutes: 0}\n";
  s.anne = {{"Authorization", "Bearer " + testing::IssueToken(PATHWAYS_BIN, s.config, "anne")}};
  s.revisor = {
      {"Authorization", "Bearer " + testing::IssueToken(PATHWAYS_BIN, s.config, "revisor")}};
}

std::string Lead(const testing::ServerProcess& server, const Setup& s) {
  HttpReply lead = testing::Request(server.port(), "POST", "/v1/pathways",
                                    R"({"referral_source":"jobcenter"})", s.anne);
  REQUIRE_MESSAGE(lead.status == 201, lead.body);
  return lead.Json()["pathway_id"];
}

nlohmann::json WitnessOf(const testing::ServerProcess& server, const Setup& s,
                         const std::string& name) {
  HttpReply r = testing::Request(server.port(), "GET", "/v1/audit/witnesses", "", s.revisor);
  REQUIRE(r.status == 200);
  const nlohmann::json all = r.Json();
  for (const auto& w : all["witnesses"]) {
    if (w["name"] == name) return w;
  }
  FAIL("no witness " << name << " in " << r.body);
  return {};
}

TEST_CASE(
    "serve: each new checkpoint reaches every witness, and the tlog-witness's cosignature is "
    "kept") {
  testing::WebhookReceiver hook(*notify::ParseWebhookSecret(kSecret));
  testing::TempDir mail;
  testing::SmtpReceiver smtp(mail / "maildir");
  REQUIRE_MESSAGE(smtp.ready(), "python3-aiosmtpd did not start");
  testing::TlogWitness witness;
  CryptoRandom random;
  Result<note::Signer> offline = note::GenerateSigner("revisor.fonden.example", random);
  REQUIRE(offline.ok());
  offline->verifier.type = note::kCosignatureEd25519;
  Setup s;
  WriteConfig(s, hook, smtp, witness, note::EncodeVerifier(offline->verifier));

  std::string pathway;
  std::string first;
  note::Verifier log_key;
  {
    testing::ServerProcess server(PATHWAYS_BIN, {"--config", s.config});
    HttpReply key =
        testing::Request(server.port(), "GET", "/v1/audit/checkpoint/key", "", s.revisor);
    REQUIRE(key.status == 200);
    Result<note::Verifier> vkey = note::DecodeVerifier(key.body.substr(0, key.body.size() - 1));
    REQUIRE(vkey.ok());
    log_key = *vkey;
    pathway = Lead(server, s);
    Lead(server, s);

    // The tlog-witness does not know the log yet (404): tried again until it does.
    HttpReply signed_now =
        testing::Request(server.port(), "POST", "/v1/audit/checkpoint", "", s.revisor);
    REQUIRE_MESSAGE(signed_now.status == 201, signed_now.body);
    first = signed_now.body;
    const std::uint64_t size = std::stoull(signed_now.headers.at("x-pathways-tree-size"));
    REQUIRE(size > 0);
    CHECK(Eventually([&] { return WitnessOf(server, s, "tilsyn")["failures"] >= 1; }));
    witness.Trust(log_key);

    CHECK(Eventually([&] { return witness.size() == size; }));
    CHECK(Eventually([&] {
      return FileText(s.dir / ("checkpoints/" + std::to_string(size) + ".checkpoint")) == first;
    }));
    CHECK(FileText(s.dir / "checkpoints/latest.checkpoint") == first);
    const std::string id = "checkpoint_" + std::to_string(size);
    CHECK(Eventually([&] { return hook.accepted().count(id) == 1; }));
    CHECK(hook.verified() == hook.received());
    const nlohmann::json body = nlohmann::json::parse(hook.bodies().at(id));
    CHECK(body["type"] == "checkpoint.signed");
    CHECK(body["data"]["checkpoint"] == first);
    CHECK(body["data"]["size"] == size);
    CHECK(Eventually([&] { return smtp.Messages().size() == 1; }));
    const std::string email = smtp.Messages().at(0);
    CHECK(email.find("To: <revisor@fonden.example>") != std::string::npos);
    CHECK(email.find("Message-ID: <checkpoint-" + std::to_string(size) + ".revisor@pathways>") !=
          std::string::npos);

    // The cosignature is kept with the checkpoint, and verifies with the witness's key.
    std::string kept;
    CHECK(Eventually([&] {
      kept = testing::Request(server.port(), "GET", "/v1/audit/checkpoint", "", s.revisor).body;
      return kept.find("— witness.test/w1 ") != std::string::npos;
    }));
    Result<note::Note> cosigned = note::Parse(kept);
    REQUIRE(cosigned.ok());
    CHECK(cosigned->signatures.size() == 2);
    CHECK(note::Verify(*cosigned, witness.verifier()).ok());
    CHECK(WitnessOf(server, s, "tilsyn")["delivered_size"] == size);
    CHECK(WitnessOf(server, s, "arkiv")["delivered_size"] == size);
    CHECK(WitnessOf(server, s, "offline")["channel"] == "key");

    // An inclusion proof in that checkpoint verifies offline with the witness required.
    HttpReply bundle = testing::Request(
        server.port(), "GET", "/v1/audit/proofs/inclusion?pathway=" + pathway, "", s.revisor);
    REQUIRE(bundle.status == 200);
    Result<audit::ProofReport> report =
        audit::VerifyBundle(bundle.body, log_key, {witness.verifier()});
    CHECK_MESSAGE(report.ok(), report.status().ToString());

    // A witness that cosigns offline hands its cosignature in; a forged one is refused.
    Result<note::Note> ours = note::Parse(first);
    REQUIRE(ours.ok());
    Result<note::Signature> co = note::Cosign(ours->text, *offline, 1'700'000'000);
    REQUIRE(co.ok());
    note::Signature forged = *co;
    forged.bytes[20] ^= 1;
    HttpReply refused = testing::Request(server.port(), "POST", "/v1/audit/checkpoint/cosignatures",
                                         note::Format({ours->text, {forged}}), s.revisor);
    CHECK(refused.status == 422);
    CHECK(refused.body.find("unverified-cosignature") != std::string::npos);
    HttpReply other_text =
        testing::Request(server.port(), "POST", "/v1/audit/checkpoint/cosignatures",
                         note::Format({"skole.example/amigo\n" + std::to_string(size) +
                                           "\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n",
                                       {*co}}),
                         s.revisor);
    CHECK(other_text.status == 409);
    HttpReply added = testing::Request(server.port(), "POST", "/v1/audit/checkpoint/cosignatures",
                                       note::Format({ours->text, {*co}}), s.revisor);
    REQUIRE_MESSAGE(added.status == 200, added.body);
    Result<note::Note> with_both = note::Parse(added.body);
    REQUIRE(with_both.ok());
    CHECK(with_both->signatures.size() == 3);
    CHECK(note::Verify(*with_both, offline->verifier).ok());
    CHECK(testing::Request(server.port(), "POST", "/v1/audit/checkpoint/cosignatures",
                           note::Format({ours->text, {*co}}), s.anne)
              .status == 403);
  }

  // Restarted, the server no longer knows what the witness holds: it answers 409 with its size,
  // and is asked again with the consistency proof from there.
  testing::ServerProcess server(PATHWAYS_BIN, {"--config", s.config});
  Lead(server, s);
  HttpReply second = testing::Request(server.port(), "POST", "/v1/audit/checkpoint", "", s.revisor);
  REQUIRE(second.status == 201);
  const std::uint64_t size = std::stoull(second.headers.at("x-pathways-tree-size"));
  CHECK(Eventually([&] { return witness.size() == size; }));
  CHECK(witness.conflicts() >= 1);
  CHECK(Eventually([&] {
    return std::filesystem::exists(s.dir / ("checkpoints/" + std::to_string(size) + ".checkpoint"));
  }));
  CHECK(Eventually([&] { return smtp.Messages().size() == 2; }));
}

}  // namespace
}  // namespace pathways

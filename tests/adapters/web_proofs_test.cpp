// The auditor's proofs page (/audit/proofs): the latest checkpoint and the log's key, a
// checkpoint signed on demand, a participant's inclusion proof downloaded and verified with the
// key alone, and an old checkpoint uploaded — as a file or pasted — to see the log only grew;
// a checkpoint of another log is refused with the reason. Other roles find no such page.

#include <doctest/doctest.h>

#include <regex>

#include "engine/audit/checkpoint.hpp"
#include "engine/audit/proof_bundle.hpp"
#include "tests/support/web_fixture.hpp"

namespace pathways {
namespace {

namespace note = audit::note;
using testing::HttpReply;
using testing::WebFixture;

std::string PageCsrf(const HttpReply& page) {
  std::smatch m;
  REQUIRE(std::regex_search(page.body, m, std::regex("name=\"csrf\" value=\"([0-9a-f]+)\"")));
  return m[1];
}

std::string FormEncoded(const std::string& text) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

TEST_CASE("audit proofs page: sign, download a participant's proof, and check the log only grew") {
  WebFixture f;
  f.Lead("anne", "pw-1", "Karen Jensen");
  const std::string revisor = f.SignIn("revisor");
  REQUIRE(!revisor.empty());
  CHECK(f.Get("/audit/proofs", f.SignIn("anne")).status == 404);

  HttpReply empty = f.Get("/audit/proofs", revisor);
  REQUIRE(empty.status == 200);
  CHECK(empty.body.find("Der er endnu ikke underskrevet et kontrolpunkt") != std::string::npos);
  const std::string csrf = PageCsrf(empty);
  CHECK(f.Post("/audit/proofs/sign", "csrf=" + csrf, revisor, f.origin_header).status == 303);
  HttpReply signed_page = f.Get("/audit/proofs", revisor);
  REQUIRE(signed_page.status == 200);
  CHECK(signed_page.body.find("<code>test.example/log</code>") != std::string::npos);
  const std::string vkey =
      note::EncodeVerifier(*note::DecodeVerifier(f.checkpoints->VerifierKey()));
  CHECK(signed_page.body.find(vkey) != std::string::npos);
  CHECK(signed_page.body.find("Intet vidne har medunderskrevet") != std::string::npos);
  Result<StoredCheckpoint> first = f.store->Checkpoint(std::nullopt);
  REQUIRE(first.ok());

  // The participant's proof: a file that verifies with the key alone.
  HttpReply proof = f.Get("/audit/proofs/inclusion?pathway=pw-1", revisor);
  REQUIRE(proof.status == 200);
  CHECK(proof.headers["content-disposition"] == "attachment; filename=\"pw-1.proof\"");
  Result<audit::ProofReport> included =
      audit::VerifyBundle(proof.body, *note::DecodeVerifier(vkey), {});
  REQUIRE_MESSAGE(included.ok(), included.status().ToString());
  CHECK(included->pathway_id == "pw-1");
  HttpReply unknown = f.Get("/audit/proofs/inclusion?pathway=pw-none", revisor);
  CHECK(unknown.status == 404);
  CHECK(unknown.body.find("Forløbet har ingen hændelser") != std::string::npos);
  CHECK(f.Get("/audit/proofs/inclusion?pathway=", revisor).status == 400);

  // More happens and is signed; the kept checkpoint, uploaded, shows the log only grew.
  f.Lead("anne", "pw-2", "Ole Olsen");
  CHECK(f.Post("/audit/proofs/sign", "csrf=" + csrf, revisor, f.origin_header).status == 303);
  const std::uint64_t now = f.store->Checkpoint(std::nullopt)->size;
  REQUIRE(now > first->size);
  HttpReply grew = f.Upload("/audit/proofs/consistency", revisor, {{"csrf", csrf}},
                            "old.checkpoint", first->note);
  REQUIRE_MESSAGE(grew.status == 200, grew.body);
  const std::string says = "Loggen er kun vokset: fra " + std::to_string(first->size) + " til " +
                           std::to_string(now) + " hændelser";
  CHECK(grew.body.find(says) != std::string::npos);
  // Pasted from an email, with the browser's CRLF line ends: the same.
  std::string pasted = std::regex_replace(first->note, std::regex("\n"), "\r\n");
  HttpReply grew_pasted =
      f.Post("/audit/proofs/consistency", "csrf=" + csrf + "&checkpoint=" + FormEncoded(pasted),
             revisor, f.origin_header);
  CHECK(grew_pasted.body.find(says) != std::string::npos);
  HttpReply download =
      f.Post("/audit/proofs/consistency",
             "csrf=" + csrf + "&download=true&checkpoint=" + FormEncoded(first->note), revisor,
             f.origin_header);
  REQUIRE(download.status == 200);
  CHECK(download.headers["content-disposition"].starts_with("attachment"));
  Result<audit::ProofReport> consistent =
      audit::VerifyBundle(download.body, *note::DecodeVerifier(vkey), {});
  REQUIRE_MESSAGE(consistent.ok(), consistent.status().ToString());
  CHECK(consistent->old_size == first->size);

  // A checkpoint of another root at a size this log has: refused, saying why.
  CryptoRandom random;
  Result<note::Signer> other = note::GenerateSigner("test.example/log", random);
  REQUIRE(other.ok());
  audit::Checkpoint forged{"test.example/log", first->size, {}, {}};
  forged.root[0] = 1;
  const std::string text = audit::CheckpointText(forged);
  const std::string forged_note = note::Format({text, {*note::Sign(text, *other)}});
  HttpReply refused = f.Upload("/audit/proofs/consistency", revisor, {{"csrf", csrf}},
                               "forged.checkpoint", forged_note);
  CHECK(refused.status == 409);
  CHECK(refused.body.find("Kontrolpunktet passer ikke til denne log") != std::string::npos);
  CHECK(refused.body.find("another root") != std::string::npos);
  HttpReply nothing =
      f.Upload("/audit/proofs/consistency", revisor, {{"csrf", csrf}}, "none.checkpoint", "");
  CHECK(nothing.status == 400);
  // Without the session's token nothing is done.
  CHECK(f.Post("/audit/proofs/sign", "csrf=0", revisor, f.origin_header).status == 403);
}

}  // namespace
}  // namespace pathways

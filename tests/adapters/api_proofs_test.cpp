// The log's checkpoints and proofs over HTTP for auditors (docs/api/proofs.yaml): a checkpoint
// signed on demand, the key, a participant's inclusion bundle and the consistency bundle from a
// kept checkpoint, each verified as `pathways verify-proof` would; other roles get nothing, and
// a checkpoint not of this log is refused as inconsistent.

#include <doctest/doctest.h>

#include "engine/audit/checkpoint.hpp"
#include "engine/audit/merkle.hpp"
#include "engine/audit/proof_bundle.hpp"
#include "tests/support/api_server.hpp"

namespace pathways {
namespace {

using testing::HttpReply;
using testing::IsProblem;
using testing::TestServer;

TEST_CASE("proofs over HTTP: auditors get checkpoints and bundles that verify with the key") {
  TestServer s;
  const std::string id = s.Lead("anne");
  CHECK(IsProblem(s.As("anne", "GET", "/v1/audit/checkpoint"), 403, "forbidden"));
  CHECK(IsProblem(s.As("revisor", "GET", "/v1/audit/checkpoint"), 404, "not-found"));

  HttpReply first = s.As("revisor", "POST", "/v1/audit/checkpoint");
  REQUIRE_MESSAGE(first.status == 201, first.body);
  CHECK(first.headers.at("content-type").starts_with("text/plain"));
  CHECK(first.body.starts_with("test.example/log\n"));
  CHECK(s.As("revisor", "GET", "/v1/audit/checkpoint").body == first.body);
  HttpReply key = s.As("revisor", "GET", "/v1/audit/checkpoint/key");
  REQUIRE(key.status == 200);
  Result<audit::note::Verifier> vkey =
      audit::note::DecodeVerifier(key.body.substr(0, key.body.size() - 1));
  REQUIRE_MESSAGE(vkey.ok(), vkey.status().ToString());

  // More happens; the participant's events in the newest checkpoint, and the log only grew.
  REQUIRE(
      s.As("anne", "POST", "/v1/pathways/" + id + "/contacts", R"({"channel":"phone"})").status ==
      200);
  HttpReply second = s.As("revisor", "POST", "/v1/audit/checkpoint");
  REQUIRE(second.status == 201);
  CHECK(second.body != first.body);
  HttpReply inclusion = s.As("revisor", "GET", "/v1/audit/proofs/inclusion?pathway=" + id);
  REQUIRE_MESSAGE(inclusion.status == 200, inclusion.body);
  Result<audit::ProofReport> included = audit::VerifyBundle(inclusion.body, *vkey, {});
  REQUIRE_MESSAGE(included.ok(), included.status().ToString());
  CHECK(included->pathway_id == id);
  HttpReply against =
      s.As("revisor", "POST", "/v1/audit/proofs/inclusion?pathway=" + id, first.body);
  REQUIRE(against.status == 200);
  CHECK(audit::VerifyBundle(against.body, *vkey, {})->size < included->size);
  HttpReply grew = s.As("revisor", "POST", "/v1/audit/proofs/consistency", first.body);
  REQUIRE_MESSAGE(grew.status == 200, grew.body);
  Result<audit::ProofReport> consistent = audit::VerifyBundle(grew.body, *vkey, {});
  REQUIRE_MESSAGE(consistent.ok(), consistent.status().ToString());
  CHECK(consistent->kind == "consistency");

  // A checkpoint of another root at a size this log has: not this log's, or rewritten.
  CryptoRandom random;
  auto other = audit::note::GenerateSigner("test.example/log", random);
  const std::string text =
      audit::CheckpointText({"test.example/log", 2, audit::merkle::LeafHash("other"), {}});
  const std::string forged = audit::note::Format({text, {*audit::note::Sign(text, *other)}});
  CHECK(IsProblem(s.As("revisor", "POST", "/v1/audit/proofs/consistency", forged), 409,
                  "inconsistent-checkpoint"));
  CHECK(IsProblem(s.As("revisor", "POST", "/v1/audit/proofs/consistency", "no checkpoint"), 400,
                  "invalid-request"));
  CHECK(IsProblem(s.As("revisor", "POST", "/v1/audit/proofs/consistency"), 400, "invalid-request"));
  CHECK(IsProblem(s.As("revisor", "GET", "/v1/audit/proofs/inclusion"), 400, "invalid-request"));
  CHECK(IsProblem(s.As("revisor", "GET", "/v1/audit/proofs/inclusion?pathway=nobody"), 404,
                  "not-found"));
  CHECK(
      IsProblem(s.As("anne", "GET", "/v1/audit/proofs/inclusion?pathway=" + id), 403, "forbidden"));
}

}  // namespace
}  // namespace pathways

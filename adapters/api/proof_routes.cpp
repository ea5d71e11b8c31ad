// The log's checkpoints and proofs for auditors under /v1/audit (docs/api/proofs.yaml,
// docs/formats/merkle.md): the latest checkpoint and the log's public key, a checkpoint signed
// on demand, a participant's inclusion bundle, and the consistency bundle from a checkpoint
// the auditor kept. Checkpoints and bundles are text, as `pathways verify-proof` reads them.

#include "adapters/api/api_impl.hpp"
#include "adapters/app/checkpoint_signer.hpp"
#include "adapters/app/cosignatures.hpp"
#include "adapters/app/proofs.hpp"
#include "adapters/notify/witness_publisher.hpp"
#include "engine/codec/event_json.hpp"

namespace pathways::api {
namespace {

http::Response Text(int status, std::string body,
                    const std::string& type = "text/plain; charset=utf-8") {
  http::Response r;
  r.status = status;
  r.content_type = type;
  r.body = std::move(body);
  return r;
}

// A refusal of the auditor's checkpoint: not this log's, or the log was rewritten.
http::Response ProofProblem(const Status& st) {
  if (st.code() == StatusCode::kFailedPrecondition) {
    return Problem(409, "inconsistent-checkpoint", st.message());
  }
  return ProblemFor(st);
}

}  // namespace

void Api::Impl::GetCheckpoint(Call& c) {
  std::optional<std::uint64_t> size;
  if (const std::string* s = c.req.Query("size")) {
    size = ParseUnsigned(*s);
    if (!size) return c.respond(Problem(400, "invalid-request", "`size` is a tree size"));
  }
  Result<StoredCheckpoint> kept = options.store->Checkpoint(size);
  if (!kept.ok()) return c.respond(ProblemFor(kept.status()));
  c.respond(Text(200, kept->note).With("X-Pathways-Tree-Size", std::to_string(kept->size)));
}

void Api::Impl::SignCheckpoint(Call& c) {
  if (options.checkpoints == nullptr) {
    return c.respond(Problem(501, "not-configured", "this server signs no checkpoints"));
  }
  auto call = std::make_shared<Call>(std::move(c));
  jobs.Run([this, call] {
    Result<StoredCheckpoint> signed_now = options.checkpoints->SignNow();
    if (!signed_now.ok()) return call->respond(ProofProblem(signed_now.status()));
    call->respond(
        Text(201, signed_now->note).With("X-Pathways-Tree-Size", std::to_string(signed_now->size)));
  });
}

void Api::Impl::CheckpointKey(Call& c) {
  if (options.checkpoints == nullptr) {
    return c.respond(Problem(501, "not-configured", "this server signs no checkpoints"));
  }
  c.respond(Text(200, options.checkpoints->VerifierKey() + "\n"));
}

void Api::Impl::AddCosignatures(Call& c) {
  if (options.witnesses == nullptr || options.witnesses->Keys().empty()) {
    return c.respond(Problem(501, "not-configured", "no witness's key is configured"));
  }
  if (c.req.body.empty()) {
    return c.respond(Problem(400, "invalid-request",
                             "send the checkpoint with the witness's cosignature as the body"));
  }
  auto call = std::make_shared<Call>(std::move(c));
  jobs.Run([this, call] {
    Result<app::KeptCosignatures> kept =
        app::KeepCosignatures(*options.store, call->req.body, options.witnesses->Keys());
    if (!kept.ok()) {
      if (kept.status().code() == StatusCode::kRejected) {
        return call->respond(Problem(422, "unverified-cosignature", kept.status().message()));
      }
      return call->respond(ProofProblem(kept.status()));
    }
    Result<StoredCheckpoint> stored = options.store->Checkpoint(kept->size);
    if (!stored.ok()) return call->respond(ProblemFor(stored.status()));
    call->respond(
        Text(200, stored->note).With("X-Pathways-Tree-Size", std::to_string(stored->size)));
  });
}

void Api::Impl::Witnesses(Call& c) {
  nlohmann::json list = nlohmann::json::array();
  if (options.witnesses != nullptr) {
    for (const notify::WitnessState& w : options.witnesses->States()) {
      nlohmann::json j = {{"name", w.name},
                          {"channel", w.channel},
                          {"delivered_size", w.delivered},
                          {"waiting_size", w.waiting},
                          {"failures", w.failures}};
      if (!w.key.empty()) j["key"] = w.key;
      if (w.delivered_at != 0) j["delivered_at"] = codec::FormatIso8601(w.delivered_at);
      if (!w.last_error.empty()) j["last_error"] = w.last_error;
      list.push_back(std::move(j));
    }
  }
  c.respond(Json(200, {{"witnesses", list}}));
}

void Api::Impl::ProveInclusion(Call& c) {
  const std::string* pathway = c.req.Query("pathway");
  if (pathway == nullptr || pathway->empty()) {
    return c.respond(Problem(400, "invalid-request", "name the `pathway` to prove"));
  }
  std::optional<std::string> held;
  if (!c.req.body.empty()) held = c.req.body;  // POST: against the auditor's checkpoint
  auto call = std::make_shared<Call>(std::move(c));
  jobs.Run([this, call, id = *pathway, held] {
    Result<std::string> bundle = app::ProveInclusion(*options.store, id, held);
    if (!bundle.ok()) return call->respond(ProofProblem(bundle.status()));
    call->respond(Text(200, std::move(*bundle))
                      .With("Content-Disposition", "attachment; filename=\"" + id + ".proof\""));
  });
}

void Api::Impl::ProveConsistency(Call& c) {
  if (c.req.body.empty()) {
    return c.respond(
        Problem(400, "invalid-request", "send the signed checkpoint you hold as the request body"));
  }
  auto call = std::make_shared<Call>(std::move(c));
  jobs.Run([this, call] {
    Result<std::string> bundle =
        app::ProveConsistency(*options.store, call->req.body, std::nullopt);
    if (!bundle.ok()) return call->respond(ProofProblem(bundle.status()));
    call->respond(Text(200, std::move(*bundle)));
  });
}

}  // namespace pathways::api

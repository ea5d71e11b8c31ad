// The auditor's proofs of the log (/audit/proofs; docs/formats/merkle.md): the latest signed
// checkpoint with the log's key and the witnesses' cosignatures, how each witness stands, a
// participant's inclusion proof to download, and an old checkpoint uploaded to see that the log
// only grew since. Every proof is the file `pathways verify-proof` checks offline.

#include "adapters/app/checkpoint_signer.hpp"
#include "adapters/app/proofs.hpp"
#include "adapters/notify/witness_publisher.hpp"
#include "adapters/web/web_impl.hpp"
#include "engine/audit/checkpoint.hpp"
#include "engine/audit/proof_bundle.hpp"

namespace pathways::web {
namespace {

namespace note = audit::note;

http::Response Download(std::string body, const std::string& filename) {
  http::Response r;
  r.status = 200;
  r.content_type = "text/plain; charset=utf-8";
  r.body = std::move(body);
  return Secured(std::move(r))
      .With("Content-Disposition", "attachment; filename=\"" + filename + "\"");
}

// A pathway id as the lookup forms take it: no path or query characters.
bool PlainId(const std::string& id) {
  return !id.empty() && id.size() <= 200 && id.find_first_of("/?#%\"\\") == std::string::npos;
}

}  // namespace

void Web::Impl::AuditProofs(Page& p, json model, int status) {
  Result<StoredCheckpoint> latest = o.store->Checkpoint(std::nullopt);
  model["csrf"] = p.session->csrf;
  model["can_sign"] = o.checkpoints != nullptr;
  if (o.checkpoints != nullptr) model["key"] = o.checkpoints->VerifierKey();
  const std::vector<note::Verifier> no_witnesses;
  const std::vector<note::Verifier>& witness_keys =
      o.witnesses != nullptr ? o.witnesses->Keys() : no_witnesses;
  if (latest.ok()) {
    Result<note::Note> n = note::Parse(latest->note);
    Result<audit::Checkpoint> c =
        n.ok() ? audit::ParseCheckpoint(n->text) : Result<audit::Checkpoint>(n.status());
    if (!c.ok()) return Error(p, 503, "unavailable", c.status().message());
    model["checkpoint"] = {{"origin", c->origin},
                           {"size", std::to_string(c->size)},
                           {"root", audit::HashBase64(c->root)},
                           {"note", latest->note}};
    json cosignatures = json::array();
    for (const note::Signature& s : n->signatures) {
      if (s.name == c->origin) continue;  // the log's own
      json row = {{"name", s.name}, {"verified", false}};
      for (const note::Verifier& w : witness_keys) {
        std::uint64_t at = 0;
        if (w.name == s.name && w.id() == s.id && note::Verify({n->text, {s}}, w, &at).ok()) {
          row["verified"] = true;
          if (at != 0) row["at"] = When(static_cast<TimestampMs>(at) * 1000, p.lang);
        }
      }
      cosignatures.push_back(std::move(row));
    }
    model["cosignatures"] = cosignatures;
    model["has_cosignatures"] = !cosignatures.empty();
  }
  json witnesses = json::array();
  if (o.witnesses != nullptr) {
    for (const notify::WitnessState& w : o.witnesses->States()) {
      witnesses.push_back({{"name", w.name},
                           {"channel", Message(p.lang, "proofs_channel_" + w.channel)},
                           {"delivered", w.delivered == 0 ? "–" : std::to_string(w.delivered)},
                           {"when", w.delivered_at == 0 ? "" : When(w.delivered_at, p.lang)},
                           {"waiting", w.waiting == 0 ? "" : std::to_string(w.waiting)},
                           {"error", w.last_error}});
    }
  }
  model["witnesses"] = witnesses;
  model["has_witnesses"] = !witnesses.empty();
  Send(p, status, Message(p.lang, "proofs_title"), RenderTemplate("audit_proofs", model, p.lang),
       "/audit");
}

void Web::Impl::AuditProofAct(Page& p) {
  if (!app::Allowed(app::Access::kAudit, *p.user)) {
    return Error(p, 404, "not_found", Message(p.lang, "not_found_text"));
  }
  const std::vector<std::string>& seg = p.segments;
  const bool get = p.req.method == "GET";
  if (seg.size() == 2) {
    return get ? AuditProofs(p, json::object())
               : Error(p, 404, "not_found", Message(p.lang, "not_found_text"));
  }
  const std::string act = seg.size() == 3 ? seg[2] : "";
  if (act == "inclusion" && get) {
    const std::string* id = p.req.Query("pathway");
    if (id == nullptr || !PlainId(*id)) {
      return AuditProofs(p, {{"inclusion_error", Message(p.lang, "proofs_name_pathway")}}, 400);
    }
    // Only a pathway this auditor may see: a school's auditor proves their school's.
    if (!workspace.Pathway(*p.user, *id).ok()) {
      return AuditProofs(p, {{"inclusion_error", Message(p.lang, "proofs_no_events")}}, 404);
    }
    Result<std::string> bundle = app::ProveInclusion(*o.store, *id, std::nullopt);
    if (!bundle.ok()) {
      const std::string why = bundle.status().code() == StatusCode::kNotFound
                                  ? Message(p.lang, "proofs_no_events")
                                  : bundle.status().message();
      return AuditProofs(p, {{"inclusion_error", why}}, 404);
    }
    return p.respond(Download(std::move(*bundle), *id + ".proof"));
  }
  if (act == "sign" && !get && o.checkpoints != nullptr) {
    Result<StoredCheckpoint> c = o.checkpoints->SignNow();
    if (!c.ok()) return AuditProofs(p, {{"sign_error", c.status().message()}}, 409);
    return p.respond(Redirect("/audit/proofs"));
  }
  if (act == "consistency" && !get) {
    const Form form(p.req);
    std::string held = form.Text("file");
    if (held.empty()) held = form.Text("checkpoint");
    // A browser's textarea sends CRLF line ends; a note has LF only.
    std::string text;
    for (char ch : held) {
      if (ch != '\r') text += ch;
    }
    if (text.empty()) {
      return AuditProofs(p, {{"consistency_error", Message(p.lang, "proofs_empty")}}, 400);
    }
    Result<std::string> bundle = app::ProveConsistency(*o.store, text, std::nullopt);
    if (!bundle.ok()) {
      return AuditProofs(p,
                         {{"consistency_error", Message(p.lang, "proofs_not_of_this_log")},
                          {"consistency_why", bundle.status().message()},
                          {"held", text}},
                         bundle.status().code() == StatusCode::kFailedPrecondition ? 409 : 400);
    }
    Result<audit::ProofReport> report =
        o.checkpoints != nullptr
            ? audit::VerifyBundle(*bundle, *note::DecodeVerifier(o.checkpoints->VerifierKey()), {})
            : Result<audit::ProofReport>(Status::FailedPrecondition("no key"));
    if (form.Text("download") == "true") {
      return p.respond(Download(std::move(*bundle), "consistency.proof"));
    }
    json model = {{"held", text}, {"bundle", *bundle}};
    if (report.ok()) {
      model["grew"] = Message(
          p.lang, "proofs_grew",
          {{"old", std::to_string(report->old_size)}, {"new", std::to_string(report->size)}});
    }
    return AuditProofs(p, std::move(model));
  }
  Error(p, 404, "not_found", Message(p.lang, "not_found_text"));
}

}  // namespace pathways::web

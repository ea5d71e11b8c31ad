#include "adapters/app/cosignatures.hpp"

#include "engine/audit/checkpoint.hpp"

namespace pathways::app {

namespace note = audit::note;

Result<KeptCosignatures> KeepCosignatures(LogProofs& log, std::string_view signed_note,
                                          const std::vector<note::Verifier>& witnesses) {
  Result<note::Note> n = note::Parse(signed_note);
  if (!n.ok()) return Status::InvalidArgument("not a signed checkpoint: " + n.status().message());
  Result<audit::Checkpoint> c = audit::ParseCheckpoint(n->text);
  if (!c.ok()) return c.status();
  Result<StoredCheckpoint> kept = log.Checkpoint(c->size);
  if (!kept.ok()) {
    if (kept.status().code() == StatusCode::kNotFound) {
      return Status::NotFound("this log signed no checkpoint at " + std::to_string(c->size) +
                              " events");
    }
    return kept.status();
  }
  Result<note::Note> ours = note::Parse(kept->note);
  if (!ours.ok()) return ours.status();
  if (ours->text != n->text) {
    return Status::FailedPrecondition("the note is not the checkpoint this log signed at " +
                                      std::to_string(c->size) + " events");
  }
  KeptCosignatures kept_now{c->size, {}};
  std::vector<std::string>& names = kept_now.witnesses;
  std::string refused;
  for (const note::Signature& s : n->signatures) {
    for (const note::Verifier& w : witnesses) {
      if (w.name != s.name || w.id() != s.id) continue;
      const Status verified = note::Verify(note::Note{n->text, {s}}, w);
      if (!verified.ok()) {
        refused = verified.message();
        continue;
      }
      if (Status st = log.AddCosignature(c->size, s); !st.ok()) return st;
      names.push_back(w.name);
    }
  }
  if (names.empty()) {
    return Status::Rejected(refused.empty()
                                ? "no signature by a configured witness over checkpoint " +
                                      std::to_string(c->size)
                                : refused);
  }
  return kept_now;
}

}  // namespace pathways::app

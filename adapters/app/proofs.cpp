#include "adapters/app/proofs.hpp"

#include "engine/audit/note.hpp"
#include "engine/audit/proof_bundle.hpp"

namespace pathways::app {
namespace {

// The events of one pathway read at most this many at a time.
constexpr std::size_t kPage = 1000;

Result<std::string> LatestOr(const Store& store, const std::optional<std::string>& signed_note) {
  if (signed_note) return *signed_note;
  Result<StoredCheckpoint> latest = store.Checkpoint(std::nullopt);
  if (!latest.ok()) return latest.status();
  return latest->note;
}

}  // namespace

Result<audit::Checkpoint> CheckAgainstLog(const Store& store, const std::string& signed_note) {
  Result<audit::note::Note> n = audit::note::Parse(signed_note);
  if (!n.ok()) return Status::InvalidArgument("not a signed checkpoint: " + n.status().message());
  Result<audit::Checkpoint> c = audit::ParseCheckpoint(n->text);
  if (!c.ok()) return c.status();
  Result<TreeHead> here = store.TreeAt(std::nullopt);
  if (!here.ok()) return here.status();
  if (c->size > here->size) {
    return Status::FailedPrecondition("the checkpoint names " + std::to_string(c->size) +
                                      " events; this log holds " + std::to_string(here->size) +
                                      ": it is not of this log, or the log lost events");
  }
  Result<TreeHead> then = store.TreeAt(c->size);
  if (!then.ok()) return then.status();
  if (then->root != c->root) {
    return Status::FailedPrecondition(
        "this log's first " + std::to_string(c->size) +
        " events have another root than the checkpoint: it is not of this log, or the log was "
        "rewritten since it was signed");
  }
  return c;
}

Result<std::string> ProveInclusion(const Store& store, const std::string& pathway_id,
                                   const std::optional<std::string>& signed_note) {
  Result<std::string> note = LatestOr(store, signed_note);
  if (!note.ok()) return note.status();
  Result<audit::Checkpoint> c = CheckAgainstLog(store, *note);
  if (!c.ok()) return c.status();
  audit::InclusionBundle bundle{pathway_id, *note, {}};
  for (std::uint64_t from = 1;;) {
    Result<StreamPage> page = store.ReadStream(pathway_id, from, kPage);
    if (!page.ok()) return page.status();
    bool past = false;
    for (const RecordedEvent& e : page->events) {
      if (e.position > c->size) {
        past = true;
        break;
      }
      Result<std::string> entry = store.LeafEntry(e.position);
      if (!entry.ok()) return entry.status();
      Result<std::vector<Hash256>> path = store.InclusionProof(e.position, c->size);
      if (!path.ok()) return path.status();
      bundle.events.push_back({e.position - 1, std::move(*entry), std::move(*path)});
    }
    if (past || page->next_version == 0) break;
    from = page->next_version;
  }
  if (bundle.events.empty()) {
    return Status::NotFound("the checkpoint of " + std::to_string(c->size) +
                            " events holds no event of " + pathway_id);
  }
  return audit::FormatInclusionBundle(bundle);
}

Result<std::string> ProveConsistency(const Store& store, const std::string& older,
                                     const std::optional<std::string>& newer) {
  Result<std::string> newer_note = LatestOr(store, newer);
  if (!newer_note.ok()) return newer_note.status();
  Result<audit::Checkpoint> a = CheckAgainstLog(store, older);
  if (!a.ok()) return a.status();
  Result<audit::Checkpoint> b = CheckAgainstLog(store, *newer_note);
  if (!b.ok()) return b.status();
  if (a->size > b->size) {
    return Status::InvalidArgument("the older checkpoint (" + std::to_string(a->size) +
                                   " events) is larger than the newer (" + std::to_string(b->size) +
                                   ")");
  }
  Result<std::vector<Hash256>> path = store.ConsistencyProof(a->size, b->size);
  if (!path.ok()) return path.status();
  return audit::FormatConsistencyBundle({older, *newer_note, std::move(*path)});
}

}  // namespace pathways::app

#include "engine/audit/proof_bundle.hpp"

#include <charconv>

#include "engine/audit/checkpoint.hpp"
#include "engine/audit/merkle.hpp"
#include "engine/codec/base64.hpp"
#include "engine/codec/event_record.hpp"

namespace pathways::audit {
namespace {

bool Number(std::string_view text, std::uint64_t& out) {
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return !text.empty() && ec == std::errc() && end == text.data() + text.size() &&
         (text.size() == 1 || text[0] != '0');
}

// Reads lines off the front of a text; each line without its newline.
struct Lines {
  std::string_view rest;
  bool Next(std::string_view& line) {
    const std::size_t end = rest.find('\n');
    if (end == std::string_view::npos) return false;
    line = rest.substr(0, end);
    rest.remove_prefix(end + 1);
    return true;
  }
};

void AppendPath(std::string& out, const std::vector<Hash256>& path) {
  for (const Hash256& h : path) out += HashBase64(h) + "\n";
}

// Hash lines up to an empty line.
Status ReadPath(Lines& lines, std::vector<Hash256>& path, const char* what) {
  std::string_view line;
  while (true) {
    if (!lines.Next(line)) {
      return Status::InvalidArgument(std::string(what) + " ends before its checkpoint");
    }
    if (line.empty()) return Status::Ok();
    Hash256 h{};
    if (!ParseHashBase64(line, h)) {
      return Status::InvalidArgument(std::string(what) + " has a line that is not a base64 hash");
    }
    path.push_back(h);
  }
}

// A signed checkpoint: the note verified with `log`, its text parsed.
Result<Checkpoint> OpenCheckpoint(std::string_view signed_note, const note::Verifier& log,
                                  const std::vector<note::Verifier>& witnesses,
                                  std::vector<std::string>& checked) {
  Result<note::Note> n = note::Parse(signed_note);
  if (!n.ok()) return Status::InvalidArgument("the checkpoint: " + n.status().message());
  if (Status st = note::Verify(*n, log); !st.ok()) {
    return Status::Rejected("the checkpoint is not signed by the log's key: " + st.message());
  }
  Result<Checkpoint> c = ParseCheckpoint(n->text);
  if (!c.ok()) return c.status();
  if (c->origin != log.name) {
    return Status::Rejected("the checkpoint is of " + c->origin + ", not of " + log.name);
  }
  checked.push_back("checkpoint of " + c->origin + " at " + std::to_string(c->size) +
                    " events, root " + HashBase64(c->root) + ": signed by " + log.name);
  for (const note::Verifier& w : witnesses) {
    std::uint64_t at = 0;
    if (Status st = note::Verify(*n, w, &at); !st.ok()) {
      return Status::Rejected("the checkpoint of " + std::to_string(c->size) +
                              " events: " + st.message());
    }
    checked.push_back("cosigned by " + w.name + " at " + std::to_string(at) + " (POSIX seconds)");
  }
  return c;
}

}  // namespace

std::string FormatInclusionBundle(const InclusionBundle& b) {
  std::string out = std::string(kInclusionBundleHeader) + "\npathway " + b.pathway_id +
                    "\nevents " + std::to_string(b.events.size()) + "\n";
  for (const EventProof& e : b.events) {
    out += std::string(kTlogProofHeader) + "\nextra " + codec::Base64Encode(e.entry) + "\nindex " +
           std::to_string(e.index) + "\n";
    AppendPath(out, e.path);
    out += "\n" + b.checkpoint;
  }
  return out;
}

std::string FormatConsistencyBundle(const ConsistencyBundle& b) {
  std::string out = std::string(kConsistencyBundleHeader) + "\n";
  AppendPath(out, b.path);
  return out + "\n" + b.old_checkpoint + b.new_checkpoint;
}

Result<InclusionBundle> ParseInclusionBundle(std::string_view text) {
  Lines lines{text};
  std::string_view header, pathway, count;
  std::uint64_t n = 0;
  if (!lines.Next(header) || header != kInclusionBundleHeader || !lines.Next(pathway) ||
      !pathway.starts_with("pathway ") || !lines.Next(count) || !count.starts_with("events ") ||
      !Number(count.substr(7), n)) {
    return Status::InvalidArgument("not an inclusion bundle: it starts with " +
                                   std::string(kInclusionBundleHeader) +
                                   ", a pathway line and an events line");
  }
  if (n == 0) return Status::InvalidArgument("the bundle holds no event");
  InclusionBundle b;
  b.pathway_id = std::string(pathway.substr(8));
  const std::string part_start = std::string(kTlogProofHeader) + "\n";
  std::string_view rest = lines.rest;
  for (std::uint64_t i = 0; i < n; ++i) {
    if (!rest.starts_with(part_start)) {
      return Status::InvalidArgument("the bundle names " + std::to_string(n) +
                                     " events but holds " + std::to_string(i));
    }
    // The part runs to the next part's first line, or to the end.
    std::size_t end = rest.find("\n" + part_start);
    end = end == std::string_view::npos ? rest.size() : end + 1;
    Lines part{rest.substr(0, end)};
    rest.remove_prefix(end);
    std::string_view line;
    EventProof e;
    part.Next(line);
    if (!part.Next(line) || !line.starts_with("extra ") ||
        !codec::Base64Decode(line.substr(6), e.entry)) {
      return Status::InvalidArgument("proof " + std::to_string(i + 1) +
                                     " has no extra line with the event's stored value");
    }
    if (!part.Next(line) || !line.starts_with("index ") || !Number(line.substr(6), e.index)) {
      return Status::InvalidArgument("proof " + std::to_string(i + 1) + " has no index line");
    }
    const std::string what = "proof " + std::to_string(i + 1);
    if (Status st = ReadPath(part, e.path, what.c_str()); !st.ok()) return st;
    if (i == 0) {
      b.checkpoint = std::string(part.rest);
    } else if (part.rest != b.checkpoint) {
      return Status::InvalidArgument(what + " is against another checkpoint than the first");
    }
    b.events.push_back(std::move(e));
  }
  if (!rest.empty()) return Status::InvalidArgument("the bundle holds more than its events");
  return b;
}

Result<ConsistencyBundle> ParseConsistencyBundle(std::string_view text) {
  Lines lines{text};
  std::string_view header;
  if (!lines.Next(header) || header != kConsistencyBundleHeader) {
    return Status::InvalidArgument("not a consistency bundle: it starts with " +
                                   std::string(kConsistencyBundleHeader));
  }
  ConsistencyBundle b;
  if (Status st = ReadPath(lines, b.path, "the consistency proof"); !st.ok()) return st;
  // The older checkpoint: its text to the first blank line, then its signature lines.
  std::string_view notes = lines.rest;
  const std::size_t blank = notes.find("\n\n");
  if (blank == std::string_view::npos) {
    return Status::InvalidArgument("the bundle holds no signed checkpoints");
  }
  std::size_t end = blank + 2;
  while (notes.substr(end).starts_with("\xE2\x80\x94 ")) {
    const std::size_t nl = notes.find('\n', end);
    if (nl == std::string_view::npos) break;
    end = nl + 1;
  }
  b.old_checkpoint = std::string(notes.substr(0, end));
  b.new_checkpoint = std::string(notes.substr(end));
  if (b.new_checkpoint.empty()) {
    return Status::InvalidArgument("the bundle holds one signed checkpoint, not two");
  }
  return b;
}

Result<ProofReport> VerifyBundle(std::string_view text, const note::Verifier& log,
                                 const std::vector<note::Verifier>& witnesses) {
  ProofReport report;
  if (text.starts_with(kConsistencyBundleHeader)) {
    Result<ConsistencyBundle> b = ParseConsistencyBundle(text);
    if (!b.ok()) return b.status();
    report.kind = "consistency";
    Result<Checkpoint> older = OpenCheckpoint(b->old_checkpoint, log, witnesses, report.checked);
    if (!older.ok()) return older.status();
    Result<Checkpoint> newer = OpenCheckpoint(b->new_checkpoint, log, witnesses, report.checked);
    if (!newer.ok()) return newer.status();
    if (Status st =
            merkle::VerifyConsistency(older->size, newer->size, b->path, older->root, newer->root);
        !st.ok()) {
      return st;
    }
    report.origin = newer->origin;
    report.old_size = older->size;
    report.size = newer->size;
    report.checked.push_back("the first " + std::to_string(older->size) +
                             " events are the start of the " + std::to_string(newer->size) +
                             ": the log only grew");
    return report;
  }
  Result<InclusionBundle> b = ParseInclusionBundle(text);
  if (!b.ok()) return b.status();
  report.kind = "inclusion";
  report.pathway_id = b->pathway_id;
  Result<Checkpoint> c = OpenCheckpoint(b->checkpoint, log, witnesses, report.checked);
  if (!c.ok()) return c.status();
  report.origin = c->origin;
  report.size = c->size;
  std::uint64_t version = 0;
  for (const EventProof& e : b->events) {
    codec::EventView view;
    const std::string at = "the event at leaf " + std::to_string(e.index);
    if (Status st = codec::DecodeValue(e.entry, view); !st.ok()) {
      return Status::Rejected(at + " cannot be decoded: " + st.message());
    }
    if (view.position != e.index + 1) {
      return Status::Rejected(at + " says it is at position " + std::to_string(view.position));
    }
    if (view.stream_id != b->pathway_id) {
      return Status::Rejected(at + " is of " + std::string(view.stream_id) + ", not of " +
                              b->pathway_id);
    }
    if (view.version != version + 1) {
      return Status::Rejected("the bundle skips or repeats a version: " + at + " is version " +
                              std::to_string(view.version) + " after " + std::to_string(version));
    }
    version = view.version;
    const Hash256 chained = codec::ComputeHash(view);
    if (std::string_view(reinterpret_cast<const char*>(chained.data()), chained.size()) !=
        view.hash) {
      return Status::Rejected(at + " does not match its own chain hash: its bytes were altered");
    }
    if (Status st =
            merkle::VerifyInclusion(e.index, c->size, merkle::LeafHash(e.entry), e.path, c->root);
        !st.ok()) {
      return Status::Rejected(at + ": " + st.message());
    }
    report.checked.push_back("position " + std::to_string(view.position) + ", version " +
                             std::to_string(view.version) + ", " + std::string(view.type) +
                             ": in the tree");
  }
  return report;
}

}  // namespace pathways::audit

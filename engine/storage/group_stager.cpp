// Staging one request of a group (group_stager.hpp): validation against the group's view of
// the streams and pathways, the pathway's rules, and the encoding of events and derived rows.

#include "engine/storage/group_stager.hpp"

#include <limits>

#include "engine/codec/bytes.hpp"
#include "engine/codec/event_record.hpp"
#include "engine/runtime/processor.hpp"
#include "engine/storage/pathway_rows.hpp"
#include "engine/storage/rocks_status.hpp"
#include "engine/storage/store_format.hpp"

namespace pathways::storage {
namespace {

constexpr std::size_t kMaxEventsPerAppend = 1000;
constexpr std::size_t kMaxDataBytes = 1u << 20;

// Fields every event of one request shares.
struct Envelope {
  std::string_view participant_id;
  std::string_view command_id;
  std::string_view correlation_id;
  std::string_view causation_id;
  const Actor* actor = nullptr;
  const DefinitionRef* definition = nullptr;
  TimestampMs occurred_at = 0;
};

bool IsShortText(std::string_view s) {
  if (s.size() > codec::kMaxShortString) return false;
  for (unsigned char c : s) {
    if (c < 0x20 || c == 0x7f) return false;
  }
  return true;
}

std::string Canonical(const nlohmann::json& j) {
  // Sorted keys (std::map), no whitespace, strict UTF-8: the bytes that get hashed.
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::strict);
}

Status CheckIds(std::string_view participant_id, std::string_view command_id) {
  if (!IsValidId(participant_id)) {
    return Status::InvalidArgument(
        "participant id must be 1-200 printable ASCII characters without spaces");
  }
  if (!IsValidId(command_id)) {
    return Status::InvalidArgument(
        "command id must be 1-200 printable ASCII characters without spaces");
  }
  return Status::Ok();
}

Status ValidateAppend(const AppendRequest& r) {
  if (!IsValidId(r.stream_id)) {
    return Status::InvalidArgument(
        "stream id must be 1-200 printable ASCII characters without spaces");
  }
  if (Status s = CheckIds(r.participant_id, r.command_id); !s.ok()) return s;
  for (std::string_view id :
       {std::string_view(r.correlation_id), std::string_view(r.causation_id)}) {
    if (!id.empty() && !IsValidId(id)) {
      return Status::InvalidArgument(
          "correlation and causation ids must be printable ASCII without spaces");
    }
  }
  if (!IsShortText(r.actor.user) || !IsShortText(r.actor.role) || !IsShortText(r.definition.id) ||
      !IsShortText(r.definition.hash)) {
    return Status::InvalidArgument(
        "actor and definition fields must be at most 1024 bytes without control characters");
  }
  if (r.events.empty()) return Status::InvalidArgument("an append needs at least one event");
  if (r.events.size() > kMaxEventsPerAppend) {
    return Status::InvalidArgument("an append may hold at most 1000 events");
  }
  return Status::Ok();
}

Result<std::vector<PreparedEvent>> Prepare(const std::vector<NewEvent>& events) {
  std::vector<PreparedEvent> out(events.size());
  for (std::size_t i = 0; i < events.size(); ++i) {
    const NewEvent& e = events[i];
    std::string where = "event " + std::to_string(i + 1);
    if (!IsValidId(e.type)) {
      return Status::InvalidArgument(where + ": type must be printable ASCII without spaces");
    }
    if (!e.data.is_object()) return Status::InvalidArgument(where + ": data must be an object");
    out[i].type = e.type;
    out[i].schema_version = e.schema_version;
    try {
      out[i].data = Canonical(e.data);
      for (const auto& [scope, fields] : e.personal) {
        if (!fields.is_object()) {
          return Status::InvalidArgument(where + ": personal fields must be an object");
        }
        out[i].personal.emplace_back(scope, Canonical(fields));
      }
    } catch (const nlohmann::json::exception&) {
      // The message of a strict dump quotes the offending bytes, which may be personal data.
      return Status::InvalidArgument(where + ": holds text that is not valid UTF-8");
    }
    if (out[i].data.size() > kMaxDataBytes) {
      return Status::InvalidArgument(where + ": data is larger than 1 MiB");
    }
  }
  return out;
}

std::string EncodeCommandRow(const CommandRow& row) {
  const AppendResult& r = row.result;
  std::string v;
  codec::PutU8(v, kCommandValueFormat);
  codec::PutStr16(v, r.stream_id);
  codec::PutU64(v, r.first_version);
  codec::PutU64(v, r.last_version);
  codec::PutU64(v, r.first_position);
  codec::PutU64(v, r.last_position);
  if (!row.fingerprint.empty()) codec::PutStr16(v, row.fingerprint);  // optional, trailing
  return v;
}

Result<CommandRow> DecodeCommandRow(std::string_view value) {
  codec::ByteReader r(value);
  std::uint8_t format = 0;
  std::string_view stream;
  std::string_view fingerprint;
  CommandRow row;
  AppendResult& out = row.result;
  if (!(r.GetLittle(format) && format == kCommandValueFormat && r.GetStr16(stream) &&
        r.GetLittle(out.first_version) && r.GetLittle(out.last_version) &&
        r.GetLittle(out.first_position) && r.GetLittle(out.last_position)) ||
      (r.remaining() > 0 && !r.GetStr16(fingerprint))) {
    return Status::Corruption("idempotency row has an unknown format");
  }
  out.stream_id = stream;
  row.fingerprint = fingerprint;
  return row;
}

Status CheckExpected(const ExpectedVersion& expected, const std::string& stream_id,
                     std::uint64_t actual) {
  switch (expected.kind) {
    case ExpectedVersion::Kind::kAny: return Status::Ok();
    case ExpectedVersion::Kind::kNoStream:
      if (actual == 0) return Status::Ok();
      return Status::WrongExpectedVersion(
          "stream " + stream_id + " already exists; its version is " + std::to_string(actual));
    case ExpectedVersion::Kind::kExact:
      if (actual == expected.version) return Status::Ok();
      return Status::WrongExpectedVersion("expected stream " + stream_id + " at version " +
                                          std::to_string(expected.version) +
                                          ", but its version is " + std::to_string(actual));
  }
  return Status::InvalidArgument("unknown expected-version kind");
}

}  // namespace

// ---- one group ----------------------------------------------------------------------------

namespace {

class GroupStager {
 public:
  GroupStager(RocksEventStore::Impl& s, rocksdb::WriteBatch& batch, GroupState& g)
      : s_(s), batch_(batch), g_(g) {}

  // Failures in the second half (after validation) leave the batch half-built: `fatal` tells
  // the caller to abandon the whole group.
  Result<AppendResult> Stage(PreparedAppend& p, bool& fatal) {
    const AppendRequest& r = p.request;
    if (auto dup = FindCommand(r.command_id, r.stream_id); dup.has_value()) return *dup;
    Result<StreamInfo> info = Stream(r.stream_id);
    if (!info.ok()) return info.status();
    if (Status st = CheckExpected(r.expected, r.stream_id, info->version); !st.ok()) return st;
    if (info->version == 0) {
      info->participant_id = r.participant_id;
    } else if (info->participant_id != r.participant_id) {
      return Status::InvalidArgument("stream " + r.stream_id + " belongs to another participant");
    }

    Envelope env{r.participant_id, r.command_id,  r.correlation_id,         r.causation_id,
                 &r.actor,         &r.definition, s_.options.clock->NowMs()};
    AppendResult result;
    result.stream_id = r.stream_id;
    result.first_version = info->version + 1;
    result.first_position = g_.head.position + 1;
    for (const PreparedEvent& e : p.events) {
      Status st =
          AddEvent(env, r.stream_id, ++info->version, e.type, e.schema_version, e.data, e.personal);
      if (!st.ok()) {
        fatal = true;
        return st;
      }
    }
    if (Status st = IndexRun(r.stream_id, result.first_version, result.first_position); !st.ok()) {
      fatal = true;
      return st;
    }
    result.last_version = info->version;
    result.last_position = g_.head.position;
    FinishCommand(r.command_id, result);
    g_.streams[r.stream_id] = std::move(*info);
    return result;
  }

  Result<AppendResult> Stage(EraseRequest& r, bool& fatal) {
    if (Status st = CheckIds(r.participant_id, r.command_id); !st.ok()) return st;
    if (r.scopes.empty()) return Status::InvalidArgument("name at least one scope to erase");
    if (!IsShortText(r.actor.user) || !IsShortText(r.actor.role) || !IsShortText(r.reason)) {
      return Status::InvalidArgument(
          "actor and reason must be at most 1024 bytes without control characters");
    }
    Result<std::vector<std::string>> streams = s_.StreamsOf(r.participant_id);
    if (!streams.ok()) return streams.status();
    for (const std::string& id : g_.new_streams_of[r.participant_id]) streams->push_back(id);
    if (streams->empty()) {
      return Status::NotFound("participant " + r.participant_id + " has no pathway in this store");
    }
    // An erasure is recorded under the participant's first stream at the time; sent again
    // later, when the participant may have more streams, it is the same erasure.
    std::string recorded_for = streams->front();
    Result<std::optional<CommandRow>> earlier = LookUpCommand(r.command_id);
    if (!earlier.ok()) return earlier.status();
    if (*earlier && std::find(streams->begin(), streams->end(), (*earlier)->result.stream_id) !=
                        streams->end()) {
      recorded_for = (*earlier)->result.stream_id;
    }
    if (auto dup = FindCommand(r.command_id, recorded_for); dup.has_value()) return *dup;

    events::PersonalDataErased erased;
    for (PersonalScope scope : r.scopes) erased.scopes.emplace_back(PersonalScopeName(scope));
    erased.reason = r.reason;
    const NewEvent encoded = events::Encode(erased);
    std::string text;
    try {
      text = Canonical(encoded.data);
    } catch (const nlohmann::json::exception&) {
      return Status::InvalidArgument("the reason is not valid UTF-8");
    }

    std::vector<StreamInfo> infos;
    for (const std::string& id : *streams) {
      Result<StreamInfo> info = Stream(id);
      if (!info.ok()) return info.status();
      infos.push_back(std::move(*info));
    }
    Envelope env{r.participant_id,         r.command_id, {}, {}, &r.actor, nullptr,
                 s_.options.clock->NowMs()};
    AppendResult result;
    result.stream_id = streams->front();
    result.first_position = g_.head.position + 1;
    for (std::size_t i = 0; i < streams->size(); ++i) {
      const std::string& id = (*streams)[i];
      Status st =
          AddEvent(env, id, ++infos[i].version, encoded.type, encoded.schema_version, text, {});
      if (st.ok()) st = IndexRun(id, infos[i].version, g_.head.position);
      if (st.ok()) st = FollowErasure(id, infos[i].version, erased, encoded, env.occurred_at);
      if (!st.ok()) {
        fatal = true;
        return st;
      }
      if (i == 0) result.first_version = result.last_version = infos[0].version;
    }
    for (PersonalScope scope : r.scopes) {
      if (Status st = s_.key_ring->StageErase(r.participant_id, scope, batch_); !st.ok()) {
        fatal = true;
        return st;
      }
    }
    result.last_position = g_.head.position;
    FinishCommand(r.command_id, result);
    for (std::size_t i = 0; i < streams->size(); ++i) g_.streams[(*streams)[i]] = infos[i];
    return result;
  }

  Result<AppendResult> Stage(RocksEventStore::Impl::ResumeProbe&, bool&) { return AppendResult{}; }

  // Each append as if it were a request of its own in this group.
  Result<AppendResult> Stage(RocksEventStore::Impl::PreparedBatch& b, bool& fatal) {
    for (std::size_t i = 0; i < b.appends.size(); ++i) {
      Result<AppendResult> staged = Stage(b.appends[i], fatal);
      if (fatal) return staged.status();
      (*b.results)[b.slots[i]] = std::move(staged);
    }
    return AppendResult{};
  }

  Result<AppendResult> Stage(CommandRequest& r, bool& fatal) {
    if (Status st = runtime::CheckPathwayId(r.pathway_id); !st.ok()) return st;
    if (!IsValidId(r.command_id)) {
      return Status::InvalidArgument(
          "command id must be 1-200 printable ASCII characters without spaces");
    }
    if (s_.options.definitions == nullptr) {
      return Status::FailedPrecondition("the store was opened without pathway definitions");
    }
    if (r.fingerprint.size() > 64) {
      return Status::InvalidArgument("a command fingerprint has at most 64 bytes");
    }
    if (auto dup = FindCommand(r.command_id, r.pathway_id, r.fingerprint); dup.has_value()) {
      return *dup;
    }
    Result<runtime::PathwayState> loaded = Pathway(r.pathway_id);
    if (!loaded.ok()) return loaded.status();
    const runtime::PathwayState& before = *loaded;
    if (Status st = CheckExpected(r.expected, r.pathway_id, before.version); !st.ok()) return st;

    const runtime::ProcessContext ctx{*s_.options.definitions,   r.actor,
                                      s_.options.clock->NowMs(), r.pathway_id,
                                      r.participant_id,          r.definition_id};
    Result<runtime::Processed> processed = runtime::Process(before, r.command, ctx);
    if (!processed.ok()) {
      if (processed.status().code() == StatusCode::kRejected) {
        if (Status st = KeepRejection(r, before, ctx.now, processed.status().message()); !st.ok()) {
          fatal = true;
          return st;
        }
      }
      return processed.status();
    }
    Result<std::vector<PreparedEvent>> prepared = Prepare(processed->events);
    if (!prepared.ok()) return prepared.status();

    Result<StreamInfo> info = Stream(r.pathway_id);
    if (!info.ok()) return info.status();
    if (info->version != before.version) {
      return Status::Corruption("pathway " + r.pathway_id + " is at version " +
                                std::to_string(before.version) + " but its stream at " +
                                std::to_string(info->version));
    }
    info->participant_id = processed->participant_id;
    Envelope env{
        processed->participant_id, r.command_id, r.correlation_id, r.causation_id, &r.actor,
        &processed->definition,    ctx.now};
    AppendResult result;
    result.stream_id = r.pathway_id;
    result.first_version = info->version + 1;
    result.first_position = g_.head.position + 1;
    for (const PreparedEvent& e : *prepared) {
      Status st = AddEvent(env, r.pathway_id, ++info->version, e.type, e.schema_version, e.data,
                           e.personal);
      if (!st.ok()) {
        fatal = true;
        return st;
      }
    }
    if (Status st = IndexRun(r.pathway_id, result.first_version, result.first_position); !st.ok()) {
      fatal = true;
      return st;
    }
    if (Status st = StagePathwayRows(s_, batch_, processed->after, processed->rows,
                                     result.first_position, g_.count_deltas);
        !st.ok()) {
      fatal = true;
      return st;
    }
    result.last_version = info->version;
    result.last_position = g_.head.position;
    FinishCommand(r.command_id, result, r.fingerprint);
    g_.streams[r.pathway_id] = std::move(*info);
    g_.pathways[r.pathway_id] = std::move(processed->after);
    return result;
  }

 private:
  // Rejections are data: who asked for what, in which state, and why it was refused. Kept
  // beside the log (not in it: a refusal changes no pathway) and committed with the group.
  Status KeepRejection(const CommandRequest& r, const runtime::PathwayState& before,
                       TimestampMs now, const std::string& reason) {
    nlohmann::json j = {{"command", runtime::CommandName(r.command)},
                        {"command_id", r.command_id},
                        {"actor", {{"user", r.actor.user}, {"role", r.actor.role}}},
                        {"state", before.state},
                        {"version", before.version},
                        {"reason", reason}};
    if (const auto* fire = std::get_if<runtime::FireTrigger>(&r.command)) {
      j["trigger"] = fire->trigger;
    } else if (const auto* timer = std::get_if<runtime::FireTimer>(&r.command)) {
      j["trigger"] = timer->timer_id;
    }
    std::string value(1, static_cast<char>(kRejectionValueFormat));
    try {
      value += Canonical(j);
    } catch (const nlohmann::json::exception&) {
      return Status::Ok();  // a reason that is not UTF-8 is not worth failing the group for
    }
    ++g_.rejections;
    return FromRocks(
        batch_.Put(s_.rejections, RejectionKey(r.pathway_id, now, r.command_id), value),
        "staging a rejection");
  }

  // A duplicate's original result, or nothing when the command id is new. A command id seen
  // with another stream is a conflict, reported as an error result.
  // The command done under `command_id`, if any: this batch's, cached, or stored.
  Result<std::optional<CommandRow>> LookUpCommand(const std::string& command_id) {
    if (auto it = g_.commands.find(command_id); it != g_.commands.end()) {
      return std::optional<CommandRow>(it->second);
    }
    if (auto cached = s_.command_cache.find(command_id); cached != s_.command_cache.end()) {
      return std::optional<CommandRow>(cached->second);
    }
    std::string value;
    rocksdb::Status st = s_.db->Get(rocksdb::ReadOptions(), s_.commands, command_id, &value);
    if (st.IsNotFound()) return std::optional<CommandRow>();
    if (!st.ok()) return FromRocks(st, "reading the idempotency index");
    Result<CommandRow> row = DecodeCommandRow(value);
    if (!row.ok()) return row.status();
    return std::optional<CommandRow>(std::move(*row));
  }

  std::optional<Result<AppendResult>> FindCommand(const std::string& command_id,
                                                  const std::string& stream_id,
                                                  const std::string& fingerprint = "") {
    Result<std::optional<CommandRow>> looked_up = LookUpCommand(command_id);
    if (!looked_up.ok()) return looked_up.status();
    std::optional<CommandRow>& found = *looked_up;
    if (!found) return std::nullopt;
    if (found->result.stream_id != stream_id) {
      return Status::Conflict("command id " + command_id + " was already used for stream " +
                              found->result.stream_id);
    }
    if (found->fingerprint != fingerprint) {
      return Status::Conflict("command id " + command_id + " was already used for another request");
    }
    found->result.duplicate = true;
    return found->result;
  }

  // A pathway's state row follows its stream: the erasure event is its next version (and
  // changes nothing else), so commands on the pathway go on after a `forget`.
  Status FollowErasure(const std::string& stream_id, std::uint64_t version,
                       const events::PersonalDataErased& erased, const NewEvent& e,
                       TimestampMs at) {
    if (stream_id.front() == kSystemStreamMark) return Status::Ok();
    Result<runtime::PathwayState> before = Pathway(stream_id);
    if (!before.ok()) return before.status();
    if (!before->exists()) return Status::Ok();  // a plain stream, not a pathway
    runtime::PathwayState after = *before;
    Status st = runtime::Apply(
        after, erased,
        runtime::EventFacts{at, version, stream_id, before->participant_id, nullptr});
    if (st.ok()) {
      st = StagePathwayRows(s_, batch_, after, runtime::DeriveRows(*before, after, {e}, at),
                            g_.head.position, g_.count_deltas);
    }
    if (st.ok()) g_.pathways[stream_id] = std::move(after);
    return st;
  }

  Result<runtime::PathwayState> Pathway(const std::string& id) {
    if (auto it = g_.pathways.find(id); it != g_.pathways.end()) return it->second;
    if (auto it = s_.pathway_cache.find(id); it != s_.pathway_cache.end()) return it->second;
    Result<std::optional<runtime::PathwayState>> stored = s_.ReadPathway(id);
    if (!stored.ok()) return stored.status();
    return stored->value_or(runtime::PathwayState{});
  }

  Result<StreamInfo> Stream(const std::string& stream_id) {
    if (auto it = g_.streams.find(stream_id); it != g_.streams.end()) return it->second;
    if (auto it = s_.stream_cache.find(stream_id); it != s_.stream_cache.end()) {
      return it->second;
    }
    return s_.LoadStreamInfo(stream_id);
  }

  void FinishCommand(const std::string& command_id, const AppendResult& result,
                     const std::string& fingerprint = "") {
    CommandRow row{result, fingerprint};
    IgnoreError(FromRocks(batch_.Put(s_.commands, command_id, EncodeCommandRow(row)), ""),
                "WriteBatch::Put only fails for oversized batches, far above kMaxGroup");
    g_.commands[command_id] = std::move(row);
  }

  Status AddEvent(const Envelope& env, const std::string& stream_id, std::uint64_t version,
                  std::string_view type, std::uint16_t schema_version, const std::string& data,
                  const std::vector<std::pair<PersonalScope, std::string>>& personal) {
    RecordedEvent e;
    e.position = g_.head.position + 1;
    e.stream_id = stream_id;
    e.version = version;
    e.participant_id = env.participant_id;
    e.type = type;
    e.schema_version = schema_version;
    e.occurred_at = env.occurred_at;
    if (env.actor != nullptr) e.actor = *env.actor;
    e.command_id = env.command_id;
    e.correlation_id = env.correlation_id;
    e.causation_id = env.causation_id;
    if (env.definition != nullptr) e.definition = *env.definition;
    e.data = data;
    for (const auto& [scope, plaintext] : personal) {
      Result<DataKey> key = s_.key_ring->StageLiveKey(env.participant_id, scope, batch_);
      if (!key.ok()) return key.status();
      Result<SealedPersonal> sealed =
          s_.key_ring->SealPart(env.participant_id, scope, *key, plaintext);
      if (!sealed.ok()) return sealed.status();
      if (scope == PersonalScope::kSpecial) {
        if (rocksdb::Status st = batch_.Put(s_.report_sealed, StreamKey(stream_id, version),
                                            EncodeKeptSpecial(*sealed));
            !st.ok()) {
          return FromRocks(st, "staging a kept special-category part");
        }
      }
      e.personal.push_back(std::move(*sealed));
    }

    std::string value;
    value.reserve(256 + data.size());
    codec::EncodeRecord(e, value);
    g_.head.hash = codec::SealValue(value, g_.head.hash);
    g_.head.position = e.position;
    if (s_.options.merkle_tree) {
      if (Status st = StageLeaf(batch_, s_.tree, g_.tree, audit::merkle::LeafHash(value));
          !st.ok()) {
        return st;
      }
    }

    std::string position_bytes = EventKey(e.position);
    rocksdb::Status st = batch_.Put(s_.events, position_bytes, value);
    if (st.ok() && version == 1) {
      st = batch_.Put(s_.participants, ParticipantKey(env.participant_id, stream_id), {});
      g_.new_streams_of[std::string(env.participant_id)].push_back(stream_id);
    }
    return FromRocks(st, "staging an event");
  }

  // The stream index row for the events just added to `stream_id`, versions from
  // `first_version` at the positions from `first_position` up to the head (one row per append
  // or command: its events are consecutive in both).
  Status IndexRun(const std::string& stream_id, std::uint64_t first_version,
                  std::uint64_t first_position) {
    const std::uint64_t count = g_.head.position - first_position + 1;
    return FromRocks(batch_.Put(s_.streams, StreamKey(stream_id, first_version),
                                EncodeStreamRun(first_position, static_cast<std::uint32_t>(count))),
                     "staging the stream index");
  }

  RocksEventStore::Impl& s_;
  rocksdb::WriteBatch& batch_;
  GroupState& g_;
};

}  // namespace

Result<AppendResult> StageRequest(RocksEventStore::Impl& s, rocksdb::WriteBatch& batch,
                                  GroupState& g, RocksEventStore::Impl::Request& request,
                                  bool& fatal) {
  GroupStager stager(s, batch, g);
  return std::visit([&](auto& r) { return stager.Stage(r, fatal); }, request);
}

// Validation and canonical JSON happen in the caller's thread, outside the writer role:
// malformed requests never reach the queue, and the writer's work per event shrinks.
Result<PreparedAppend> PrepareAppend(AppendRequest request) {
  if (Status st = ValidateAppend(request); !st.ok()) return st;
  Result<std::vector<PreparedEvent>> events = Prepare(request.events);
  if (!events.ok()) return events.status();
  request.events.clear();
  return PreparedAppend{std::move(request), std::move(*events)};
}

}  // namespace pathways::storage

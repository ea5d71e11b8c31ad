#include "adapters/app/retention.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <map>

#include "engine/event_types.hpp"
#include "engine/personal_view.hpp"
#include "engine/runtime/calendar.hpp"

namespace pathways::app {
namespace {

// The Danish day of a YYYY-MM-DD, or nullopt when malformed.
std::optional<std::int64_t> Day(const std::string& text) {
  TimestampMs at = 0;
  if (!runtime::ParseDate(text, at)) return std::nullopt;
  return runtime::DayNumber(at);
}

Result<AppendResult> Record(EventStore& store, const std::string& stream,
                            const std::string& participant, const std::string& command_id,
                            const Actor& actor, const events::PersonalDataRestricted& event) {
  AppendRequest r;
  r.stream_id = stream;
  r.participant_id = participant;
  r.command_id = command_id;
  r.actor = actor;
  r.events.push_back(events::Encode(event));
  return store.Append(std::move(r));
}

Result<AppendResult> Erase(EventStore& store, const std::string& participant,
                           std::vector<PersonalScope> scopes, const std::string& command_id,
                           const Actor& actor, const std::string& reason) {
  EraseRequest r;
  r.participant_id = participant;
  r.scopes = std::move(scopes);
  r.command_id = command_id;
  r.actor = actor;
  r.reason = reason;
  return store.ErasePersonalData(std::move(r));
}

Result<std::vector<RecordedEvent>> ReadAllOf(const EventStore& store, const std::string& stream) {
  std::vector<RecordedEvent> out;
  for (std::uint64_t from = 1; from != 0;) {
    Result<StreamPage> page = store.ReadStream(stream, from, 1000);
    if (!page.ok()) return page.status();
    for (RecordedEvent& e : page->events) out.push_back(std::move(e));
    from = page->next_version;
  }
  return out;
}

}  // namespace

Result<ErasureOutcome> RequestErasure(EventStore& store, const std::string& audit_end,
                                      TimestampMs now, const ErasureRequest& request) {
  if (request.command_id.empty() || request.command_id.size() > 180) {
    return Status::InvalidArgument("an erasure's command id has 1 to 180 characters");
  }
  std::optional<std::int64_t> end;
  if (!audit_end.empty() && !(end = Day(audit_end))) {
    return Status::InvalidArgument("the audit end is not a day YYYY-MM-DD: " + audit_end);
  }
  ErasureOutcome out;
  const bool restrict = end && runtime::DayNumber(now) <= *end;
  // Identity and the special-category items (ESF's sensitive items) are the ESF report's
  // evidence: restricted until the audit end, or erased with the rest after it.
  const std::vector<PersonalScope> evidence = {PersonalScope::kIdentity, PersonalScope::kSpecial};
  out.erased = {PersonalScope::kGuidance};
  if (!restrict) out.erased.insert(out.erased.end(), evidence.begin(), evidence.end());
  // First what is erased now: it also tells whether the participant is one of this store's.
  Result<AppendResult> erased = Erase(store, request.participant_id, out.erased,
                                      request.command_id + "-erase", request.actor, request.reason);
  if (!erased.ok()) return erased.status();
  out.position = erased->last_position;
  if (!restrict) return out;

  std::vector<std::string> restricted_names;
  for (PersonalScope scope : evidence) restricted_names.emplace_back(PersonalScopeName(scope));
  events::PersonalDataRestricted restriction{request.participant_id, std::move(restricted_names),
                                             audit_end, request.reason};
  // The list first: should the second write fail, the data is still erased when its day comes.
  Result<AppendResult> listed = Record(store, kRetentionStream, kRetentionStream,
                                       request.command_id + "-list", request.actor, restriction);
  if (!listed.ok()) return listed.status();
  Result<AppendResult> restricted =
      Record(store, RetentionStreamId(request.participant_id), request.participant_id,
             request.command_id + "-restrict", request.actor, restriction);
  if (!restricted.ok()) return restricted.status();
  out.restricted = evidence;
  out.until = audit_end;
  out.position = restricted->last_position;
  return out;
}

Result<std::vector<Restriction>> Restrictions(const EventStore& store) {
  Result<std::vector<RecordedEvent>> listed = ReadAllOf(store, kRetentionStream);
  if (!listed.ok()) return listed.status();
  std::vector<Restriction> out;
  std::map<std::string, std::optional<TimestampMs>> erased_at;  // by participant
  for (const RecordedEvent& e : *listed) {
    if (e.type != events::PersonalDataRestricted::kType) continue;
    Result<events::SystemEvent> decoded = events::DecodeSystemEvent(
        e.type, e.schema_version, nlohmann::json::parse(e.data, nullptr, false));
    if (!decoded.ok()) return decoded.status();
    auto& r = std::get<events::PersonalDataRestricted>(*decoded);
    Restriction item{r.participant_id, r.scopes, r.until, r.reason, e.actor, e.occurred_at, {}};
    // Ended when every restricted scope was erased after it (the erasure is written into each
    // of the participant's streams, this one's too).
    if (!erased_at.count(r.participant_id)) {
      Result<std::vector<RecordedEvent>> own =
          ReadAllOf(store, RetentionStreamId(r.participant_id));
      if (!own.ok()) return own.status();
      std::optional<TimestampMs> at;
      for (const RecordedEvent& o : *own) {
        if (o.type != events::PersonalDataErased::kType) continue;
        const auto data = nlohmann::json::parse(o.data, nullptr, false);
        const auto scopes = data.is_object() ? data.value("scopes", nlohmann::json::array())
                                             : nlohmann::json::array();
        if (std::find(scopes.begin(), scopes.end(), PersonalScopeName(PersonalScope::kIdentity)) !=
            scopes.end()) {
          at = o.occurred_at;
        }
      }
      erased_at[r.participant_id] = at;
    }
    item.erased_at = erased_at[r.participant_id];
    out.push_back(std::move(item));
  }
  return out;
}

Result<int> EraseExpired(EventStore& store, TimestampMs now) {
  Result<std::vector<Restriction>> all = Restrictions(store);
  if (!all.ok()) return all.status();
  const std::int64_t today = runtime::DayNumber(now);
  // A participant asked more than once: the last restriction's day counts.
  std::map<std::string, const Restriction*> latest;
  for (const Restriction& r : *all) latest[r.participant_id] = &r;
  int count = 0;
  for (const auto& [participant, r] : latest) {
    const std::optional<std::int64_t> until = Day(r->until);
    if (r->erased_at || !until || today <= *until) continue;
    std::vector<PersonalScope> scopes;
    for (const std::string& name : r->scopes) {
      if (const std::optional<PersonalScope> scope = ParsePersonalScope(name)) {
        scopes.push_back(*scope);
      }
    }
    if (scopes.empty()) continue;
    Result<AppendResult> erased =
        Erase(store, participant, std::move(scopes), "retention-end-" + participant,
              {"system", "system"}, "the ESF audit end " + r->until + " has passed");
    if (!erased.ok()) return erased.status();
    ++count;
  }
  return count;
}

RetentionSweeper::RetentionSweeper(EventStore& store, const Clock& clock, TimestampMs interval_ms)
    : store_(store), clock_(clock), interval_ms_(interval_ms) {}

RetentionSweeper::~RetentionSweeper() { Stop(); }

void RetentionSweeper::Start() {
  thread_ = std::thread([this] {
    std::unique_lock lock(mu_);
    while (!stopping_) {
      lock.unlock();
      Result<int> erased = EraseExpired(store_, clock_.NowMs());
      if (!erased.ok()) {
        spdlog::error("retention: erasing data past the audit end: {}", erased.status().ToString());
      } else if (*erased > 0) {
        spdlog::info("retention: erased the restricted data of {} participants past the audit end",
                     *erased);
      }
      lock.lock();
      wake_.wait_for(lock, std::chrono::milliseconds(interval_ms_), [this] { return stopping_; });
    }
  });
}

void RetentionSweeper::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

}  // namespace pathways::app

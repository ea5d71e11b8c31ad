// Apply: the only code that changes a PathwayState. It reads nothing but the event: no
// definition, no clock, no guards. A released event type's meaning never changes here; a new
// meaning gets a new schema version with its own branch.

#include "engine/runtime/pathway_rules.hpp"

namespace pathways::runtime {
namespace {

std::string Text(const nlohmann::json& data, const char* key) {
  auto it = data.find(key);
  return it != data.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::int64_t Number(const nlohmann::json& data, const char* key) {
  auto it = data.find(key);
  return it != data.end() && it->is_number_integer() ? it->get<std::int64_t>() : 0;
}

}  // namespace

std::string_view StatusName(PathwayStatus s) {
  switch (s) {
    case PathwayStatus::kActive: return "active";
    case PathwayStatus::kPaused: return "paused";
    case PathwayStatus::kClosed: return "closed";
  }
  return "active";
}

nlohmann::json PathwayState::ToJson() const {
  nlohmann::json j;
  j["pathway_id"] = pathway_id;
  j["participant_id"] = participant_id;
  j["definition"] = {
      {"id", definition_id}, {"version", definition_version}, {"hash", definition_hash}};
  j["version"] = version;
  j["state"] = state;
  j["status"] = StatusName(status);
  j["contact_person"] = contact_person;
  j["data"] = data;
  j["milestones"] = milestones;
  j["risks"] = nlohmann::json::object();
  for (const auto& [id, r] : open_risks) {
    j["risks"][id] = {{"type", r.type},
                      {"severity", r.severity},
                      {"raised_by", r.raised_by},
                      {"raised_at", r.raised_at}};
  }
  j["tasks"] = nlohmann::json::object();
  for (const auto& [id, t] : open_tasks) {
    j["tasks"][id] = {{"kind", t.kind},
                      {"title", {{"da", t.title_da}, {"en", t.title_en}}},
                      {"assignee", t.assignee},
                      {"due_at", t.due_at},
                      {"status", t.status}};
  }
  j["timers"] = nlohmann::json::object();
  for (const auto& [id, t] : timers)
    j["timers"][id] = {{"armed_at", t.armed_at}, {"due_at", t.due_at}};
  j["created_at"] = created_at;
  j["last_contact_at"] = last_contact_at;
  j["sequence"] = sequence;
  return j;
}

Result<PathwayState> PathwayState::FromJson(const nlohmann::json& j) {
  try {
    PathwayState s;
    s.pathway_id = j.at("pathway_id").get<std::string>();
    s.participant_id = j.at("participant_id").get<std::string>();
    s.definition_id = j.at("definition").at("id").get<std::string>();
    s.definition_version = j.at("definition").at("version").get<std::uint32_t>();
    s.definition_hash = j.at("definition").at("hash").get<std::string>();
    s.version = j.at("version").get<std::uint64_t>();
    s.state = j.at("state").get<std::string>();
    const std::string status = j.at("status").get<std::string>();
    s.status = status == "paused"   ? PathwayStatus::kPaused
               : status == "closed" ? PathwayStatus::kClosed
                                    : PathwayStatus::kActive;
    s.contact_person = j.at("contact_person").get<std::string>();
    s.data = j.at("data");
    s.milestones = j.at("milestones").get<std::map<std::string, TimestampMs>>();
    for (const auto& [id, r] : j.at("risks").items()) {
      s.open_risks[id] = {id, r.at("type").get<std::string>(), r.at("severity").get<std::string>(),
                          r.at("raised_by").get<std::string>(),
                          r.at("raised_at").get<TimestampMs>()};
    }
    for (const auto& [id, t] : j.at("tasks").items()) {
      Task task;
      task.id = id;
      task.kind = t.at("kind").get<std::string>();
      task.title_da = t.at("title").at("da").get<std::string>();
      task.title_en = t.at("title").at("en").get<std::string>();
      task.assignee = t.at("assignee").get<std::string>();
      task.due_at = t.at("due_at").get<TimestampMs>();
      task.status = t.at("status").get<std::string>();
      s.open_tasks[id] = std::move(task);
    }
    for (const auto& [id, t] : j.at("timers").items()) {
      s.timers[id] = {t.at("armed_at").get<TimestampMs>(), t.at("due_at").get<TimestampMs>()};
    }
    s.created_at = j.at("created_at").get<TimestampMs>();
    s.last_contact_at = j.at("last_contact_at").get<TimestampMs>();
    s.sequence = j.at("sequence").get<std::uint64_t>();
    return s;
  } catch (const nlohmann::json::exception& e) {
    return Status::Corruption(std::string("a stored pathway state is unreadable: ") + e.what());
  }
}

Status Apply(PathwayState& s, const EventFacts& e) {
  const nlohmann::json& d = e.data;
  const std::string_view type = e.type;
  if (type == "LeadRegistered") {
    s.pathway_id = e.pathway_id;
    s.participant_id = e.participant_id;
    if (e.definition != nullptr) {
      s.definition_id = e.definition->id;
      s.definition_version = e.definition->version;
      s.definition_hash = e.definition->hash;
    }
    s.state = Text(d, "state");
    s.status = PathwayStatus::kActive;
    s.data = d.value("data", nlohmann::json::object());
    if (!Text(d, "referral_source").empty()) s.data["referral_source"] = Text(d, "referral_source");
    s.created_at = e.occurred_at;
  } else if (type == "ContactPersonAssigned") {
    s.contact_person = Text(d, "user");
  } else if (type == "ContactRecorded") {
    s.last_contact_at = e.occurred_at;
  } else if (type == "MissedAppointmentRecorded") {
    // History only: the risk it raises is its own event.
  } else if (type == "TransitionTaken") {
    if (!Text(d, "to").empty()) s.state = Text(d, "to");
    if (auto set = d.find("set"); set != d.end() && set->is_object()) {
      for (const auto& [field, value] : set->items()) s.data[field] = value;
    }
  } else if (type == "MilestoneReached") {
    s.milestones.emplace(Text(d, "milestone"), e.occurred_at);
  } else if (type == "RiskRaised") {
    ++s.sequence;
    RiskFlag r{Text(d, "risk_id"), Text(d, "type"), Text(d, "severity"), Text(d, "raised_by"),
               e.occurred_at};
    s.open_risks[r.id] = std::move(r);
  } else if (type == "RiskResolved") {
    s.open_risks.erase(Text(d, "risk_id"));
  } else if (type == "TaskCreated") {
    ++s.sequence;
    Task t;
    t.id = Text(d, "task_id");
    t.kind = Text(d, "kind");
    if (auto title = d.find("title"); title != d.end() && title->is_object()) {
      t.title_da = Text(*title, "da");
      t.title_en = Text(*title, "en");
    }
    t.assignee = Text(d, "assignee");
    t.due_at = Number(d, "due_at");
    s.open_tasks[t.id] = std::move(t);
  } else if (type == "TaskAcknowledged") {
    if (auto it = s.open_tasks.find(Text(d, "task_id")); it != s.open_tasks.end()) {
      it->second.status = "acknowledged";
    }
  } else if (type == "TaskReassigned") {
    if (auto it = s.open_tasks.find(Text(d, "task_id")); it != s.open_tasks.end()) {
      it->second.assignee = Text(d, "to");
      it->second.status = "open";
    }
  } else if (type == "TaskCompleted" || type == "TaskCancelled") {
    s.open_tasks.erase(Text(d, "task_id"));
  } else if (type == "TaskEscalated") {
    if (auto it = s.open_tasks.find(Text(d, "task_id")); it != s.open_tasks.end()) {
      it->second.status = "escalated";
    }
  } else if (type == "NotificationRequested") {
    ++s.sequence;
  } else if (type == "NotificationDelivered" || type == "NotificationDeadLettered") {
    // History only: what an adapter did with a notification.
  } else if (type == "TimerArmed") {
    s.timers[Text(d, "timer")] = {e.occurred_at, Number(d, "due_at")};
  } else if (type == "TimerDisarmed" || type == "TimerFired") {
    s.timers.erase(Text(d, "timer"));
  } else if (type == "PathwayPaused") {
    s.status = PathwayStatus::kPaused;
  } else if (type == "PathwayResumed") {
    s.status = PathwayStatus::kActive;
  } else if (type == "PathwayClosed") {
    s.status = PathwayStatus::kClosed;
  } else if (type == "PathwayMigrated") {
    if (auto to = d.find("to"); to != d.end() && to->is_object()) {
      s.definition_id = Text(*to, "id");
      s.definition_version = static_cast<std::uint32_t>(Number(*to, "version"));
      s.definition_hash = Text(*to, "hash");
    }
    s.state = Text(d, "to_state");
  } else if (type == "PersonalDataErased") {
    // The keys are gone; the state holds no personal data to forget.
  } else {
    return Status::Corruption("no applier for event type " + std::string(type));
  }
  s.version = e.version;
  return Status::Ok();
}

Status Apply(PathwayState& state, const RecordedEvent& event) {
  nlohmann::json data = nlohmann::json::parse(event.data, nullptr, /*allow_exceptions=*/false);
  if (data.is_discarded()) {
    return Status::Corruption("event " + std::to_string(event.position) + " has unreadable data");
  }
  return Apply(state, EventFacts{event.type, data, event.occurred_at, event.version,
                                 event.stream_id, event.participant_id, &event.definition});
}

}  // namespace pathways::runtime

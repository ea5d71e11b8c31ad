// Apply: the only code that changes a PathwayState. It reads nothing but the event: no
// definition, no clock, no guards. A released event type's meaning never changes here; a new
// meaning gets a new schema version with its own branch.

#include <algorithm>

#include "engine/runtime/company.hpp"
#include "engine/runtime/pathway_rules.hpp"

namespace pathways::runtime {

std::string_view StatusName(PathwayStatus s) {
  switch (s) {
    case PathwayStatus::kActive: return "active";
    case PathwayStatus::kPaused: return "paused";
    case PathwayStatus::kClosed: return "closed";
  }
  return "active";
}

nlohmann::json Employer::ToJson() const {
  return {{"name", name},   {"cvr", cvr},     {"contact", contact},
          {"email", email}, {"phone", phone}, {"sme", sme}};
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
  j["school"] = school;
  j["employer"] = nlohmann::json::object();
  if (!employer.name.empty()) j["employer"] = employer.ToJson();
  j["municipality"] = municipality;
  j["appointments"] = nlohmann::json::object();
  for (const auto& [id, a] : appointments) {
    j["appointments"][id] = {{"starts_at", a.starts_at}, {"ends_at", a.ends_at},
                             {"place", a.place},         {"online", a.online},
                             {"topic", a.topic},         {"reminded", a.reminded}};
  }
  j["consent"] = {{"notice_version", consent.notice_version},
                  {"given", consent.given},
                  {"channels", consent.channels}};
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
  j["spent_timers"] = spent_timers;
  j["created_at"] = created_at;
  j["last_contact_at"] = last_contact_at;
  j["sequence"] = sequence;
  j["entered"] = nlohmann::json::object();
  for (const auto& [id, entry] : entered) {
    j["entered"][id] = {{"at", entry.at}, {"from", entry.from}};
  }
  j["contacts"] = contacts;
  j["personal_at"] = personal_at;
  // Only when set: a participant's JSON without them stays as it was.
  if (is_company()) j["company"] = CompanyToJson(company);
  if (!referred_by_company.empty()) j["referred_by_company"] = referred_by_company;
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
    // Absent from states written before schools, employers, appointments and consent.
    s.school = j.value("school", std::string());
    if (const auto e = j.find("employer"); e != j.end() && !e->empty()) {
      s.employer = {e->at("name").get<std::string>(),    e->at("cvr").get<std::string>(),
                    e->at("contact").get<std::string>(), e->at("email").get<std::string>(),
                    e->at("phone").get<std::string>(),   e->at("sme").get<bool>()};
    }
    s.municipality = j.value("municipality", std::string());
    const nlohmann::json appointments = j.value("appointments", nlohmann::json::object());
    for (const auto& [id, a] : appointments.items()) {
      s.appointments[id] = {id,
                            a.at("starts_at").get<TimestampMs>(),
                            a.at("ends_at").get<TimestampMs>(),
                            a.at("place").get<std::string>(),
                            a.at("online").get<bool>(),
                            a.at("topic").get<std::string>(),
                            a.at("reminded").get<bool>()};
    }
    if (const auto c = j.find("consent"); c != j.end()) {
      s.consent = {c->at("notice_version").get<std::string>(), c->at("given").get<bool>(),
                   c->at("channels").get<std::vector<std::string>>()};
    }
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
    // Absent from states written before timers were kept spent.
    if (j.contains("spent_timers")) {
      s.spent_timers = j.at("spent_timers").get<std::map<std::string, TimestampMs>>();
    }
    s.created_at = j.at("created_at").get<TimestampMs>();
    s.last_contact_at = j.at("last_contact_at").get<TimestampMs>();
    s.sequence = j.at("sequence").get<std::uint64_t>();
    // Absent from states written before the path was kept.
    const nlohmann::json entered = j.value("entered", nlohmann::json::object());
    for (const auto& [id, entry] : entered.items()) {
      s.entered[id] = {entry.at("at").get<TimestampMs>(), entry.at("from").get<std::string>()};
    }
    s.contacts = j.value("contacts", std::uint32_t{0});
    if (const auto at = j.find("personal_at"); at != j.end()) {
      s.personal_at = at->get<std::map<std::string, std::uint64_t>>();
    }
    if (const auto c = j.find("company"); c != j.end()) s.company = CompanyFromJson(*c);
    s.referred_by_company = j.value("referred_by_company", std::string());
    return s;
  } catch (const nlohmann::json::exception& e) {
    return Status::Corruption(std::string("a stored pathway state is unreadable: ") + e.what());
  }
}

namespace {

// One member per event type: what it changes. Events that only tell history change nothing
// but the version.
struct Applier {
  PathwayState& s;
  const EventFacts& e;

  // A pathway begins (a lead's or a company's record): in `state`, belonging to `school`.
  void Start(const std::string& state, const std::string& school) {
    s.pathway_id = e.pathway_id;
    s.participant_id = e.participant_id;
    if (e.definition != nullptr) {
      s.definition_id = e.definition->id;
      s.definition_version = e.definition->version;
      s.definition_hash = e.definition->hash;
    }
    s.state = state;
    s.status = PathwayStatus::kActive;
    s.school = school;
    s.created_at = e.occurred_at;
    s.entered.emplace(state, StateEntry{e.occurred_at, ""});
  }
  Status operator()(const events::LeadRegistered& d) {
    if (!d.data.is_object()) return Status::Corruption("LeadRegistered: `data` is not an object");
    Start(d.state, d.school);
    s.data = d.data;
    if (!d.referral_source.empty()) s.data["referral_source"] = d.referral_source;
    s.referred_by_company = d.company;
    return Status::Ok();
  }
  Status operator()(const events::ContactPersonAssigned& d) {
    s.contact_person = d.user;
    if (!d.school.empty()) s.school = d.school;
    return Status::Ok();
  }
  Status operator()(const events::EmployerRecorded& d) {
    const events::EmployerData& r = d.employer;
    s.employer = Employer{r.name, r.cvr, r.contact, r.email, r.phone, r.sme};
    return Status::Ok();
  }
  Status operator()(const events::MunicipalityRecorded& d) {
    s.municipality = d.municipality;
    return Status::Ok();
  }
  Status operator()(const events::AppointmentBooked& d) {
    s.appointments[d.appointment_id] =
        Appointment{d.appointment_id, d.starts_at, d.ends_at, d.place, d.online, d.topic, false};
    return Status::Ok();
  }
  Status operator()(const events::AppointmentMoved& d) {
    if (auto it = s.appointments.find(d.appointment_id); it != s.appointments.end()) {
      Appointment& a = it->second;
      // A new time is a new reminder.
      if (a.starts_at != d.starts_at) a.reminded = false;
      a.starts_at = d.starts_at;
      a.ends_at = d.ends_at;
      a.place = d.place;
      a.online = d.online;
    }
    return Status::Ok();
  }
  Status operator()(const events::AppointmentCancelled& d) {
    s.appointments.erase(d.appointment_id);
    return Status::Ok();
  }
  Status operator()(const events::AppointmentMissed& d) {
    s.appointments.erase(d.appointment_id);
    return Status::Ok();
  }
  Status operator()(const events::AppointmentReminded& d) {
    if (auto it = s.appointments.find(d.appointment_id); it != s.appointments.end()) {
      it->second.reminded = true;
    }
    return Status::Ok();
  }
  Status operator()(const events::InformationNoticeGiven& d) {
    s.consent.notice_version = d.version;
    return Status::Ok();
  }
  Status operator()(const events::ConsentRecorded& d) {
    s.consent.given = d.given;
    s.consent.channels = d.channels;
    return Status::Ok();
  }
  Status operator()(const events::DataRecorded& d) {
    if (!d.fields.is_object()) return Status::Corruption("DataRecorded: `fields` is not an object");
    // Null unsets a field: a value that is special-category data was sealed in its place.
    for (const auto& [field, value] : d.fields.items()) {
      if (value.is_null()) {
        s.data.erase(field);
      } else {
        s.data[field] = value;
      }
    }
    for (const std::string& field : d.personal) s.personal_at[field] = e.version;
    return Status::Ok();
  }
  Status operator()(const events::ContactRecorded& d) {
    s.last_contact_at = e.occurred_at;
    ++s.contacts;
    if (!d.appointment_id.empty()) s.appointments.erase(d.appointment_id);
    return Status::Ok();
  }
  Status operator()(const events::TransitionTaken& d) {
    if (!d.set.is_object()) return Status::Corruption("TransitionTaken: `set` is not an object");
    if (!d.to.empty() && d.to != s.state) {
      s.entered.emplace(d.to, StateEntry{e.occurred_at, s.state});
      s.state = d.to;
    }
    for (const auto& [field, value] : d.set.items()) s.data[field] = value;
    return Status::Ok();
  }
  Status operator()(const events::MilestoneReached& d) {
    s.milestones.emplace(d.milestone, e.occurred_at);
    return Status::Ok();
  }
  Status operator()(const events::RiskRaised& d) {
    ++s.sequence;
    s.open_risks[d.risk_id] = RiskFlag{d.risk_id, d.type, d.severity, d.raised_by, e.occurred_at};
    return Status::Ok();
  }
  Status operator()(const events::RiskResolved& d) {
    s.open_risks.erase(d.risk_id);
    return Status::Ok();
  }
  Status operator()(const events::TaskCreated& d) {
    ++s.sequence;
    Task t;
    t.id = d.task_id;
    t.kind = d.kind;
    t.title_da = d.title.da;
    t.title_en = d.title.en;
    t.assignee = d.assignee;
    t.due_at = d.due_at;
    s.open_tasks[t.id] = std::move(t);
    return Status::Ok();
  }
  Status operator()(const events::TaskAcknowledged& d) {
    return SetTaskStatus(d.task_id, "acknowledged");
  }
  Status operator()(const events::TaskEscalated& d) {
    return SetTaskStatus(d.task_id, "escalated");
  }
  Status operator()(const events::TaskReassigned& d) {
    if (auto it = s.open_tasks.find(d.task_id); it != s.open_tasks.end()) {
      it->second.assignee = d.to;
      it->second.status = "open";
    }
    return Status::Ok();
  }
  Status operator()(const events::TaskCompleted& d) {
    s.open_tasks.erase(d.task_id);
    return Status::Ok();
  }
  Status operator()(const events::TaskCancelled& d) {
    s.open_tasks.erase(d.task_id);
    return Status::Ok();
  }
  Status operator()(const events::NotificationRequested&) {
    ++s.sequence;
    return Status::Ok();
  }
  Status operator()(const events::TimerArmed& d) {
    s.timers[d.timer] = {e.occurred_at, d.due_at};
    s.spent_timers.erase(d.timer);
    return Status::Ok();
  }
  Status operator()(const events::TimerDisarmed& d) {
    s.timers.erase(d.timer);
    s.spent_timers.erase(d.timer);
    return Status::Ok();
  }
  Status operator()(const events::TimerFiredV1& d) {
    s.timers.erase(d.timer);
    return Status::Ok();
  }
  Status operator()(const events::TimerFired& d) {
    s.timers.erase(d.timer);
    // A task's due time is no timer of the definition: nothing to keep spent.
    if (!d.timer.starts_with(kTaskTimerPrefix)) s.spent_timers[d.timer] = d.due_at;
    return Status::Ok();
  }
  Status operator()(const events::PathwayPaused&) {
    s.status = PathwayStatus::kPaused;
    return Status::Ok();
  }
  Status operator()(const events::PathwayResumed&) {
    s.status = PathwayStatus::kActive;
    return Status::Ok();
  }
  Status operator()(const events::PathwayClosed&) {
    s.status = PathwayStatus::kClosed;
    return Status::Ok();
  }
  Status operator()(const events::PathwayMigrated& d) {
    s.definition_id = d.to.id;
    s.definition_version = d.to.version;
    s.definition_hash = d.to.hash;
    if (d.to_state != s.state) s.entered.emplace(d.to_state, StateEntry{e.occurred_at, s.state});
    s.state = d.to_state;
    return Status::Ok();
  }
  // A company's record (its registration starts the pathway as a lead's does).
  Status operator()(const events::CompanyRegistered& d) {
    Start(d.state, d.school);
    SetRecord(d.company);
    return Status::Ok();
  }
  Status operator()(const events::CompanyRecorded& d) {
    SetRecord(d.company);
    return Status::Ok();
  }
  Status operator()(const events::CompanyContactRecorded& d) {
    s.last_contact_at = std::max(s.last_contact_at, d.at);
    if (s.company.first_contact_at == 0 || d.at < s.company.first_contact_at) {
      s.company.first_contact_at = d.at;
    }
    ++s.contacts;
    ++s.sequence;
    return Status::Ok();
  }
  Status operator()(const events::ContactPersonRecorded& d) {
    auto [it, added] = s.company.persons.try_emplace(d.person_id, ContactPerson{d.role, 0});
    if (added) {
      it->second.since = e.occurred_at;
      ++s.sequence;
    }
    it->second.role = d.role;
    return Status::Ok();
  }
  Status operator()(const events::ContactPersonRemoved& d) {
    s.company.persons.erase(d.person_id);
    return Status::Ok();
  }
  Status operator()(const events::CompanyNeedRecorded& d) {
    auto [it, added] = s.company.needs.try_emplace(d.need_id);
    if (added) {
      it->second.recorded_at = e.occurred_at;
      ++s.sequence;
    }
    CompanyNeed& n = it->second;
    n.competences = d.competences;
    n.amu_courses = d.amu_courses;
    n.staff = d.staff;
    n.release_from = d.release_from;
    n.release_to = d.release_to;
    n.green = d.green;
    return Status::Ok();
  }
  void SetRecord(const events::CompanyData& r) {
    Company& c = s.company;
    c.cvr = r.cvr;
    c.name = r.name;
    c.p_number = r.p_number;
    c.size_band = r.size_band;
    c.industry = r.industry;
    c.green = r.green;
    s.municipality = r.municipality;
  }

  // History only: the risk a missed appointment raises is its own event; what an adapter did
  // with a notification changes nothing; erased keys leave no personal data in the state.
  Status operator()(const events::MissedAppointmentRecorded&) { return Status::Ok(); }
  Status operator()(const events::NotificationDelivered&) { return Status::Ok(); }
  Status operator()(const events::NotificationDeadLettered&) { return Status::Ok(); }
  Status operator()(const events::PersonalDataErased&) { return Status::Ok(); }

  Status SetTaskStatus(const std::string& task_id, const char* status) {
    if (auto it = s.open_tasks.find(task_id); it != s.open_tasks.end()) it->second.status = status;
    return Status::Ok();
  }
};

}  // namespace

Status Apply(PathwayState& state, const events::PathwayEvent& event, const EventFacts& facts) {
  Status st = std::visit(Applier{state, facts}, event);
  if (st.ok()) state.version = facts.version;
  return st;
}

Status Apply(PathwayState& state, std::string_view type, std::uint16_t schema_version,
             const nlohmann::json& data, const EventFacts& facts) {
  Result<events::PathwayEvent> event = events::DecodePathwayEvent(type, schema_version, data);
  if (!event.ok()) return event.status();
  return Apply(state, *event, facts);
}

Status Apply(PathwayState& state, const RecordedEvent& event) {
  nlohmann::json data = nlohmann::json::parse(event.data, nullptr, /*allow_exceptions=*/false);
  Status st = data.is_discarded()
                  ? Status::Corruption("its data is not JSON")
                  : Apply(state, event.type, event.schema_version, data,
                          EventFacts{event.occurred_at, event.version, event.stream_id,
                                     event.participant_id, &event.definition});
  if (st.ok()) return st;
  return Status::Corruption("event " + std::to_string(event.position) + " of " + event.stream_id +
                            " cannot be read: " + st.message());
}

}  // namespace pathways::runtime

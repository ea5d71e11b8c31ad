// The decider's participant: registration, recorded data and barriers, the contact person,
// contacts, and the participant's own employer and municipality.

#include <algorithm>

#include "engine/runtime/calendar.hpp"
#include "engine/runtime/cvr.hpp"
#include "engine/runtime/decider.hpp"
#include "engine/runtime/lifecycles.hpp"

namespace pathways::runtime::internal {
namespace {

using definition::IsSpecialValue;

// Moves the values of `fields` that are special-category data (a referral by a union) into
// the special scope of `personal`; the plain field is left unset (null).
void SealSpecialValues(const definition::Definition& def, nlohmann::json& fields,
                       std::map<PersonalScope, nlohmann::json>& personal) {
  for (auto& [key, value] : fields.items()) {
    const definition::DataField* f = def.FindField(key);
    if (f == nullptr || !IsSpecialValue(*f, value)) continue;
    personal[PersonalScope::kSpecial][key] = value;
    value = nullptr;
  }
}

}  // namespace

Status Decider::Handle(const RegisterLead& c) {
  if (s_.exists()) return Status::Rejected("pathway " + ctx_.pathway_id + " already exists");
  nlohmann::json data = c.data.is_null() ? nlohmann::json::object() : c.data;
  if (Status st = CheckData(data); !st.ok()) return st;
  std::map<PersonalScope, nlohmann::json> personal = c.personal;
  std::string referral_source = c.referral_source;
  // The referral source is a code of the definition's list, when it keeps one; a source that
  // tells of special-category data (a union) is sealed, never plain.
  if (const definition::DataField* f = ctx_.definition.FindField("referral_source")) {
    if (std::string problem = TypeProblem(c.referral_source, f->type, f->allowed);
        !problem.empty()) {
      return Status::InvalidArgument("referral_source " + problem);
    }
    if (IsSpecialValue(*f, c.referral_source)) {
      personal[PersonalScope::kSpecial]["referral_source"] = c.referral_source;
      referral_source.clear();
    }
  }
  SealSpecialValues(ctx_.definition, data, personal);
  for (auto it = data.begin(); it != data.end();) it = it->is_null() ? data.erase(it) : ++it;
  if (auto identity = personal.find(PersonalScope::kIdentity); identity != personal.end()) {
    if (Status st = DeriveFromIdentity(identity->second, ctx_.now, data); !st.ok()) return st;
  }
  if (!c.company.empty() && !IsValidCvr(c.company)) {
    return Status::InvalidArgument(
        "`company` is not a CVR number: eight digits that pass the register's modulus-11 check");
  }
  Status st = Emit(
      events::LeadRegistered{referral_source, ctx_.definition.initial, data, c.school, c.company},
      std::move(personal));
  if (st.ok()) st = SyncTimers();
  if (st.ok() && !c.contact_person.empty())
    st = Handle(AssignContactPerson{c.contact_person, "", "", ""});
  return st;
}

// The fields the definition derives from the identity scope — an age, on the day of
// `registered_at`, from `date_of_birth` or else `cpr` — into `data`; nothing without either.
Status Decider::DeriveFromIdentity(const nlohmann::json& identity, TimestampMs registered_at,
                                   nlohmann::json& data) const {
  if (!identity.is_object()) return Status::InvalidArgument("personal data must be objects");
  std::int64_t born = 0;
  if (const auto date = identity.find("date_of_birth"); date != identity.end()) {
    TimestampMs at = 0;
    if (!date->is_string() || !ParseDate(date->get<std::string>(), at)) {
      return Status::InvalidArgument("identity.date_of_birth is not a date (YYYY-MM-DD)");
    }
    born = DayNumber(at);
  } else if (const auto cpr = identity.find("cpr"); cpr != identity.end()) {
    if (!cpr->is_string() || !BirthDayFromCpr(cpr->get<std::string>(), born)) {
      return Status::InvalidArgument("identity.cpr is not a CPR number (DDMMYY-SSSS)");
    }
  } else {
    return Status::Ok();
  }
  const int age = AgeOn(born, DayNumber(registered_at));
  if (age < 0 || age > 130) {
    return Status::InvalidArgument("the date of birth gives an age of " + std::to_string(age));
  }
  for (const auto& f : ctx_.definition.data) {
    if (f.derived == "age") data[f.id] = age;
  }
  return Status::Ok();
}

// Data fields of the definition, each of its field's type.
Status Decider::CheckData(const nlohmann::json& data) const {
  if (!data.is_object()) return Status::InvalidArgument("data must be an object");
  for (const auto& [key, value] : data.items()) {
    const definition::DataField* f = ctx_.definition.FindField(key);
    if (f == nullptr)
      return Status::InvalidArgument("data field `" + key + "` is not defined in " +
                                     ctx_.definition.id);
    if (std::string problem = TypeProblem(value, f->type, f->allowed); !problem.empty()) {
      return Status::InvalidArgument("data field `" + key + "` " + problem);
    }
  }
  return Status::Ok();
}

Status Decider::Handle(const RecordData& c) {
  if (c.reason.empty()) return Status::InvalidArgument("say why the data is recorded (`reason`)");
  nlohmann::json fields = c.fields.is_null() ? nlohmann::json::object() : c.fields;
  if (Status st = CheckData(fields); !st.ok()) return st;
  // A corrected date of birth corrects the age at entry (on the day of registration).
  if (auto identity = c.personal.find(PersonalScope::kIdentity); identity != c.personal.end()) {
    if (Status st = DeriveFromIdentity(identity->second, s_.created_at, fields); !st.ok()) {
      return st;
    }
  }
  std::map<PersonalScope, nlohmann::json> given = c.personal;
  SealSpecialValues(ctx_.definition, fields, given);
  events::DataRecorded recorded;
  recorded.fields = fields;
  for (const auto& [key, value] : fields.items()) {
    const auto before = s_.data.find(key);
    recorded.previous[key] = before == s_.data.end() ? nlohmann::json() : *before;
  }
  std::map<PersonalScope, nlohmann::json> personal;
  for (const auto& [scope, values] : given) {
    if (!values.is_object()) return Status::InvalidArgument("personal data must be objects");
    if (values.empty()) continue;
    for (const auto& [key, value] : values.items()) {
      recorded.personal.push_back(std::string(PersonalScopeName(scope)) + "." + key);
    }
    personal[scope] = values;
  }
  if (fields.empty() && personal.empty()) {
    return Status::InvalidArgument("record at least one data field or personal field");
  }
  recorded.reason = c.reason;
  if (Status st = Emit(std::move(recorded), std::move(personal)); !st.ok()) return st;
  return SyncTimers();  // a date field that moved moves the timers counting to it
}

Status Decider::Handle(const RecordBarrier& c) {
  const auto& barriers = ctx_.definition.barriers;
  const auto barrier = std::find_if(barriers.begin(), barriers.end(),
                                    [&c](const auto& b) { return b.id == c.code; });
  if (barrier == barriers.end()) {
    std::string known;
    for (const auto& b : barriers) known += (known.empty() ? "" : ", ") + b.id;
    return Status::InvalidArgument("barrier `" + c.code + "` is not defined in " +
                                   ctx_.definition.id +
                                   (known.empty() ? "" : " (it has: " + known + ")"));
  }
  // The risk says a barrier was told; which one, only the sealed guidance part says.
  const std::string id = NextRiskId();
  nlohmann::json told = {{"code", c.code},
                         {"label", {{"da", barrier->label.da}, {"en", barrier->label.en}}},
                         {"risk_id", id}};
  if (!c.note.empty()) told["note"] = c.note;
  Status st = RaiseRiskOf("barrier_reported", "", "barrier recorded",
                          {{PersonalScope::kGuidance, {{"barrier_" + id, std::move(told)}}}});
  if (st.ok()) st = Effects(barrier->support, nlohmann::json::object(), "barrier " + id);
  return st;
}

Status Decider::Handle(const AssignContactPerson& c) {
  if (c.user.empty()) return Status::InvalidArgument("name the contact person");
  if (c.user == s_.contact_person && (c.school.empty() || c.school == s_.school)) {
    return Status::Rejected(c.user + " is the contact person already");
  }
  const std::string previous = s_.contact_person;
  const std::string school = c.school == s_.school ? "" : c.school;
  Status st = Emit(events::ContactPersonAssigned{c.user, previous, school, c.handover, c.reason});
  // A caseload handed over, or a pathway moved to another school, takes the open tasks of
  // the one who had it along.
  if ((!c.handover.empty() || !school.empty()) && !previous.empty()) {
    std::vector<std::string> theirs;
    for (const auto& [id, t] : s_.open_tasks) {
      if (t.assignee == previous) theirs.push_back(id);
    }
    for (const std::string& id : theirs) {
      if (!st.ok()) break;
      st = TaskChangeTo(
          id, TaskChange::kReassign,
          events::TaskReassigned{id, ctx_.actor.user, previous, c.user,
                                 c.handover.empty() ? "moved to " + school
                                                    : "caseload handed over (" + c.handover + ")"});
    }
  }
  const bool defined =
      std::any_of(ctx_.definition.milestones.begin(), ctx_.definition.milestones.end(),
                  [](const auto& m) { return m.id == "contact_person_assigned"; });
  if (st.ok() && defined && !s_.milestones.count("contact_person_assigned")) {
    st = Emit(events::MilestoneReached{"contact_person_assigned"});
  }
  return st;
}

Status Decider::Handle(const RecordContact& c) {
  if (c.minutes > 24 * 60) {
    return Status::InvalidArgument("a contact lasts at most a day (1440 minutes)");
  }
  if (!c.appointment_id.empty() && !s_.appointments.count(c.appointment_id)) {
    return Status::Rejected("appointment " + c.appointment_id +
                            " is not booked on this pathway (held, cancelled or missed already)");
  }
  Status st = Emit(events::ContactRecorded{c.channel.empty() ? "meeting" : c.channel, c.minutes,
                                           c.topic, c.appointment_id});
  return st.ok() ? Restart("contact") : st;
}

Status Decider::Handle(const RecordEmployer& c) {
  if (c.name.empty() || c.contact.empty()) {
    return Status::InvalidArgument("an employer needs its `name` and a `contact` person");
  }
  if (!IsValidCvr(c.cvr)) {
    return Status::InvalidArgument(
        "`cvr` is not a CVR number: eight digits that pass the register's modulus-11 check");
  }
  if (!PlausibleEmail(c.email)) return Status::InvalidArgument("`email` is not an email address");
  const Employer next{c.name, c.cvr, c.contact, c.email, c.phone, c.sme};
  if (next == s_.employer) return Status::Rejected("the employer is recorded like this already");
  return Emit(events::EmployerRecorded{
      {c.name, c.cvr, c.contact, c.email, c.phone, c.sme}, s_.employer.cvr, c.reason});
}

Status Decider::Handle(const RecordMunicipality& c) {
  if (!IsDigits(c.code, 3)) {
    return Status::InvalidArgument("a municipality is named by its code of 3 digits (751: Aarhus)");
  }
  if (c.code == s_.municipality) return Status::Rejected("the municipality is " + c.code);
  return Emit(events::MunicipalityRecorded{c.code, s_.municipality});
}

}  // namespace pathways::runtime::internal

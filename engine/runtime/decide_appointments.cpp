// The decider's appointments (booked, moved, cancelled, missed, reminded), the information
// notice and consent to reminders.

#include <algorithm>

#include "engine/runtime/calendar.hpp"
#include "engine/runtime/decider.hpp"
#include "engine/runtime/lifecycles.hpp"

namespace pathways::runtime::internal {

// Times of an appointment: in the future, ending after it starts, within 12 hours.
Status Decider::CheckTimes(TimestampMs starts_at, TimestampMs ends_at) const {
  if (starts_at <= ctx_.now) return Status::InvalidArgument("an appointment is in the future");
  if (ends_at <= starts_at || ends_at - starts_at > 12LL * 3600 * 1000) {
    return Status::InvalidArgument("an appointment ends after it starts, within 12 hours");
  }
  return Status::Ok();
}

Status Decider::Handle(const BookAppointment& c) {
  if (Status st = CheckTimes(c.starts_at, c.ends_at); !st.ok()) return st;
  if (c.place.empty()) {
    return Status::InvalidArgument(
        "say where the appointment is (`place`: a room, an address "
        "or the meeting link)");
  }
  if (!IsValidId(c.appointment_id)) {
    return Status::InvalidArgument("an appointment id is 1-200 printable characters");
  }
  if (s_.appointments.count(c.appointment_id)) {
    return Status::Rejected("appointment " + c.appointment_id + " is booked already");
  }
  return Emit(events::AppointmentBooked{c.appointment_id, c.starts_at, c.ends_at, c.place, c.online,
                                        c.topic});
}

Status Decider::Handle(const MoveAppointment& c) {
  auto it = s_.appointments.find(c.appointment_id);
  if (it == s_.appointments.end()) {
    return Status::Rejected("appointment " + c.appointment_id + " is not booked on this pathway");
  }
  if (Status st = CheckTimes(c.starts_at, c.ends_at); !st.ok()) return st;
  const std::string place = c.place.empty() ? it->second.place : c.place;
  const bool online = c.place.empty() ? it->second.online : c.online;
  return Emit(
      events::AppointmentMoved{c.appointment_id, c.starts_at, c.ends_at, place, online, c.reason});
}

Status Decider::Handle(const CancelAppointment& c) {
  if (!s_.appointments.count(c.appointment_id)) {
    return Status::Rejected("appointment " + c.appointment_id + " is not booked on this pathway");
  }
  if (c.reason.empty()) return Status::InvalidArgument("say why it is cancelled (`reason`)");
  return Emit(events::AppointmentCancelled{c.appointment_id, c.reason});
}

// Its end passed without a contact recorded for it: missed, and the risk raised.
Status Decider::MissAppointment(const FireTimer& c) {
  const std::string id = c.timer_id.substr(kAppointmentTimerPrefix.size());
  auto it = s_.appointments.find(id);
  if (it == s_.appointments.end() || it->second.ends_at != c.due_at) {
    return Status::Rejected("appointment " + id +
                            " does not end at that time (held, moved or "
                            "cancelled)");
  }
  Status st = Emit(events::AppointmentMissed{id, c.due_at});
  const bool defined = std::any_of(ctx_.definition.risks.begin(), ctx_.definition.risks.end(),
                                   [](const auto& r) { return r.id == "missed_appointment"; });
  if (st.ok() && defined) st = RaiseRiskOf("missed_appointment", "", "appointment " + id);
  return st.ok() ? Restart("missed_appointment") : st;
}

// The day before: the participant who consented is reminded (when the definition has them
// as a party); the reminder is spent either way.
Status Decider::Remind(const FireTimer& c) {
  const std::string id = c.timer_id.substr(kReminderTimerPrefix.size());
  auto it = s_.appointments.find(id);
  if (it == s_.appointments.end() || it->second.reminded ||
      it->second.starts_at - kReminderBeforeMs != c.due_at) {
    return Status::Rejected("appointment " + id + " has no reminder due at that time");
  }
  const bool in_time = ctx_.now < it->second.starts_at;
  if (Status st = Emit(events::AppointmentReminded{id}); !st.ok() || !in_time) return st;
  for (const auto& p : ctx_.definition.parties) {
    if (p.id == kParticipantParty) {
      return Notify(p.id, {"dates"}, "appointment " + id, "", id);
    }
  }
  return Status::Ok();
}

Status Decider::Handle(const GiveInformationNotice& c) {
  if (c.version.empty()) return Status::InvalidArgument("name the notice's `version`");
  return Emit(events::InformationNoticeGiven{c.version});
}

Status Decider::Handle(const RecordConsent& c) {
  if (s_.consent.notice_version.empty()) {
    return Status::Rejected("give the participant the information notice before asking consent");
  }
  for (const auto& ch : c.channels) {
    if (ch != "email" && ch != "sms") {
      return Status::InvalidArgument("channel `" + ch + "` is not email or sms");
    }
  }
  if (c.given && c.channels.empty()) {
    return Status::InvalidArgument("consent names its channels (email, sms)");
  }
  return Emit(events::ConsentRecorded{c.given, c.given ? c.channels : std::vector<std::string>{},
                                      s_.consent.notice_version});
}

Status Decider::Handle(const RecordMissedAppointment&) {
  Status st = Emit(events::MissedAppointmentRecorded{});
  const bool defined = std::any_of(ctx_.definition.risks.begin(), ctx_.definition.risks.end(),
                                   [](const auto& r) { return r.id == "missed_appointment"; });
  if (st.ok() && defined) st = RaiseRiskOf("missed_appointment", "", "missed appointment");
  return st.ok() ? Restart("missed_appointment") : st;
}

}  // namespace pathways::runtime::internal

// The routes about the participant's own partners, appointments and consent: the employer and
// municipality recorded on the pathway, booking, moving and cancelling appointments, the
// information notice and consent to reminders; and a counsellor's appointments across their
// caseload.

#include <algorithm>

#include "adapters/api/api_impl.hpp"
#include "engine/codec/event_json.hpp"
#include "engine/runtime/calendar.hpp"
#include "engine/runtime/pathway_rules.hpp"

namespace pathways::api {
namespace {

using app::ParseMeetingTime;

// `starts_at` and `ends_at` of a body, or the problem.
std::optional<http::Response> MeetingTimes(Fields& f, TimestampMs& starts_at,
                                           TimestampMs& ends_at) {
  const std::string starts = f.Text("starts_at", true, 40);
  const std::string ends = f.Text("ends_at", true, 40);
  if (!f.ok()) return f.Problem();
  for (const auto& [text, out, key] :
       {std::tuple{&starts, &starts_at, "starts_at"}, std::tuple{&ends, &ends_at, "ends_at"}}) {
    if (!ParseMeetingTime(*text, *out)) {
      return Problem(400, "invalid-body",
                     std::string("`") + key +
                         "` is a date and time, e.g. 2027-02-03T10:00 (Danish time) or "
                         "2027-02-03T09:00:00Z");
    }
  }
  return std::nullopt;
}

}  // namespace

void Api::Impl::RecordEmployer(Call& c) {
  Fields f(c.req.body, {"name", "cvr", "contact", "email", "phone", "sme", "reason"});
  runtime::RecordEmployer e;
  // With a company's record for the CVR, its name and SME status are the record's.
  e.name = f.Text("name", false, 200);
  e.cvr = f.Text("cvr", true, 20);
  e.contact = f.Text("contact", true, 200);
  e.email = f.Text("email", true, 254);
  e.phone = f.Text("phone", false, 40);
  e.sme = f.Flag("sme");
  e.reason = f.Text("reason", false, 1000);
  if (!f.ok()) return c.respond(f.Problem());
  SubmitOn(c, std::move(e));
}

void Api::Impl::RecordMunicipality(Call& c) {
  Fields f(c.req.body, {"code"});
  std::string code = f.Text("code", true, 10);
  if (!f.ok()) return c.respond(f.Problem());
  SubmitOn(c, runtime::RecordMunicipality{std::move(code)});
}

void Api::Impl::BookAppointment(Call& c) {
  Fields f(c.req.body, {"appointment_id", "starts_at", "ends_at", "place", "online", "topic"});
  runtime::BookAppointment b;
  b.appointment_id = f.Text("appointment_id", false, 200);
  if (auto problem = MeetingTimes(f, b.starts_at, b.ends_at)) return c.respond(*problem);
  b.place = f.Text("place", true, 500);
  b.online = f.Flag("online");
  b.topic = f.Text("topic", false, 200);
  if (!f.ok()) return c.respond(f.Problem());
  // Under an Idempotency-Key the id follows from it, so a retry books the same appointment.
  if (b.appointment_id.empty()) {
    const std::string& key = c.req.Header("idempotency-key");
    b.appointment_id = key.empty() ? NewId("apt-") : DerivedId("apt-", c.user->id + "\n" + key);
  }
  const std::string id = b.appointment_id;
  auto r = workspace.OnPathway(*c.user, c.params[0], std::move(b));
  if (!r.ok()) return c.respond(BodyProblemFor(r.status()));
  Submit(c, std::move(*r), 201, [id](Call& call, const AppendResult& done) {
    http::Response res = Written(201, done);
    nlohmann::json body = nlohmann::json::parse(res.body);
    body["appointment_id"] = id;
    res.body = body.dump();
    call.respond(
        std::move(res.With("Location", "/v1/pathways/" + done.stream_id + "/appointments/" + id)));
  });
}

void Api::Impl::AppointmentAction(Call& c) {
  const std::string& action = c.params[2];
  if (action == "cancel") {
    Fields f(c.req.body, {"reason"});
    std::string reason = f.Text("reason", true, 1000);
    if (!f.ok()) return c.respond(f.Problem());
    return SubmitOn(c, runtime::CancelAppointment{c.params[1], std::move(reason)});
  }
  if (action != "move") {
    return c.respond(Problem(404, "not-found",
                             "an appointment can be moved or cancelled, not `" + action + "`"));
  }
  Fields f(c.req.body, {"starts_at", "ends_at", "place", "online", "reason"});
  runtime::MoveAppointment m;
  m.appointment_id = c.params[1];
  if (auto problem = MeetingTimes(f, m.starts_at, m.ends_at)) return c.respond(*problem);
  m.place = f.Text("place", false, 500);
  m.online = f.Flag("online");
  m.reason = f.Text("reason", false, 1000);
  if (!f.ok()) return c.respond(f.Problem());
  SubmitOn(c, std::move(m));
}

void Api::Impl::GiveInformationNotice(Call& c) {
  Fields f(c.req.body, {"version"});
  std::string version = f.Text("version", true, 100);
  if (!f.ok()) return c.respond(f.Problem());
  SubmitOn(c, runtime::GiveInformationNotice{std::move(version)});
}

void Api::Impl::RecordConsent(Call& c) {
  Fields f(c.req.body, {"given", "channels"});
  runtime::RecordConsent consent;
  consent.given = f.Flag("given");
  consent.channels = f.Texts("channels");
  if (!f.ok()) return c.respond(f.Problem());
  if (!f.Has("given")) {
    return c.respond(Problem(400, "invalid-body", "`given` (true or false) is required"));
  }
  SubmitOn(c, std::move(consent));
}

void Api::Impl::Appointments(Call& c) {
  // From the start of today (Danish time) for a week, unless the request says otherwise.
  const TimestampMs now = options.clock->NowMs();
  const std::int64_t today = runtime::DayNumber(now);
  TimestampMs from = runtime::DayStart(today);
  TimestampMs to = runtime::DayStart(today + 7);  // a week of Danish days, summer time or not
  for (const auto& [name, out] : {std::pair{"from", &from}, std::pair{"to", &to}}) {
    if (const std::string* v = c.req.Query(name)) {
      if (!ParseMeetingTime(*v, *out) && !runtime::ParseDate(*v, *out)) {
        return c.respond(Problem(400, "invalid-request",
                                 std::string("`") + name + "` is a date or a date and time"));
      }
    }
  }
  Result<app::AppointmentsView> view =
      workspace.Appointments(*c.user, c.req.Query("counsellor"), from, to);
  if (!view.ok()) return c.respond(ProblemFor(view.status()));
  nlohmann::json list = nlohmann::json::array();
  for (const app::AppointmentsView::Row& r : view->rows) {
    const runtime::Appointment& a = r.appointment;
    list.push_back({{"pathway_id", r.pathway_id},
                    {"appointment_id", r.appointment_id},
                    {"starts_at", codec::FormatIso8601(a.starts_at)},
                    {"ends_at", codec::FormatIso8601(a.ends_at)},
                    {"place", a.place},
                    {"online", a.online},
                    {"topic", a.topic}});
  }
  c.respond(Json(200, {{"counsellor", view->counsellor},
                       {"from", codec::FormatIso8601(from)},
                       {"to", codec::FormatIso8601(to)},
                       {"appointments", list}}));
}

}  // namespace pathways::api

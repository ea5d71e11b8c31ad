// Decide: commands to events, or a rejection with its reason. It works on a scratch copy of
// the state, applying each event it decides so later decisions (effects, timers) see them;
// the caller's state is never touched.

#include <algorithm>
#include <charconv>

#include "engine/runtime/calendar.hpp"
#include "engine/runtime/decider.hpp"
#include "engine/runtime/lifecycles.hpp"
#include "engine/runtime/pathway_rules.hpp"

namespace pathways::runtime {
namespace internal {

std::string StateLabel(const definition::Definition& def, const std::string& id) {
  const definition::State* s = def.FindState(id);
  return s == nullptr ? id : id + " (" + s->label.en + ")";
}

std::string TypeProblem(const nlohmann::json& v, definition::DataField::Type type,
                        const std::vector<std::string>& allowed) {
  using T = definition::DataField::Type;
  switch (type) {
    case T::kString:
      if (!v.is_string()) return "must be a text";
      if (!allowed.empty() &&
          std::find(allowed.begin(), allowed.end(), v.get<std::string>()) == allowed.end()) {
        std::string list;
        for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
        return "must be one of " + list;
      }
      return "";
    case T::kInteger: return v.is_number_integer() ? "" : "must be a whole number";
    case T::kNumber: return v.is_number() ? "" : "must be a number";
    case T::kBoolean: return v.is_boolean() ? "" : "must be true or false";
    case T::kDate: {
      TimestampMs ignored = 0;
      return v.is_string() && ParseDate(v.get<std::string>(), ignored)
                 ? ""
                 : "must be a date YYYY-MM-DD";
    }
  }
  return "";
}

bool IsDigits(const std::string& s, std::size_t n) {
  return s.size() == n &&
         std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool PlausibleEmail(const std::string& s) {
  const auto at = s.find('@');
  return at != std::string::npos && at > 0 && s.find('.', at) != std::string::npos &&
         s.back() != '.' && s.find(' ') == std::string::npos && s.size() <= 254;
}

// Applies the event to the scratch state at once, so what follows decides on it.
Status Decider::Emit(events::PathwayEvent event, std::map<PersonalScope, nlohmann::json> personal) {
  const DefinitionRef ref{ctx_.definition.id, ctx_.definition.version, ctx_.definition.hash};
  Status st = Apply(
      s_, event, EventFacts{ctx_.now, s_.version + 1, ctx_.pathway_id, ctx_.participant_id, &ref});
  if (!st.ok()) return st;
  events_.push_back({std::move(event), std::move(personal)});
  return Status::Ok();
}

nlohmann::json Decider::GuardInput(const nlohmann::json& payload) const {
  nlohmann::json milestones = nlohmann::json::object();
  for (const auto& [id, at] : s_.milestones) milestones[id] = true;
  nlohmann::json risks = nlohmann::json::object();
  for (const auto& [id, r] : s_.open_risks) {
    risks[r.type] = risks.value(r.type, 0) + 1;
  }
  return {{"data", s_.data},
          {"milestones", milestones},
          {"payload", payload},
          {"risks", risks},
          {"state", s_.state}};
}

// Whether guard `id` holds; a guard that fails to evaluate rejects the command.
Result<bool> Decider::Holds(const std::string& id, const nlohmann::json& input) const {
  Result<bool> r = ctx_.definition.evaluator->Evaluate(id, input);
  if (!r.ok()) return Status::Rejected(r.status().message());
  return r;
}

std::string Decider::GuardWords(const std::string& id) const {
  for (const auto& g : ctx_.definition.guards) {
    if (g.id == id && !g.description.empty())
      return "guard `" + id + "` does not hold: " + g.description;
  }
  return "guard `" + id + "` does not hold";
}

Status Decider::Effects(const std::vector<Effect>& effects, const nlohmann::json& payload,
                        const std::string& because) {
  for (const Effect& e : effects) {
    if (!e.condition.empty()) {
      Result<bool> ok = Holds(e.condition, GuardInput(payload));
      if (!ok.ok()) return ok.status();
      if (!*ok) continue;
    }
    Status st = Status::Ok();
    switch (e.kind) {
      case Effect::Kind::kMilestone:
        if (!s_.milestones.count(e.name)) st = Emit(events::MilestoneReached{e.name});
        break;
      case Effect::Kind::kRaiseRisk: st = RaiseRiskOf(e.name, e.severity, because); break;
      case Effect::Kind::kResolveRisk: {
        std::vector<RiskFlag> open;
        for (const auto& [id, r] : s_.open_risks) {
          if (r.type == e.name) open.push_back(r);
        }
        for (const RiskFlag& r : open) {
          st = Resolve(r, "resolved by " + because);
          if (!st.ok()) break;
        }
        break;
      }
      case Effect::Kind::kTask: {
        st = Emit(events::TaskCreated{"t" + std::to_string(s_.sequence + 1), e.name,
                                      events::Title{e.title.da, e.title.en}, s_.contact_person,
                                      e.due ? Add(ctx_.now, *e.due) : ctx_.now, because});
        break;
      }
      case Effect::Kind::kNotify: st = Notify(e.name, e.categories, because); break;
    }
    if (!st.ok()) return st;
  }
  return Status::Ok();
}

// The participant is told only what they consented to be told.
Status Decider::Notify(const std::string& party, const std::vector<std::string>& categories,
                       const std::string& because, const std::string& user,
                       const std::string& appointment_id) {
  if (party == kParticipantParty && !s_.consent.given) return Status::Ok();
  return Emit(
      events::NotificationRequested{ctx_.pathway_id + ":n" + std::to_string(s_.sequence + 1), party,
                                    categories, because, user, appointment_id});
}

// The id the next risk raised gets.
std::string Decider::NextRiskId() const { return "r" + std::to_string(s_.sequence + 1); }

// `personal`: sealed parts for the RiskRaised event (a barrier's code).
Status Decider::RaiseRiskOf(const std::string& type, const std::string& severity,
                            const std::string& because,
                            std::map<PersonalScope, nlohmann::json> personal) {
  const definition::RiskType* risk = nullptr;
  for (const auto& r : ctx_.definition.risks) {
    if (r.id == type) risk = &r;
  }
  if (risk == nullptr) {
    return Status::InvalidArgument("risk type `" + type + "` is not defined in " +
                                   ctx_.definition.id);
  }
  Status st =
      Emit(events::RiskRaised{NextRiskId(), type, severity.empty() ? risk->severity : severity,
                              ctx_.actor.user, because},
           std::move(personal));
  if (!st.ok()) return st;
  return Effects(risk->on_raise, nlohmann::json::object(), "risk " + type + " raised");
}

// Resolving tells the one who raised it.
Status Decider::Resolve(const RiskFlag& r, const std::string& resolution) {
  Status st = Emit(events::RiskResolved{r.id, r.type, resolution, r.raised_by, ctx_.actor.user});
  if (!st.ok() || r.raised_by == ctx_.actor.user || r.raised_by == kScheduler.user) return st;
  return Notify("counsellor", {"status"}, "risk " + r.id + " resolved", r.raised_by);
}

// Whether timer `t` runs in the pathway's current state and status.
bool Decider::Running(const definition::Timer& t) const {
  if (t.while_paused) return s_.status == PathwayStatus::kPaused;
  const bool in_states =
      std::find(t.active_in.begin(), t.active_in.end(), s_.state) != t.active_in.end();
  return in_states && (s_.status == PathwayStatus::kActive ||
                       (s_.status == PathwayStatus::kPaused && t.through_pause));
}

// Whether `t` belongs to where the pathway is: in its states (a pause only suspends it), or
// paused for a timer of the pause.
bool Decider::Belongs(const definition::Timer& t) const {
  if (t.while_paused) return s_.status == PathwayStatus::kPaused;
  return std::find(t.active_in.begin(), t.active_in.end(), s_.state) != t.active_in.end();
}

// Arms each timer on entering its states, once per arming: a timer that fired stays spent
// while the pathway stays in its states, unless its date field moved (a new course end is a
// new deadline). Disarms timers on leaving, and suspends them during a pause unless they
// run through it.
Status Decider::SyncTimers() {
  for (const auto& t : ctx_.definition.timers) {
    const auto armed = s_.timers.find(t.id);
    const auto spent = s_.spent_timers.find(t.id);
    if (!Running(t)) {
      const bool forget =
          armed != s_.timers.end() || (spent != s_.spent_timers.end() && !Belongs(t));
      if (forget) {
        if (Status st = Emit(events::TimerDisarmed{t.id}); !st.ok()) return st;
      }
      continue;
    }
    std::optional<TimestampMs> due = DueOf(t);
    if (!due) continue;  // an `at` timer whose date is not known yet
    bool arm = false;
    if (armed != s_.timers.end()) {
      arm = !t.at_field.empty() && armed->second.due_at != *due;
    } else if (spent != s_.spent_timers.end()) {
      arm = !t.at_field.empty() && spent->second != *due;
    } else {
      arm = true;
    }
    if (arm) {
      if (Status st = Emit(events::TimerArmed{t.id, *due}); !st.ok()) return st;
    }
  }
  return Status::Ok();
}

// Re-arms the `after` timers that `activity` restarts, spent ones too: "no contact for 14
// days" counts again from this contact.
Status Decider::Restart(const std::string& activity) {
  for (const auto& t : ctx_.definition.timers) {
    if (!t.after || !Running(t) ||
        std::find(t.restart_on.begin(), t.restart_on.end(), activity) == t.restart_on.end() ||
        (!s_.timers.count(t.id) && !s_.spent_timers.count(t.id))) {
      continue;
    }
    if (Status st = Emit(events::TimerArmed{t.id, Add(ctx_.now, *t.after)}); !st.ok()) {
      return st;
    }
  }
  return Status::Ok();
}

std::optional<TimestampMs> Decider::DueOf(const definition::Timer& t) const {
  if (t.after) return Add(ctx_.now, *t.after);
  auto field = s_.data.find(t.at_field);
  TimestampMs at = 0;
  if (field == s_.data.end() || !field->is_string() || !ParseDate(field->get<std::string>(), at)) {
    return std::nullopt;
  }
  return t.offset ? Add(at, *t.offset) : at;
}

Status Decider::CheckPayload(const std::string& trigger,
                             const std::vector<const definition::Transition*>& candidates,
                             const nlohmann::json& payload, nlohmann::json& set) const {
  if (!payload.is_object()) return Status::InvalidArgument("the payload must be an object");
  const auto& declared = candidates.front()->payload;
  for (const auto& [key, value] : payload.items()) {
    auto it = std::find_if(declared.begin(), declared.end(),
                           [&key = key](const auto& p) { return p.id == key; });
    if (it == declared.end()) {
      std::string list;
      for (const auto& p : declared) list += (list.empty() ? "" : ", ") + p.id;
      return Status::InvalidArgument("trigger `" + trigger + "` takes no payload field `" + key +
                                     "` (it takes: " + (list.empty() ? "none" : list) + ")");
    }
    if (std::string problem = TypeProblem(value, it->type, it->allowed); !problem.empty()) {
      return Status::InvalidArgument("payload field `" + key + "` " + problem);
    }
    // A value stored as a data field is one the field allows, whether or not the payload
    // field repeats its list.
    if (const definition::DataField* f =
            it->store_as.empty() ? nullptr : ctx_.definition.FindField(it->store_as)) {
      if (std::string problem = TypeProblem(value, f->type, f->allowed); !problem.empty()) {
        return Status::InvalidArgument("payload field `" + key + "` " + problem);
      }
    }
    if (!it->store_as.empty()) set[it->store_as] = value;
  }
  for (const auto& p : declared) {
    if (p.required && !payload.contains(p.id)) {
      return Status::InvalidArgument("trigger `" + trigger + "` needs payload field `" + p.id +
                                     "`");
    }
  }
  return Status::Ok();
}

Status Decider::Trigger(const FireTrigger& command) {
  FireTrigger c = command;
  if (c.payload.is_null()) c.payload = nlohmann::json::object();
  if (s_.status == PathwayStatus::kPaused) {
    return Status::Rejected("the pathway is paused; resume it before `" + c.trigger + "`");
  }
  std::vector<const definition::Transition*> candidates =
      ctx_.definition.TransitionsFrom(s_.state, c.trigger);
  if (candidates.empty()) {
    std::vector<std::string> possible;
    for (const auto& t : ctx_.definition.transitions) {
      if (std::find(t.from.begin(), t.from.end(), s_.state) != t.from.end() &&
          std::find(possible.begin(), possible.end(), t.trigger) == possible.end()) {
        possible.push_back(t.trigger);
      }
    }
    std::string list;
    for (const auto& p : possible) list += (list.empty() ? "" : ", ") + p;
    return Status::Rejected("`" + c.trigger + "` is not possible in state " +
                            StateLabel(ctx_.definition, s_.state) +
                            (list.empty() ? "" : "; possible there: " + list));
  }
  nlohmann::json set = nlohmann::json::object();
  if (Status st = CheckPayload(c.trigger, candidates, c.payload, set); !st.ok()) return st;
  // Personal payload fields go to the vault: the guards, the event's plain data and the
  // notices see the rest only.
  std::map<PersonalScope, nlohmann::json> sealed;
  events::DataRecorded recorded;
  for (const definition::PayloadField& p : candidates.front()->payload) {
    const auto value = c.payload.find(p.id);
    if (p.personal.empty() || value == c.payload.end()) continue;
    const std::optional<PersonalScope> scope = ParsePersonalScope(p.personal);
    if (!scope) return Status::InvalidArgument("payload field `" + p.id + "` has no scope");
    sealed[*scope][p.id] = *value;
    recorded.personal.push_back(p.personal + "." + p.id);
    c.payload.erase(p.id);
  }

  const nlohmann::json input = GuardInput(c.payload);
  std::string refusal;
  for (const definition::Transition* t : candidates) {
    std::vector<events::GuardCheck> checked;
    std::string failed;
    for (const std::string& g : t->guards) {
      Result<bool> holds = Holds(g, input);
      if (!holds.ok()) return holds.status();
      checked.push_back({g, *holds});
      if (!*holds) {
        failed = g;
        break;
      }
    }
    if (!failed.empty()) {
      if (refusal.empty()) refusal = GuardWords(failed);
      continue;
    }
    const std::string from = s_.state;
    // The payload's values, then the transition's own constants (e.g. an approval that
    // holds for one course only, cleared when the course starts).
    nlohmann::json written = set;
    for (const auto& [field, value] : t->set.items()) written[field] = value;
    // The guards' input is recorded only when there were guards: it is what an auditor needs
    // to see why the transition was allowed.
    events::TransitionTaken taken{c.trigger,
                                  from,
                                  t->to,
                                  c.payload,
                                  std::move(written),
                                  std::move(checked),
                                  t->guards.empty() ? nlohmann::json() : input};
    if (Status st = Emit(std::move(taken)); !st.ok()) return st;
    if (!sealed.empty()) {
      recorded.reason = "trigger " + c.trigger;
      if (Status st = Emit(std::move(recorded), std::move(sealed)); !st.ok()) return st;
    }
    if (Status st = Effects(t->effects, c.payload, "trigger " + c.trigger); !st.ok()) return st;
    const definition::State* to = ctx_.definition.FindState(s_.state);
    if (to != nullptr && to->terminal && NextStatus(s_.status, StatusChange::kClose)) {
      if (Status st = Emit(events::PathwayClosed{s_.state}); !st.ok()) return st;
    }
    return SyncTimers();
  }
  return Status::Rejected("`" + c.trigger + "` refused in state " +
                          StateLabel(ctx_.definition, s_.state) + ": " + refusal);
}

Status Decider::FireTimerCommand(const FireTimer& c) {
  if (c.timer_id.starts_with(kTaskTimerPrefix)) return EscalateTask(c);
  if (c.timer_id.starts_with(kAppointmentTimerPrefix)) return MissAppointment(c);
  if (c.timer_id.starts_with(kReminderTimerPrefix)) return Remind(c);
  auto armed = s_.timers.find(c.timer_id);
  if (armed == s_.timers.end() || armed->second.due_at != c.due_at) {
    return Status::Rejected("timer `" + c.timer_id +
                            "` is not armed for that time (it was "
                            "restarted, disarmed or fired already)");
  }
  const definition::Timer* timer = nullptr;
  for (const auto& t : ctx_.definition.timers) {
    if (t.id == c.timer_id) timer = &t;
  }
  if (timer == nullptr) return Status::Rejected("timer `" + c.timer_id + "` is not defined");
  if (!timer->condition.empty()) {
    Result<bool> ok = Holds(timer->condition, GuardInput(nlohmann::json::object()));
    if (!ok.ok()) return ok.status();
    if (!*ok) {
      return Emit(
          events::TimerFired{c.timer_id, c.due_at, "skipped: " + GuardWords(timer->condition)});
    }
  }
  if (!timer->trigger.empty()) {
    // Try the trigger on what the state will be once the timer has fired; record the
    // refusal instead of failing the firing.
    PathwayState after = s_;
    after.timers.erase(c.timer_id);
    after.spent_timers[c.timer_id] = c.due_at;  // as the TimerFired emitted first will say
    Decider attempt(after, ctx_);
    // A timer of the pause (e.g. counted as a dropout after 15 months) acts on a paused
    // pathway: it resumes it first, so the trigger runs on the state it was paused in.
    Status st = after.status == PathwayStatus::kPaused && timer->while_paused
                    ? attempt.Handle(ResumePathway{})
                    : Status::Ok();
    if (st.ok()) st = attempt.Trigger(FireTrigger{timer->trigger, timer->payload});
    events::TimerFired fired{
        c.timer_id, c.due_at,
        st.ok() ? "fired " + timer->trigger : "trigger refused: " + st.message()};
    if (Status e = Emit(std::move(fired)); !e.ok()) return e;
    if (st.ok()) {
      for (Emitted& e : attempt.TakeEvents()) {
        if (Status a = Emit(std::move(e.event), std::move(e.personal)); !a.ok()) return a;
      }
    }
  } else if (Status e = Emit(events::TimerFired{c.timer_id, c.due_at, "fired"}); !e.ok()) {
    return e;
  }
  if (Status st = Effects(timer->effects, nlohmann::json::object(), "timer " + c.timer_id);
      !st.ok()) {
    return st;
  }
  // A repeating timer is armed again from its firing, while it still runs where the pathway
  // now is (its trigger may have moved it on).
  if (timer->repeat && timer->after && Running(*timer) && s_.spent_timers.count(c.timer_id)) {
    return Emit(events::TimerArmed{c.timer_id, Add(ctx_.now, *timer->after)});
  }
  return Status::Ok();
}

Status Decider::Run(const Command& command) {
  const bool registering = IsRegistration(command);
  if (!registering && !s_.exists())
    return Status::NotFound("pathway " + ctx_.pathway_id + " does not exist");
  if (Status st = CheckKind(command); !st.ok()) return st;
  if (!registering && s_.status == PathwayStatus::kClosed &&
      !std::holds_alternative<RecordDelivery>(command)) {
    return Status::Rejected("pathway " + ctx_.pathway_id + " is closed (state " +
                            StateLabel(ctx_.definition, s_.state) + ")");
  }
  return std::visit([&](const auto& c) { return Handle(c); }, command);
}

Status Decider::Handle(const FireTrigger& c) { return Trigger(c); }

Status Decider::Handle(const RaiseRisk& c) {
  return RaiseRiskOf(c.type, c.severity, "raised by " + ctx_.actor.user);
}

Status Decider::Handle(const ResolveRisk& c) {
  auto it = s_.open_risks.find(c.risk_id);
  if (it == s_.open_risks.end())
    return Status::Rejected("risk " + c.risk_id + " is not open on this pathway");
  return Resolve(it->second, c.resolution);
}

Status Decider::Handle(const PausePathway& c) {
  if (s_.status == PathwayStatus::kPaused) return Status::Rejected("the pathway is already paused");
  Status st = Emit(events::PathwayPaused{c.reason, s_.state});
  return st.ok() ? SyncTimers() : st;
}

Status Decider::Handle(const ResumePathway&) {
  if (!NextStatus(s_.status, StatusChange::kResume)) {
    return Status::Rejected("the pathway cannot be resumed: it is " +
                            std::string(StatusName(s_.status)));
  }
  Status st = Emit(events::PathwayResumed{s_.state});
  return st.ok() ? SyncTimers() : st;
}

Status Decider::Handle(const FireTimer& c) { return FireTimerCommand(c); }

}  // namespace internal

bool IsRegistration(const Command& c) {
  return std::holds_alternative<RegisterLead>(c) || std::holds_alternative<RegisterCompany>(c);
}

std::string_view CommandName(const Command& c) {
  static constexpr std::string_view kNames[] = {
      "RegisterLead",        "AssignContactPerson", "RecordContact",     "RecordMissedAppointment",
      "FireTrigger",         "RaiseRisk",           "ResolveRisk",       "PausePathway",
      "ResumePathway",       "AcknowledgeTask",     "CompleteTask",      "CancelTask",
      "MigratePathway",      "FireTimer",           "ReassignTask",      "RecordDelivery",
      "RecordData",          "RecordBarrier",       "RecordEmployer",    "RecordMunicipality",
      "BookAppointment",     "MoveAppointment",     "CancelAppointment", "GiveInformationNotice",
      "RecordConsent",       "RegisterCompany",     "RecordCompany",     "RecordCompanyContact",
      "RecordContactPerson", "RemoveContactPerson", "RecordCompanyNeed"};
  static_assert(std::size(kNames) == std::variant_size_v<Command>);
  return kNames[c.index()];
}

Result<Decision> Decide(const PathwayState& state, const Command& command,
                        const DecideContext& context) {
  if (context.definition.evaluator == nullptr) {
    return Status::FailedPrecondition("the definition has no guard evaluator");
  }
  internal::Decider decider(state, context);
  if (Status st = decider.Run(command); !st.ok()) return st;
  Decision out;
  for (internal::Decider::Emitted& e : decider.TakeEvents()) {
    NewEvent encoded = events::Encode(e.event);
    encoded.personal = std::move(e.personal);
    out.events.push_back(std::move(encoded));
  }
  out.after = decider.TakeState();
  return out;
}

}  // namespace pathways::runtime

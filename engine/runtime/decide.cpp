// Decide: commands to events, or a rejection with its reason. It works on a scratch copy of
// the state, applying each event it decides so later decisions (effects, timers) see them;
// the caller's state is never touched.

#include <algorithm>
#include <charconv>

#include "engine/runtime/calendar.hpp"
#include "engine/runtime/lifecycles.hpp"
#include "engine/runtime/pathway_rules.hpp"

namespace pathways::runtime {
namespace {

using definition::Effect;

const Actor kScheduler{"system", "scheduler"};
constexpr const char* kTeamLeadParty = "team_lead";

std::string StateLabel(const definition::Definition& def, const std::string& id) {
  const definition::State* s = def.FindState(id);
  return s == nullptr ? id : id + " (" + s->label.en + ")";
}

// Checks one value against a declared type; returns the problem or "".
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

// Something@something.tld, no spaces: the check a form makes, not RFC 5322.
bool PlausibleEmail(const std::string& s) {
  const auto at = s.find('@');
  return at != std::string::npos && at > 0 && s.find('.', at) != std::string::npos &&
         s.back() != '.' && s.find(' ') == std::string::npos && s.size() <= 254;
}

class Decider {
 public:
  Decider(const PathwayState& state, const DecideContext& ctx) : s_(state), ctx_(ctx) {}

  struct Emitted {
    events::PathwayEvent event;
    std::map<PersonalScope, nlohmann::json> personal;
  };
  std::vector<Emitted> TakeEvents() { return std::move(events_); }
  PathwayState TakeState() { return std::move(s_); }

  // Applies the event to the scratch state at once, so what follows decides on it.
  Status Emit(events::PathwayEvent event, std::map<PersonalScope, nlohmann::json> personal = {}) {
    const DefinitionRef ref{ctx_.definition.id, ctx_.definition.version, ctx_.definition.hash};
    Status st =
        Apply(s_, event,
              EventFacts{ctx_.now, s_.version + 1, ctx_.pathway_id, ctx_.participant_id, &ref});
    if (!st.ok()) return st;
    events_.push_back({std::move(event), std::move(personal)});
    return Status::Ok();
  }

  nlohmann::json GuardInput(const nlohmann::json& payload) const {
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
  Result<bool> Holds(const std::string& id, const nlohmann::json& input) const {
    Result<bool> r = ctx_.definition.evaluator->Evaluate(id, input);
    if (!r.ok()) return Status::Rejected(r.status().message());
    return r;
  }

  std::string GuardWords(const std::string& id) const {
    for (const auto& g : ctx_.definition.guards) {
      if (g.id == id && !g.description.empty())
        return "guard `" + id + "` does not hold: " + g.description;
    }
    return "guard `" + id + "` does not hold";
  }

  Status Effects(const std::vector<Effect>& effects, const nlohmann::json& payload,
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
  Status Notify(const std::string& party, const std::vector<std::string>& categories,
                const std::string& because, const std::string& user = "",
                const std::string& appointment_id = "") {
    if (party == kParticipantParty && !s_.consent.given) return Status::Ok();
    return Emit(
        events::NotificationRequested{ctx_.pathway_id + ":n" + std::to_string(s_.sequence + 1),
                                      party, categories, because, user, appointment_id});
  }

  // The id the next risk raised gets.
  std::string NextRiskId() const { return "r" + std::to_string(s_.sequence + 1); }

  // `personal`: sealed parts for the RiskRaised event (a barrier's code).
  Status RaiseRiskOf(const std::string& type, const std::string& severity,
                     const std::string& because,
                     std::map<PersonalScope, nlohmann::json> personal = {}) {
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
  Status Resolve(const RiskFlag& r, const std::string& resolution) {
    Status st = Emit(events::RiskResolved{r.id, r.type, resolution, r.raised_by, ctx_.actor.user});
    if (!st.ok() || r.raised_by == ctx_.actor.user || r.raised_by == kScheduler.user) return st;
    return Notify("counsellor", {"status"}, "risk " + r.id + " resolved", r.raised_by);
  }

  // Whether timer `t` runs in the pathway's current state and status.
  bool Running(const definition::Timer& t) const {
    if (t.while_paused) return s_.status == PathwayStatus::kPaused;
    const bool in_states =
        std::find(t.active_in.begin(), t.active_in.end(), s_.state) != t.active_in.end();
    return in_states && (s_.status == PathwayStatus::kActive ||
                         (s_.status == PathwayStatus::kPaused && t.through_pause));
  }
  // Whether `t` belongs to where the pathway is: in its states (a pause only suspends it), or
  // paused for a timer of the pause.
  bool Belongs(const definition::Timer& t) const {
    if (t.while_paused) return s_.status == PathwayStatus::kPaused;
    return std::find(t.active_in.begin(), t.active_in.end(), s_.state) != t.active_in.end();
  }

  // Arms each timer on entering its states, once per arming: a timer that fired stays spent
  // while the pathway stays in its states, unless its date field moved (a new course end is a
  // new deadline). Disarms timers on leaving, and suspends them during a pause unless they
  // run through it.
  Status SyncTimers() {
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
  Status Restart(const std::string& activity) {
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

  std::optional<TimestampMs> DueOf(const definition::Timer& t) const {
    if (t.after) return Add(ctx_.now, *t.after);
    auto field = s_.data.find(t.at_field);
    TimestampMs at = 0;
    if (field == s_.data.end() || !field->is_string() ||
        !ParseDate(field->get<std::string>(), at)) {
      return std::nullopt;
    }
    return t.offset ? Add(at, *t.offset) : at;
  }

  Status CheckPayload(const std::string& trigger,
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

  Status Trigger(const FireTrigger& command) {
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

  Status FireTimerCommand(const FireTimer& c) {
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

  Status Run(const Command& command) {
    const bool registering = std::holds_alternative<RegisterLead>(command);
    if (!registering && !s_.exists())
      return Status::NotFound("pathway " + ctx_.pathway_id + " does not exist");
    if (!registering && s_.status == PathwayStatus::kClosed &&
        !std::holds_alternative<RecordDelivery>(command)) {
      return Status::Rejected("pathway " + ctx_.pathway_id + " is closed (state " +
                              StateLabel(ctx_.definition, s_.state) + ")");
    }
    return std::visit([&](const auto& c) { return Handle(c); }, command);
  }

 private:
  Status Handle(const RegisterLead& c) {
    if (s_.exists()) return Status::Rejected("pathway " + ctx_.pathway_id + " already exists");
    nlohmann::json data = c.data.is_null() ? nlohmann::json::object() : c.data;
    if (Status st = CheckData(data); !st.ok()) return st;
    // The referral source is a code of the definition's list, when it keeps one.
    if (const definition::DataField* f = ctx_.definition.FindField("referral_source")) {
      if (std::string problem = TypeProblem(c.referral_source, f->type, f->allowed);
          !problem.empty()) {
        return Status::InvalidArgument("referral_source " + problem);
      }
    }
    if (auto identity = c.personal.find(PersonalScope::kIdentity); identity != c.personal.end()) {
      if (Status st = DeriveFromIdentity(identity->second, ctx_.now, data); !st.ok()) return st;
    }
    Status st =
        Emit(events::LeadRegistered{c.referral_source, ctx_.definition.initial, data, c.school},
             c.personal);
    if (st.ok()) st = SyncTimers();
    if (st.ok() && !c.contact_person.empty())
      st = Handle(AssignContactPerson{c.contact_person, "", "", ""});
    return st;
  }
  // The fields the definition derives from the identity scope — an age, on the day of
  // `registered_at`, from `date_of_birth` or else `cpr` — into `data`; nothing without either.
  Status DeriveFromIdentity(const nlohmann::json& identity, TimestampMs registered_at,
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
  Status CheckData(const nlohmann::json& data) const {
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
  Status Handle(const RecordData& c) {
    if (c.reason.empty()) return Status::InvalidArgument("say why the data is recorded (`reason`)");
    nlohmann::json fields = c.fields.is_null() ? nlohmann::json::object() : c.fields;
    if (Status st = CheckData(fields); !st.ok()) return st;
    // A corrected date of birth corrects the age at entry (on the day of registration).
    if (auto identity = c.personal.find(PersonalScope::kIdentity); identity != c.personal.end()) {
      if (Status st = DeriveFromIdentity(identity->second, s_.created_at, fields); !st.ok()) {
        return st;
      }
    }
    events::DataRecorded recorded;
    recorded.fields = fields;
    for (const auto& [key, value] : fields.items()) {
      const auto before = s_.data.find(key);
      recorded.previous[key] = before == s_.data.end() ? nlohmann::json() : *before;
    }
    std::map<PersonalScope, nlohmann::json> personal;
    for (const auto& [scope, values] : c.personal) {
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
  Status Handle(const RecordBarrier& c) {
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
  Status Handle(const AssignContactPerson& c) {
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
        st = TaskChangeTo(id, TaskChange::kReassign,
                          events::TaskReassigned{
                              id, ctx_.actor.user, previous, c.user,
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
  Status Handle(const RecordContact& c) {
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
  Status Handle(const RecordEmployer& c) {
    if (c.name.empty() || c.contact.empty()) {
      return Status::InvalidArgument("an employer needs its `name` and a `contact` person");
    }
    if (!IsDigits(c.cvr, 8)) return Status::InvalidArgument("`cvr` is a CVR number of 8 digits");
    if (!PlausibleEmail(c.email)) return Status::InvalidArgument("`email` is not an email address");
    const Employer next{c.name, c.cvr, c.contact, c.email, c.phone, c.sme};
    if (next == s_.employer) return Status::Rejected("the employer is recorded like this already");
    return Emit(events::EmployerRecorded{
        {c.name, c.cvr, c.contact, c.email, c.phone, c.sme}, s_.employer.cvr, c.reason});
  }
  Status Handle(const RecordMunicipality& c) {
    if (!IsDigits(c.code, 3)) {
      return Status::InvalidArgument(
          "a municipality is named by its code of 3 digits (751: Aarhus)");
    }
    if (c.code == s_.municipality) return Status::Rejected("the municipality is " + c.code);
    return Emit(events::MunicipalityRecorded{c.code, s_.municipality});
  }
  // Times of an appointment: in the future, ending after it starts, within 12 hours.
  Status CheckTimes(TimestampMs starts_at, TimestampMs ends_at) const {
    if (starts_at <= ctx_.now) return Status::InvalidArgument("an appointment is in the future");
    if (ends_at <= starts_at || ends_at - starts_at > 12LL * 3600 * 1000) {
      return Status::InvalidArgument("an appointment ends after it starts, within 12 hours");
    }
    return Status::Ok();
  }
  Status Handle(const BookAppointment& c) {
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
    return Emit(events::AppointmentBooked{c.appointment_id, c.starts_at, c.ends_at, c.place,
                                          c.online, c.topic});
  }
  Status Handle(const MoveAppointment& c) {
    auto it = s_.appointments.find(c.appointment_id);
    if (it == s_.appointments.end()) {
      return Status::Rejected("appointment " + c.appointment_id + " is not booked on this pathway");
    }
    if (Status st = CheckTimes(c.starts_at, c.ends_at); !st.ok()) return st;
    const std::string place = c.place.empty() ? it->second.place : c.place;
    const bool online = c.place.empty() ? it->second.online : c.online;
    return Emit(events::AppointmentMoved{c.appointment_id, c.starts_at, c.ends_at, place, online,
                                         c.reason});
  }
  Status Handle(const CancelAppointment& c) {
    if (!s_.appointments.count(c.appointment_id)) {
      return Status::Rejected("appointment " + c.appointment_id + " is not booked on this pathway");
    }
    if (c.reason.empty()) return Status::InvalidArgument("say why it is cancelled (`reason`)");
    return Emit(events::AppointmentCancelled{c.appointment_id, c.reason});
  }
  // Its end passed without a contact recorded for it: missed, and the risk raised.
  Status MissAppointment(const FireTimer& c) {
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
  Status Remind(const FireTimer& c) {
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
  Status Handle(const GiveInformationNotice& c) {
    if (c.version.empty()) return Status::InvalidArgument("name the notice's `version`");
    return Emit(events::InformationNoticeGiven{c.version});
  }
  Status Handle(const RecordConsent& c) {
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
  Status Handle(const RecordMissedAppointment&) {
    Status st = Emit(events::MissedAppointmentRecorded{});
    const bool defined = std::any_of(ctx_.definition.risks.begin(), ctx_.definition.risks.end(),
                                     [](const auto& r) { return r.id == "missed_appointment"; });
    if (st.ok() && defined) st = RaiseRiskOf("missed_appointment", "", "missed appointment");
    return st.ok() ? Restart("missed_appointment") : st;
  }
  Status Handle(const FireTrigger& c) { return Trigger(c); }
  Status Handle(const RaiseRisk& c) {
    return RaiseRiskOf(c.type, c.severity, "raised by " + ctx_.actor.user);
  }
  Status Handle(const ResolveRisk& c) {
    auto it = s_.open_risks.find(c.risk_id);
    if (it == s_.open_risks.end())
      return Status::Rejected("risk " + c.risk_id + " is not open on this pathway");
    return Resolve(it->second, c.resolution);
  }
  Status Handle(const PausePathway& c) {
    if (s_.status == PathwayStatus::kPaused)
      return Status::Rejected("the pathway is already paused");
    Status st = Emit(events::PathwayPaused{c.reason, s_.state});
    return st.ok() ? SyncTimers() : st;
  }
  Status Handle(const ResumePathway&) {
    if (!NextStatus(s_.status, StatusChange::kResume)) {
      return Status::Rejected("the pathway cannot be resumed: it is " +
                              std::string(StatusName(s_.status)));
    }
    Status st = Emit(events::PathwayResumed{s_.state});
    return st.ok() ? SyncTimers() : st;
  }
  Status Handle(const FireTimer& c) { return FireTimerCommand(c); }
  Status Handle(const MigratePathway& c) {
    const definition::Definition* target = ctx_.target;
    if (target == nullptr || target->id != ctx_.definition.id ||
        target->version != c.target_version) {
      return Status::Rejected(ctx_.definition.id + " version " + std::to_string(c.target_version) +
                              " is not loaded");
    }
    if (target->version == ctx_.definition.version) {
      return Status::Rejected("the pathway already runs on version " +
                              std::to_string(target->version));
    }
    std::vector<std::string> unmapped;
    for (const auto& st : ctx_.definition.states) {
      auto it = c.mapping.find(st.id);
      if (it == c.mapping.end()) {
        unmapped.push_back(st.id);
      } else if (target->FindState(it->second) == nullptr) {
        return Status::Rejected("state " + st.id + " maps to " + it->second + ", which version " +
                                std::to_string(target->version) + " does not have");
      }
    }
    if (!unmapped.empty()) {
      std::string list;
      for (const auto& u : unmapped) list += (list.empty() ? "" : ", ") + u;
      return Status::Rejected("the mapping leaves states unmapped: " + list);
    }
    // The old version's timers end here; the new version's are armed by its own rules.
    // A spent timer stays spent where the new version has a timer of that id (it fired once
    // for this stay already).
    std::vector<std::string> armed;
    for (const auto& [id, t] : s_.timers) armed.push_back(id);
    for (const auto& [id, due] : s_.spent_timers) {
      const bool kept = std::any_of(target->timers.begin(), target->timers.end(),
                                    [&id = id](const definition::Timer& t) { return t.id == id; });
      if (!kept) armed.push_back(id);
    }
    for (const auto& id : armed) {
      if (Status st = Emit(events::TimerDisarmed{id}); !st.ok()) return st;
    }
    Status st = Emit(
        events::PathwayMigrated{{ctx_.definition.id, ctx_.definition.version, ctx_.definition.hash},
                                {target->id, target->version, target->hash},
                                s_.state,
                                c.mapping.at(s_.state)});
    if (!st.ok()) return st;
    DecideContext next{*target,         ctx_.actor,          ctx_.now,
                       ctx_.pathway_id, ctx_.participant_id, nullptr};
    Decider on_target(s_, next);
    if (st = on_target.SyncTimers(); !st.ok()) return st;
    for (Emitted& e : on_target.TakeEvents()) {
      if (st = Emit(std::move(e.event), std::move(e.personal)); !st.ok()) return st;
    }
    return Status::Ok();
  }
  Status Handle(const AcknowledgeTask& c) {
    return TaskChangeTo(c.task_id, TaskChange::kAcknowledge,
                        events::TaskAcknowledged{c.task_id, ctx_.actor.user});
  }
  Status Handle(const CompleteTask& c) {
    return TaskChangeTo(c.task_id, TaskChange::kComplete,
                        events::TaskCompleted{c.task_id, ctx_.actor.user});
  }
  Status Handle(const CancelTask& c) {
    return TaskChangeTo(c.task_id, TaskChange::kCancel,
                        events::TaskCancelled{c.task_id, ctx_.actor.user, c.reason});
  }
  Status Handle(const ReassignTask& c) {
    if (c.assignee.empty()) return Status::InvalidArgument("a task needs someone to go to");
    auto it = s_.open_tasks.find(c.task_id);
    if (it != s_.open_tasks.end() && it->second.assignee == c.assignee) {
      return Status::Rejected("task " + c.task_id + " is " + c.assignee + "'s already");
    }
    const std::string from = it == s_.open_tasks.end() ? "" : it->second.assignee;
    return TaskChangeTo(
        c.task_id, TaskChange::kReassign,
        events::TaskReassigned{c.task_id, ctx_.actor.user, from, c.assignee, c.reason});
  }

  // A task past its due date goes to the team lead (when the definition has that party); the
  // assignee keeps it.
  Status EscalateTask(const FireTimer& c) {
    const std::string task_id = c.timer_id.substr(kTaskTimerPrefix.size());
    auto it = s_.open_tasks.find(task_id);
    if (it == s_.open_tasks.end() || it->second.due_at != c.due_at ||
        it->second.status == "escalated") {
      return Status::Rejected("task " + task_id +
                              " is not overdue at that time (done, reassigned or escalated "
                              "already)");
    }
    const std::string assignee = it->second.assignee;
    Status st = TaskChangeTo(task_id, TaskChange::kEscalate,
                             events::TaskEscalated{task_id, ctx_.actor.user, assignee, c.due_at});
    if (!st.ok()) return st;
    for (const auto& p : ctx_.definition.parties) {
      if (p.id == kTeamLeadParty) {
        return Notify(p.id, {"status"}, "task " + task_id + " overdue (" + assignee + ")");
      }
    }
    return Status::Ok();
  }

  Status Handle(const RecordDelivery& c) {
    const std::string prefix = ctx_.pathway_id + ":n";
    std::uint64_t n = 0;
    bool ours = c.notification_id.starts_with(prefix);
    if (ours) {
      const char* first = c.notification_id.data() + prefix.size();
      const char* last = c.notification_id.data() + c.notification_id.size();
      auto [end, error] = std::from_chars(first, last, n);
      ours = error == std::errc() && end == last && n >= 1 && n <= s_.sequence;
    }
    if (!ours) {
      return Status::InvalidArgument("notification " + c.notification_id +
                                     " was not requested by pathway " + ctx_.pathway_id);
    }
    if (c.party.empty() || c.channel.empty())
      return Status::InvalidArgument("a delivery names its party and channel");
    if (c.delivered) {
      return Emit(events::NotificationDelivered{c.notification_id, c.party, c.channel, c.attempts,
                                                c.message_id, c.recipient, c.categories,
                                                c.personal});
    }
    return Emit(events::NotificationDeadLettered{c.notification_id, c.party, c.channel, c.attempts,
                                                 c.message_id, c.recipient, c.categories,
                                                 c.personal, c.last_error});
  }

  // `event` names the task and the actor; it is emitted when the task's lifecycle allows it.
  Status TaskChangeTo(const std::string& task_id, TaskChange change, events::PathwayEvent event) {
    auto it = s_.open_tasks.find(task_id);
    if (it == s_.open_tasks.end())
      return Status::Rejected("task " + task_id + " is not open on this pathway");
    const TaskStatus current = it->second.status == "acknowledged" ? TaskStatus::kAcknowledged
                               : it->second.status == "escalated"  ? TaskStatus::kEscalated
                                                                   : TaskStatus::kOpen;
    if (!NextTaskStatus(current, change)) {
      return Status::Rejected("task " + task_id + " is " + std::string(TaskStatusName(current)) +
                              " already");
    }
    return Emit(std::move(event));
  }

  PathwayState s_;
  const DecideContext& ctx_;
  std::vector<Emitted> events_;
};

}  // namespace

std::string_view CommandName(const Command& c) {
  static constexpr std::string_view kNames[] = {
      "RegisterLead",    "AssignContactPerson", "RecordContact",     "RecordMissedAppointment",
      "FireTrigger",     "RaiseRisk",           "ResolveRisk",       "PausePathway",
      "ResumePathway",   "AcknowledgeTask",     "CompleteTask",      "CancelTask",
      "MigratePathway",  "FireTimer",           "ReassignTask",      "RecordDelivery",
      "RecordData",      "RecordBarrier",       "RecordEmployer",    "RecordMunicipality",
      "BookAppointment", "MoveAppointment",     "CancelAppointment", "GiveInformationNotice",
      "RecordConsent"};
  static_assert(std::size(kNames) == std::variant_size_v<Command>);
  return kNames[c.index()];
}

Result<Decision> Decide(const PathwayState& state, const Command& command,
                        const DecideContext& context) {
  if (context.definition.evaluator == nullptr) {
    return Status::FailedPrecondition("the definition has no guard evaluator");
  }
  Decider decider(state, context);
  if (Status st = decider.Run(command); !st.ok()) return st;
  Decision out;
  for (Decider::Emitted& e : decider.TakeEvents()) {
    NewEvent encoded = events::Encode(e.event);
    encoded.personal = std::move(e.personal);
    out.events.push_back(std::move(encoded));
  }
  out.after = decider.TakeState();
  return out;
}

}  // namespace pathways::runtime

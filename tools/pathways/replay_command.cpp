// pathways replay --data DIR --pathway ID [--as-of TIME] [--json]: a pathway's state at a
// moment, rebuilt from its events by the appliers alone (no guards, no clock), and the steps
// that led there with who, when and why, and the commands refused on the way.

#include <algorithm>
#include <cstdio>
#include <limits>
#include <nlohmann/json.hpp>

#include "engine/codec/event_json.hpp"
#include "engine/runtime/pathway_rules.hpp"
#include "tools/pathways/cli_common.hpp"

namespace pathways::cli {
namespace {

template <class... F>
struct Overloaded : F... {
  using F::operator()...;
};

// What an event did, in a few words: for transitions the guards too.
std::string WhatHappened(const events::PathwayEvent& event) {
  using namespace events;
  const std::string type(TypeOf(event));
  return type +
         std::visit(
             Overloaded{
                 [](const TransitionTaken& d) {
                   std::string s =
                       " " + d.trigger + ": " + d.from + " -> " + (d.to.empty() ? d.from : d.to);
                   if (!d.guards.empty()) s += "  guards:";
                   for (const GuardCheck& g : d.guards) {
                     s += " " + g.guard + "=" + (g.holds ? "true" : "false");
                   }
                   return s;
                 },
                 [](const LeadRegistered& d) { return " in " + d.state; },
                 [](const MilestoneReached& d) { return " " + d.milestone; },
                 [](const RiskRaised& d) { return " " + d.risk_id + " " + d.type; },
                 [](const RiskResolved& d) { return " " + d.risk_id + " " + d.type; },
                 [](const NotificationRequested& d) { return " to " + d.party; },
                 [](const TimerArmed& d) {
                   return " " + d.timer + " due " + codec::FormatIso8601(d.due_at);
                 },
                 [](const TimerFired& d) { return " " + d.timer + " (" + d.outcome + ")"; },
                 [](const TimerFiredV1& d) { return " " + d.timer + " (" + d.outcome + ")"; },
                 [](const TimerDisarmed& d) { return " " + d.timer; },
                 [](const TaskCreated& d) { return " " + d.task_id + " " + d.kind; },
                 [](const TaskReassigned& d) {
                   return " " + d.task_id + " from " + d.from + " to " + d.to;
                 },
                 [](const auto&) { return std::string(); }},
             event);
}

// One line of history: when, version, what, by whom.
std::string Describe(const RecordedEvent& e, const nlohmann::json& d) {
  Result<events::PathwayEvent> event = events::DecodePathwayEvent(e.type, e.schema_version, d);
  const std::string what = event.ok() ? WhatHappened(*event) : e.type;
  return codec::FormatIso8601(e.occurred_at) + "  v" + std::to_string(e.version) + "  " + what +
         "  by " + e.actor.user + " (" + e.actor.role + ")";
}

// A refused command, in the history where it happened.
std::string Describe(const Rejection& r) {
  return codec::FormatIso8601(r.at) + "  v" + std::to_string(r.version) + "  REFUSED " + r.command +
         (r.trigger.empty() ? "" : " " + r.trigger) + " in state " + r.state + ": " + r.reason +
         "  by " + r.actor.user + " (" + r.actor.role + ")";
}

}  // namespace

void AddReplayCommand(Command app) {
  Command cmd = app.Sub("replay", "a pathway's state at a moment and how it got there");
  struct Args {
    StoreFlags store;
    std::string pathway;
    std::string as_of;
    bool json = false;
  };
  auto args = std::make_shared<Args>();
  args->store.AddTo(cmd);
  cmd.Add("--pathway", args->pathway, "pathway id").Required();
  cmd.Add("--as-of", args->as_of, "ISO 8601 time (default: now, i.e. every event)");
  cmd.Flag("--json", args->json, "print {state, history} as JSON");
  cmd.OnRun([args] {
    TimestampMs as_of = std::numeric_limits<TimestampMs>::max();
    if (!args->as_of.empty() && !codec::ParseIso8601(args->as_of, as_of)) {
      std::fprintf(stderr,
                   "pathways replay: error: --as-of `%s` is not an ISO 8601 time "
                   "(e.g. 2026-03-02 or 2026-03-02T09:30:00+01:00)\n",
                   args->as_of.c_str());
      ExitCode() = kExitUsage;
      return;
    }
    storage::StoreOptions o = args->store.Options();
    o.read_only = true;
    o.load_master_key = false;  // the state holds no personal data
    auto store = storage::RocksEventStore::Open(o);
    if (!store.ok()) {
      ExitCode() = Fail("replay", store.status());
      return;
    }
    runtime::PathwayState state;
    nlohmann::json history = nlohmann::json::array();
    std::vector<std::pair<TimestampMs, std::string>> lines;  // by time
    for (std::uint64_t from = 1; from != 0;) {
      auto page = (*store)->ReadStream(args->pathway, from, 1000);
      if (!page.ok()) {
        ExitCode() = Fail("replay", page.status());
        return;
      }
      for (const RecordedEvent& e : page->events) {
        if (e.occurred_at > as_of) {
          from = 0;
          break;
        }
        if (Status s = runtime::Apply(state, e); !s.ok()) {
          ExitCode() = Fail("replay", s);
          return;
        }
        const nlohmann::json d = nlohmann::json::parse(e.data, nullptr, false);
        lines.emplace_back(e.occurred_at, Describe(e, d));
        history.push_back({{"version", e.version},
                           {"position", e.position},
                           {"type", e.type},
                           {"occurred_at", codec::FormatIso8601(e.occurred_at)},
                           {"actor", {{"user", e.actor.user}, {"role", e.actor.role}}},
                           {"data", d}});
      }
      if (from != 0) from = page->next_version;
    }
    if (!state.exists()) {
      ExitCode() =
          Fail("replay", Status::NotFound("pathway " + args->pathway + " has no events" +
                                          (args->as_of.empty() ? "" : " by " + args->as_of)));
      return;
    }
    auto refused = (*store)->Rejections(args->pathway, as_of, 100000);
    if (!refused.ok()) {
      ExitCode() = Fail("replay", refused.status());
      return;
    }
    nlohmann::json rejections = nlohmann::json::array();
    for (const Rejection& r : *refused) {
      lines.emplace_back(r.at, Describe(r));
      rejections.push_back({{"at", codec::FormatIso8601(r.at)},
                            {"command", r.command},
                            {"command_id", r.command_id},
                            {"trigger", r.trigger},
                            {"actor", {{"user", r.actor.user}, {"role", r.actor.role}}},
                            {"state", r.state},
                            {"version", r.version},
                            {"reason", r.reason}});
    }
    std::stable_sort(lines.begin(), lines.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    if (args->json) {
      std::printf("%s\n",
                  nlohmann::json{
                      {"state", state.ToJson()}, {"history", history}, {"rejections", rejections}}
                      .dump()
                      .c_str());
      return;
    }
    std::printf("pathway %s (participant %s) on %s version %u\n", state.pathway_id.c_str(),
                state.participant_id.c_str(), state.definition_id.c_str(),
                state.definition_version);
    std::printf("state %s, status %s, version %llu%s\n", state.state.c_str(),
                std::string(runtime::StatusName(state.status)).c_str(),
                static_cast<unsigned long long>(state.version),
                args->as_of.empty() ? "" : (" as of " + codec::FormatIso8601(as_of)).c_str());
    std::printf("data %s\n", state.data.dump().c_str());
    std::string milestones;
    for (const auto& [m, at] : state.milestones) milestones += (milestones.empty() ? "" : ", ") + m;
    std::printf("milestones %s\n", milestones.empty() ? "none" : milestones.c_str());
    for (const auto& [id, r] : state.open_risks) {
      std::printf("open risk %s %s (%s), raised by %s\n", id.c_str(), r.type.c_str(),
                  r.severity.c_str(), r.raised_by.c_str());
    }
    for (const auto& [id, t] : state.open_tasks) {
      std::printf("open task %s %s, due %s\n", id.c_str(), t.kind.c_str(),
                  codec::FormatIso8601(t.due_at).c_str());
    }
    std::printf("history:\n");
    for (const auto& [at, line] : lines) std::printf("  %s\n", line.c_str());
  });
}

}  // namespace pathways::cli

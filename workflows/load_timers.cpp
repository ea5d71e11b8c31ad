// The loader's timers, and the guards compiled with jq (their references checked).

#include <algorithm>
#include <set>

#include "workflows/jq_guards.hpp"
#include "workflows/loader_impl.hpp"

namespace pathways::workflows::internal {
namespace {

// The activities a timer can be restarted by (see docs/workflows.md, timers).
const Keys kActivities = {"contact", "missed_appointment"};
const Keys kGuardRoots = {"data", "milestones", "payload", "risks", "state"};

}  // namespace

void Loader::ReadTimers(const YAML::Node& node) {
  if (!node) return;
  if (!node.IsSequence()) {
    Error(node.Mark(), "`timers` must be a list");
    return;
  }
  std::set<std::string> ids;
  for (const auto& n : node) {
    if (!CheckMap(n, "a timer",
                  {"id", "active_in", "while_paused", "through_pause", "repeat", "after", "at",
                   "offset", "restart_on", "if", "trigger", "payload", "effects", "label"})) {
      continue;
    }
    definition::Timer t;
    if (n["id"])
      t.id = Id(n["id"], "timer id").value_or("");
    else
      Error(n.Mark(), "a timer needs an `id`");
    if (!t.id.empty() && !ids.insert(t.id).second)
      Error(n["id"].Mark(), "duplicate timer id `" + t.id + "`");
    const std::string where = "timer `" + t.id + "`";
    if (n["while_paused"]) t.while_paused = Bool(n["while_paused"], "while_paused").value_or(false);
    if (!n["active_in"] && !t.while_paused) {
      Error(n.Mark(), where + " needs `active_in` (the states it runs in) or `while_paused: true`");
    } else if (n["active_in"]) {
      for (auto& [s, m] : List(n["active_in"], "active_in")) {
        if (Known(s, m, state_ids_, "state")) t.active_in.push_back(s);
      }
    }
    if (n["through_pause"]) {
      t.through_pause = Bool(n["through_pause"], "through_pause").value_or(false);
      if (t.through_pause && t.while_paused) {
        Error(n["through_pause"].Mark(),
              where + " runs only while paused: `through_pause` is for timers of states");
      }
    }
    if (n["repeat"]) {
      t.repeat = Bool(n["repeat"], "repeat").value_or(false);
      if (t.repeat && !n["after"]) {
        Error(n["repeat"].Mark(), where + ": `repeat` goes with `after` (a date falls due once)");
      }
    }
    if (n["after"] && n["at"]) Error(n["at"].Mark(), where + " takes `after` or `at`, not both");
    if (!n["after"] && !n["at"])
      Error(n.Mark(), where + " needs `after` (a duration) or `at` (a date field)");
    if (n["after"]) t.after = ReadDuration(n["after"], "after");
    if (n["at"]) {
      t.at_field = Str(n["at"], "at").value_or("");
      if (Known(t.at_field, n["at"].Mark(), field_ids_, "data field")) {
        const DataField* f = FindField(t.at_field);
        if (f != nullptr && f->type != DataField::Type::kDate) {
          Error(n["at"].Mark(), where + ": `at` names " + t.at_field + ", which is not a date");
        }
      }
    }
    if (n["offset"]) {
      if (!n["at"]) Error(n["offset"].Mark(), where + ": `offset` goes with `at`");
      t.offset = ReadDuration(n["offset"], "offset");
    }
    if (n["restart_on"]) {
      for (auto& [a, m] : List(n["restart_on"], "restart_on")) {
        if (Known(a, m, kActivities, "activity")) t.restart_on.push_back(a);
      }
    }
    t.condition = Condition(n);
    if (n["trigger"]) t.trigger = Id(n["trigger"], "trigger").value_or("");
    if (n["payload"]) {
      if (!n["trigger"]) Error(n["payload"].Mark(), where + ": `payload` goes with `trigger`");
      if (CheckMap(n["payload"], where + " payload", {})) {
        for (const auto& kv : n["payload"]) t.payload[kv.first.Scalar()] = kv.second.Scalar();
      }
    }
    if (n["effects"]) ReadEffects(n["effects"], t.effects, where);
    if (n["label"]) t.label = Label(n["label"], "label of " + where);
    RequireLabel(t.label, n.Mark(), where);
    if (t.trigger.empty() && t.effects.empty()) {
      Error(n.Mark(), where + " triggers nothing: give it a `trigger` or `effects`");
    }
    if (!t.trigger.empty()) {
      bool handled = false;
      for (const auto& s : t.active_in)
        handled = handled || !def_.TransitionsFrom(s, t.trigger).empty();
      for (const auto& tr : def_.transitions)
        handled = handled || (t.while_paused && tr.trigger == t.trigger);
      if (!handled && (!t.active_in.empty() || t.while_paused)) {
        Keys triggers;
        for (const auto& tr : def_.transitions) triggers.push_back(tr.trigger);
        Error(n["trigger"].Mark(), where + " fires `" + t.trigger +
                                       "`, but no transition from its states takes that trigger" +
                                       DidYouMean(t.trigger, triggers));
      }
    }
    def_.timers.push_back(std::move(t));
  }
}

void Loader::CompileGuards() {
  auto guards = std::make_shared<JqGuards>();
  for (const auto& g : def_.guards) {
    if (g.expression.empty()) continue;
    const YAML::Mark mark = guard_expr_marks_[g.id];
    if (Status s = guards->Add(g.id, g.expression); !s.ok()) {
      Error(mark, "guard " + g.id + " does not compile: " + s.message());
      continue;
    }
    CheckGuardReferences(g.id, g.expression, mark);
  }
  for (const auto& [id, message] : guards->Compile()) {
    Error(guard_expr_marks_[id], "guard " + id + " does not compile: " + message);
  }
  guards_ = guards;
}

void Loader::CheckGuardReferences(const std::string& id, const std::string& expression,
                                  const YAML::Mark& mark) {
  for (const std::string& ref : GuardFieldReferences(expression)) {
    const std::size_t dot = ref.find('.');
    const std::string root = ref.substr(0, dot);
    if (!Known(root, mark, kGuardRoots, "guard input `." + root + "` in guard " + id + ":")) {
      continue;
    }
    if (dot == std::string::npos) continue;
    const std::string name = ref.substr(dot + 1);
    const Keys* names = root == "data"         ? &field_ids_
                        : root == "milestones" ? &milestone_ids_
                        : root == "risks"      ? &risk_ids_
                        : root == "payload"    ? &payload_ids_
                                               : nullptr;
    if (names != nullptr && std::find(names->begin(), names->end(), name) == names->end()) {
      Error(mark, "guard " + id + " reads ." + ref + ", but there is no such " +
                      (root == "data"      ? "data field"
                       : root == "payload" ? "payload field"
                                           : root.substr(0, root.size() - 1)) +
                      DidYouMean(name, *names));
    }
  }
}

}  // namespace pathways::workflows::internal

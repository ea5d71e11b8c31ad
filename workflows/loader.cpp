// The YAML definition loader. Pass 1 reads every section and collects the ids it declares;
// pass 2 resolves references between them (with "did you mean"); pass 3 checks the graph.

#include "workflows/loader.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <map>
#include <set>

#include "engine/audit/sha256.hpp"
#include "engine/codec/event_record.hpp"
#include "workflows/jq_guards.hpp"
#include "workflows/yaml_reader.hpp"

namespace pathways::workflows {
namespace {

using definition::DataField;
using definition::Duration;
using definition::Effect;
using Keys = YamlReader::Keys;

// The activities a timer can be restarted by (see docs/workflows.md, timers).
const Keys kActivities = {"contact", "missed_appointment"};
const Keys kSeverities = {"low", "medium", "high"};
const Keys kGuardRoots = {"data", "milestones", "payload", "risks", "state"};

class Loader : YamlReader {
 public:
  explicit Loader(std::string file) : YamlReader(std::move(file)) {}

  LoadResult Run(const std::string& text) {
    YAML::Node root = Parse(text);
    if (HasErrors()) return Finish();
    if (!root.IsMap()) {
      Error(root.Mark(), "a definition is a mapping with id, version, states and transitions");
      return Finish();
    }
    ReadTop(root);
    return Finish();
  }

 private:
  LoadResult Finish() {
    LoadResult out;
    out.diagnostics = TakeDiagnostics();
    if (out.diagnostics.empty()) {
      def_.evaluator = std::move(guards_);
      const std::string canonical = def_.ToJson().dump();
      audit::Sha256 sha;
      sha.Update(canonical.data(), canonical.size());
      def_.hash = codec::HexEncode(sha.Final());
      out.definition = std::make_shared<const definition::Definition>(std::move(def_));
    }
    return out;
  }

  // ---- pass 1: the sections ----
  void ReadTop(const YAML::Node& root) {
    CheckMap(root, "the definition",
             {"id", "version", "title", "initial", "target", "categories", "data", "states",
              "milestones", "risks", "barriers", "parties", "guards", "transitions", "timers"});
    if (!root["id"])
      Error(root.Mark(), "the definition needs an `id`");
    else
      def_.id = Id(root["id"], "id").value_or("");
    if (!root["version"]) {
      Error(root.Mark(), "the definition needs a `version` (a whole number from 1)");
    } else if (auto v = Int(root["version"], "version")) {
      if (*v < 1 || *v > 1'000'000)
        Error(root["version"].Mark(), "version must be 1 or more");
      else
        def_.version = static_cast<std::uint32_t>(*v);
    }
    if (root["title"]) def_.title = Label(root["title"], "title");

    ForEachEntry(root["categories"], "categories", category_ids_,
                 [&](const std::string& id, const YAML::Mark&, const YAML::Node& n) {
                   definition::DataCategory c{id, {}, false};
                   if (CheckMap(n, "category " + id, {"label", "sensitive"})) {
                     if (n["label"]) c.label = Label(n["label"], "label of category " + id);
                     if (n["sensitive"])
                       c.sensitive = Bool(n["sensitive"], "sensitive").value_or(false);
                   }
                   def_.categories.push_back(std::move(c));
                 });
    ForEachEntry(
        root["data"], "data", field_ids_,
        [&](const std::string& id, const YAML::Mark&, const YAML::Node& n) {
          DataField f;
          f.id = id;
          if (CheckMap(n, "data field " + id,
                       {"type", "allowed", "category", "sensitive_values", "label", "values",
                        "derived"})) {
            if (!n["type"])
              Error(n.Mark(), "data field " + id + " needs a `type`");
            else
              f.type = Type(n["type"], "type of " + id).value_or(DataField::Type::kString);
            if (n["allowed"]) {
              for (auto& [v, m] : List(n["allowed"], "allowed")) f.allowed.push_back(v);
            }
            if (n["sensitive_values"]) {
              for (auto& [v, m] : List(n["sensitive_values"], "sensitive_values")) {
                if (f.type != DataField::Type::kString) {
                  Error(m, "data field " + id + ": only a text has sensitive values");
                } else if (!f.allowed.empty() &&
                           std::find(f.allowed.begin(), f.allowed.end(), v) == f.allowed.end()) {
                  Error(m, "data field " + id + ": sensitive value `" + v +
                               "` is not one of its allowed values" + DidYouMean(v, f.allowed));
                } else {
                  f.sensitive_values.push_back(v);
                }
              }
            }
            if (n["category"]) {
              f.category = Str(n["category"], "category").value_or("");
              category_refs_.push_back({f.category, n["category"].Mark()});
            }
            if (n["label"]) f.label = Label(n["label"], "label of data field " + id);
            if (n["values"]) ReadValueLabels(n["values"], f);
            if (n["derived"]) {
              f.derived = Str(n["derived"], "derived").value_or("");
              if (f.derived != "age") {
                Error(n["derived"].Mark(),
                      "data field " + id + ": `derived` is `age` (from the date of birth)");
              } else if (f.type != DataField::Type::kInteger) {
                Error(n["derived"].Mark(), "data field " + id + ": an age is an `integer`");
              }
            }
          }
          def_.data.push_back(std::move(f));
        });
    ForEachEntry(root["milestones"], "milestones", milestone_ids_,
                 [&](const std::string& id, const YAML::Mark&, const YAML::Node& n) {
                   // A label, or {label, category} for a milestone that says more than where
                   // the pathway is (an SPS grant reveals a disability).
                   definition::Milestone m{id, {}, ""};
                   if (n.IsMap() && n["label"]) {
                     if (CheckMap(n, "milestone " + id, {"label", "category"})) {
                       m.label = Label(n["label"], "label of milestone " + id);
                       if (n["category"]) {
                         m.category = Str(n["category"], "category").value_or("");
                         category_refs_.push_back({m.category, n["category"].Mark()});
                       }
                     }
                   } else {
                     m.label = Label(n, "label of milestone " + id);
                   }
                   def_.milestones.push_back(std::move(m));
                 });
    ForEachEntry(root["risks"], "risks", risk_ids_,
                 [&](const std::string& id, const YAML::Mark&, const YAML::Node& n) {
                   definition::RiskType r{id, {}, "medium", {}};
                   if (CheckMap(n, "risk " + id, {"label", "severity", "notify"})) {
                     if (n["label"]) r.label = Label(n["label"], "label of risk " + id);
                     if (n["severity"]) r.severity = Severity(n["severity"]);
                     if (n["notify"])
                       risk_notify_nodes_.emplace_back(def_.risks.size(), n["notify"]);
                   }
                   def_.risks.push_back(std::move(r));
                 });
    ForEachEntry(root["parties"], "parties", party_ids_,
                 [&](const std::string& id, const YAML::Mark&, const YAML::Node& n) {
                   definition::Party p{id, {}, true, {}};
                   if (CheckMap(n, "party " + id, {"label", "external", "categories"})) {
                     if (n["label"]) p.label = Label(n["label"], "label of party " + id);
                     if (n["external"]) p.external = Bool(n["external"], "external").value_or(true);
                     if (n["categories"]) {
                       for (auto& [c, m] : List(n["categories"], "categories")) {
                         p.categories.push_back(c);
                         category_refs_.push_back({c, m});
                         party_category_marks_[id + "/" + c] = m;
                       }
                     }
                   }
                   def_.parties.push_back(std::move(p));
                 });
    ForEachEntry(root["guards"], "guards", guard_ids_,
                 [&](const std::string& id, const YAML::Mark& mark, const YAML::Node& n) {
                   definition::Guard g{id, "", ""};
                   if (CheckMap(n, "guard " + id, {"description", "expr"})) {
                     if (n["description"])
                       g.description = Str(n["description"], "description").value_or("");
                     if (!n["expr"])
                       Error(mark, "guard " + id + " needs an `expr` (a jq expression)");
                     else {
                       g.expression = Str(n["expr"], "expr").value_or("");
                       guard_expr_marks_[id] = n["expr"].Mark();
                     }
                   }
                   def_.guards.push_back(std::move(g));
                 });
    // Risks' notifications name parties, categories and guards: read now that those exist.
    for (auto& [index, node] : risk_notify_nodes_) {
      definition::RiskType& risk = def_.risks[index];
      ReadEffects(node, risk.on_raise, "risk " + risk.id);
      for (const Effect& e : risk.on_raise) {
        if (e.kind != Effect::Kind::kNotify) {
          Error(node.Mark(), "risk " + risk.id + ": `notify` lists only `notify:` effects");
          break;
        }
      }
    }
    ReadBarriers(root["barriers"]);
    ReadStates(root["states"], root.Mark());
    if (root["initial"]) {
      if (auto s = Id(root["initial"], "initial")) {
        if (Known(*s, root["initial"].Mark(), state_ids_, "state")) def_.initial = *s;
      }
    } else if (!def_.states.empty()) {
      def_.initial = def_.states.front().id;
    }
    ReadTransitions(root["transitions"], root.Mark());
    ReadTimers(root["timers"]);
    if (root["target"] && CheckMap(root["target"], "target", {"milestone", "count"})) {
      const YAML::Node& t = root["target"];
      definition::Target target;
      if (t["milestone"]) {
        target.milestone = Str(t["milestone"], "target milestone").value_or("");
        Known(target.milestone, t["milestone"].Mark(), milestone_ids_, "milestone");
      }
      if (t["count"]) target.count = Int(t["count"], "target count").value_or(0);
      def_.target = target;
    }

    // ---- pass 2: references that needed every section ----
    for (auto& [c, mark] : category_refs_) Known(c, mark, category_ids_, "data category");
    CheckPartyCategories();
    CompileGuards();
    // ---- pass 3: the graph ----
    CheckGraph();
  }

  std::string Severity(const YAML::Node& n) {
    auto s = Str(n, "severity").value_or("medium");
    if (std::find(kSeverities.begin(), kSeverities.end(), s) == kSeverities.end()) {
      Error(n.Mark(),
            "severity `" + s + "` must be low, medium or high" + DidYouMean(s, kSeverities));
    }
    return s;
  }

  void ReadStates(const YAML::Node& node, const YAML::Mark& top) {
    if (!node || !node.IsSequence() || node.size() == 0) {
      Error(node ? node.Mark() : top, "`states` must be a non-empty list");
      return;
    }
    for (const auto& n : node) {
      if (!CheckMap(n, "a state", {"id", "label", "phase", "terminal"})) continue;
      definition::State s;
      if (!n["id"]) {
        Error(n.Mark(), "a state needs an `id`");
        continue;
      }
      auto id = Id(n["id"], "state id");
      if (!id) continue;
      if (std::find(state_ids_.begin(), state_ids_.end(), *id) != state_ids_.end()) {
        Error(n["id"].Mark(), "duplicate state id `" + *id + "`");
        continue;
      }
      s.id = *id;
      state_ids_.push_back(*id);
      state_marks_[*id] = n["id"].Mark();
      if (n["label"])
        s.label = Label(n["label"], "label of state " + *id);
      else
        Error(n.Mark(), "state " + *id + " needs a `label` with `da` and `en`");
      if (n["phase"]) s.phase = Str(n["phase"], "phase").value_or("");
      if (n["terminal"]) s.terminal = Bool(n["terminal"], "terminal").value_or(false);
      def_.states.push_back(std::move(s));
    }
  }

  void ReadEffects(const YAML::Node& node, std::vector<Effect>& out, const std::string& where) {
    if (!node.IsSequence()) {
      Error(node.Mark(), "effects of " + where + " must be a list");
      return;
    }
    static const Keys kKinds = {"milestone", "raise_risk", "resolve_risk", "task", "notify"};
    for (const auto& n : node) {
      if (!n.IsMap() || n.size() != 1) {
        Error(n.Mark(),
              "an effect is one of `milestone: ID`, `raise_risk: ID`, "
              "`resolve_risk: ID`, `task: {...}` or `notify: {...}`");
        continue;
      }
      const auto kv = *n.begin();
      const std::string kind = kv.first.Scalar();
      const YAML::Node& v = kv.second;
      Effect e;
      if (kind == "milestone") {
        e.kind = Effect::Kind::kMilestone;
        e.name = Str(v, "milestone").value_or("");
        Known(e.name, v.Mark(), milestone_ids_, "milestone");
      } else if (kind == "raise_risk" || kind == "resolve_risk") {
        e.kind = kind == "raise_risk" ? Effect::Kind::kRaiseRisk : Effect::Kind::kResolveRisk;
        if (v.IsMap() && kind == "raise_risk") {
          if (CheckMap(v, "raise_risk", {"risk", "severity", "if"})) {
            if (v["risk"])
              e.name = Str(v["risk"], "risk").value_or("");
            else
              Error(v.Mark(), "raise_risk needs a `risk`");
            if (v["severity"]) e.severity = Severity(v["severity"]);
            e.condition = Condition(v);
          }
        } else {
          e.name = Str(v, kind).value_or("");
        }
        if (!e.name.empty()) Known(e.name, v.Mark(), risk_ids_, "risk");
      } else if (kind == "task") {
        e.kind = Effect::Kind::kTask;
        if (CheckMap(v, "task", {"id", "title", "due", "if"})) {
          e.condition = Condition(v);
          if (v["id"])
            e.name = Id(v["id"], "task id").value_or("");
          else
            Error(v.Mark(), "a task needs an `id`");
          if (v["title"])
            e.title = Label(v["title"], "task title");
          else
            Error(v.Mark(), "a task needs a `title` with `da` and `en`");
          if (v["due"]) e.due = ReadDuration(v["due"], "due");
        }
      } else if (kind == "notify") {
        e.kind = Effect::Kind::kNotify;
        if (CheckMap(v, "notify", {"party", "categories", "if", "ask", "by"})) {
          e.condition = Condition(v);
          if (!v["party"]) {
            Error(v.Mark(), "notify needs a `party`");
          } else {
            e.name = Str(v["party"], "party").value_or("");
            Known(e.name, v["party"].Mark(), party_ids_, "party");
          }
          if (v["categories"]) {
            for (auto& [c, m] : List(v["categories"], "categories")) {
              e.categories.push_back(c);
              if (Known(c, m, category_ids_, "data category")) CheckRoute(e.name, c, m);
            }
          }
          if (v["ask"]) e.ask = Label(v["ask"], "ask");
          if (v["by"]) ReadBy(v["by"], e);
        }
      } else {
        Error(kv.first.Mark(), "unknown effect `" + kind + "`" + DidYouMean(kind, kKinds));
        continue;
      }
      out.push_back(std::move(e));
    }
  }

  // Barriers: a label and the support each leads to (tasks, risks), which stays in the
  // school — no notify. Recorded as the risk `barrier_reported`, which must exist.
  void ReadBarriers(const YAML::Node& node) {
    if (!node) return;
    YamlReader::Keys ids;
    ForEachEntry(node, "barriers", ids,
                 [&](const std::string& id, const YAML::Mark& mark, const YAML::Node& n) {
                   definition::Barrier b{id, {}, {}};
                   if (CheckMap(n, "barrier " + id, {"label", "support"})) {
                     if (n["label"])
                       b.label = Label(n["label"], "label of barrier " + id);
                     else
                       Error(mark, "barrier " + id + " needs a `label` with `da` and `en`");
                     if (n["support"]) ReadEffects(n["support"], b.support, "barrier " + id);
                     for (const Effect& e : b.support) {
                       if (e.kind == Effect::Kind::kNotify) {
                         Error(n["support"].Mark(), "barrier " + id +
                                                        ": support stays in the school, so no "
                                                        "`notify` (a barrier never leaves it)");
                         break;
                       }
                     }
                   }
                   def_.barriers.push_back(std::move(b));
                 });
    if (!def_.barriers.empty() &&
        std::find(risk_ids_.begin(), risk_ids_.end(), "barrier_reported") == risk_ids_.end()) {
      Error(node.Mark(),
            "barriers are recorded as the risk `barrier_reported`: define it under "
            "`risks`");
    }
  }

  // Words for a text field's values: `{value: {da, en}}`, each value one it allows.
  void ReadValueLabels(const YAML::Node& node, DataField& f) {
    if (!CheckMap(node, "values of " + f.id, {})) return;
    if (f.type != DataField::Type::kString) {
      Error(node.Mark(), "data field " + f.id + ": only a text has `values` in words");
      return;
    }
    for (const auto& kv : node) {
      const std::string value = kv.first.Scalar();
      if (!f.allowed.empty() &&
          std::find(f.allowed.begin(), f.allowed.end(), value) == f.allowed.end()) {
        Error(kv.first.Mark(), "data field " + f.id + ": `" + value +
                                   "` is not one of its allowed values" +
                                   DidYouMean(value, f.allowed));
        continue;
      }
      f.values[value] = Label(kv.second, "label of " + f.id + " " + value);
    }
  }

  // A notice's `by`: `{at: DATE_FIELD, offset: DURATION}`, when the receiver must act.
  void ReadBy(const YAML::Node& node, Effect& e) {
    if (!CheckMap(node, "by", {"at", "offset"})) return;
    if (!node["at"]) {
      Error(node.Mark(), "`by` needs `at` (a date field)");
      return;
    }
    e.by_field = Str(node["at"], "at").value_or("");
    if (Known(e.by_field, node["at"].Mark(), field_ids_, "data field")) {
      const DataField* f = FindField(e.by_field);
      if (f != nullptr && f->type != DataField::Type::kDate) {
        Error(node["at"].Mark(), "`by` names " + e.by_field + ", which is not a date");
      }
    }
    if (node["offset"]) e.by_offset = ReadDuration(node["offset"], "offset");
  }

  // The guard named by `if:` in a mapping, or "".
  std::string Condition(const YAML::Node& map) {
    if (!map["if"]) return "";
    auto g = Str(map["if"], "if").value_or("");
    if (!g.empty() && !Known(g, map["if"].Mark(), guard_ids_, "guard")) return "";
    return g;
  }

  // A route may send a category only when the party may receive it, and never a sensitive
  // category to an external party.
  void CheckRoute(const std::string& party_id, const std::string& category,
                  const YAML::Mark& mark) {
    const definition::Party* party = nullptr;
    for (const auto& p : def_.parties) {
      if (p.id == party_id) party = &p;
    }
    if (party == nullptr) return;
    const definition::DataCategory* cat = nullptr;
    for (const auto& c : def_.categories) {
      if (c.id == category) cat = &c;
    }
    if (cat != nullptr && cat->sensitive && party->external) {
      Error(mark, "category `" + category +
                      "` is sensitive and never goes to the external party `" + party_id + "`");
    } else if (std::find(party->categories.begin(), party->categories.end(), category) ==
               party->categories.end()) {
      Error(mark, "party `" + party_id + "` may not receive category `" + category +
                      "` (its categories: " + Join(party->categories) + ")");
    }
  }

  void CheckPartyCategories() {
    for (const auto& p : def_.parties) {
      if (!p.external) continue;
      for (const auto& c : p.categories) {
        for (const auto& cat : def_.categories) {
          if (cat.id == c && cat.sensitive) {
            Error(party_category_marks_[p.id + "/" + c],
                  "category `" + c + "` is sensitive and never goes to the external party `" +
                      p.id + "`");
          }
        }
      }
    }
  }

  static std::string Join(const std::vector<std::string>& items) {
    std::string out;
    for (const auto& i : items) out += (out.empty() ? "" : ", ") + i;
    return out.empty() ? "none" : out;
  }

  void ReadTransitions(const YAML::Node& node, const YAML::Mark& top) {
    if (!node || !node.IsSequence() || node.size() == 0) {
      Error(node ? node.Mark() : top, "`transitions` must be a non-empty list");
      return;
    }
    for (const auto& n : node) {
      if (!CheckMap(n, "a transition",
                    {"trigger", "from", "to", "guard", "payload", "set", "effects", "label"})) {
        continue;
      }
      definition::Transition t;
      if (n["trigger"])
        t.trigger = Id(n["trigger"], "trigger").value_or("");
      else
        Error(n.Mark(), "a transition needs a `trigger`");
      const std::string where = "transition `" + t.trigger + "`";
      if (!n["from"])
        Error(n.Mark(), where + " needs `from` (a state or a list of states)");
      else {
        for (auto& [s, m] : List(n["from"], "from")) {
          if (Known(s, m, state_ids_, "state"))
            t.from.push_back(s);
          else
            graph_incomplete_ = true;
        }
      }
      if (!n["to"]) {
        // No `to`: the pathway stays where it is (an activity such as recording RKV).
      } else if (auto to = Str(n["to"], "to")) {
        if (Known(*to, n["to"].Mark(), state_ids_, "state"))
          t.to = *to;
        else
          graph_incomplete_ = true;
      }
      if (n["guard"]) {
        for (auto& [g, m] : List(n["guard"], "guard")) {
          if (Known(g, m, guard_ids_, "guard")) t.guards.push_back(g);
        }
      }
      if (n["payload"] && CheckMap(n["payload"], where + " payload", {})) {
        for (const auto& kv : n["payload"]) {
          definition::PayloadField p;
          p.id = Id(kv.first, "payload field").value_or("");
          const YAML::Node& f = kv.second;
          if (!CheckMap(f, "payload field " + p.id,
                        {"type", "required", "allowed", "store_as", "personal"}))
            continue;
          if (f["type"])
            p.type = Type(f["type"], "type of " + p.id).value_or(DataField::Type::kString);
          else
            Error(f.Mark(), "payload field " + p.id + " needs a `type`");
          if (f["required"]) p.required = Bool(f["required"], "required").value_or(false);
          if (f["allowed"])
            for (auto& [v, m] : List(f["allowed"], "allowed")) p.allowed.push_back(v);
          if (f["store_as"]) {
            p.store_as = Str(f["store_as"], "store_as").value_or("");
            if (Known(p.store_as, f["store_as"].Mark(), field_ids_, "data field")) {
              const DataField* field = FindField(p.store_as);
              if (field != nullptr && field->type != p.type) {
                Error(f["store_as"].Mark(), "payload field " + p.id + " is a " +
                                                std::string(definition::TypeName(p.type)) +
                                                " but data field " + p.store_as + " is a " +
                                                std::string(definition::TypeName(field->type)));
              }
            }
          }
          if (f["personal"]) {
            p.personal = Str(f["personal"], "personal").value_or("");
            if (p.personal != "identity" && p.personal != "guidance") {
              Error(f["personal"].Mark(), "payload field " + p.id +
                                              ": `personal` is `identity` or `guidance` (the "
                                              "vault's scope it is sealed in)");
            } else if (!p.store_as.empty()) {
              Error(f["personal"].Mark(), "payload field " + p.id +
                                              " is personal: it is sealed in the vault, never "
                                              "stored as the plain data field " +
                                              p.store_as);
            }
          }
          payload_ids_.push_back(p.id);
          t.payload.push_back(std::move(p));
        }
      }
      if (n["set"] && CheckMap(n["set"], where + " set", {})) {
        for (const auto& kv : n["set"]) {
          const std::string field = kv.first.Scalar();
          if (!Known(field, kv.first.Mark(), field_ids_, "data field")) continue;
          if (std::optional<nlohmann::json> v = Constant(kv.second, *FindField(field))) {
            t.set[field] = std::move(*v);
          }
        }
      }
      if (n["effects"]) ReadEffects(n["effects"], t.effects, where);
      if (n["label"]) t.label = Label(n["label"], "label of " + where);
      def_.transitions.push_back(std::move(t));
    }
  }

  // A constant for data field `f`, of its type (and among its allowed values).
  std::optional<nlohmann::json> Constant(const YAML::Node& n, const DataField& f) {
    const std::string what = "the value set for " + f.id;
    if (!n.IsScalar()) {
      Error(n.Mark(), what + " must be a single value");
      return std::nullopt;
    }
    const std::string text = n.Scalar();
    switch (f.type) {
      case DataField::Type::kBoolean: {
        std::optional<bool> b = Bool(n, what);
        if (!b) return std::nullopt;
        return nlohmann::json(*b);
      }
      case DataField::Type::kInteger:
      case DataField::Type::kNumber: {
        nlohmann::json v = nlohmann::json::parse(text, nullptr, false);
        const bool fits =
            f.type == DataField::Type::kInteger ? v.is_number_integer() : v.is_number();
        if (!fits) {
          Error(n.Mark(),
                what + " must be " +
                    (f.type == DataField::Type::kInteger ? "a whole number" : "a number"));
          return std::nullopt;
        }
        return v;
      }
      case DataField::Type::kDate:
        if (text.size() != 10 || text[4] != '-' || text[7] != '-') {
          Error(n.Mark(), what + " must be a date (YYYY-MM-DD)");
          return std::nullopt;
        }
        return nlohmann::json(text);
      case DataField::Type::kString:
        if (!f.allowed.empty() &&
            std::find(f.allowed.begin(), f.allowed.end(), text) == f.allowed.end()) {
          Error(n.Mark(),
                what + " must be one of its allowed values" + DidYouMean(text, f.allowed));
          return std::nullopt;
        }
        return nlohmann::json(text);
    }
    return std::nullopt;
  }

  const DataField* FindField(const std::string& id) const {
    for (const auto& f : def_.data) {
      if (f.id == id) return &f;
    }
    return nullptr;
  }

  void ReadTimers(const YAML::Node& node) {
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
      if (n["while_paused"])
        t.while_paused = Bool(n["while_paused"], "while_paused").value_or(false);
      if (!n["active_in"] && !t.while_paused) {
        Error(n.Mark(),
              where + " needs `active_in` (the states it runs in) or `while_paused: true`");
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

  void CompileGuards() {
    auto guards = std::make_shared<JqGuards>();
    for (const auto& g : def_.guards) {
      if (g.expression.empty()) continue;
      const YAML::Mark mark = guard_expr_marks_[g.id];
      if (Status s = guards->Add(g.id, g.expression); !s.ok()) {
        Error(mark, "guard " + g.id + " does not compile: " + s.message());
        continue;
      }
      for (const std::string& ref : GuardFieldReferences(g.expression)) {
        const std::size_t dot = ref.find('.');
        const std::string root = ref.substr(0, dot);
        if (!Known(root, mark, kGuardRoots, "guard input `." + root + "` in guard " + g.id + ":")) {
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
          Error(mark, "guard " + g.id + " reads ." + ref + ", but there is no such " +
                          (root == "data"      ? "data field"
                           : root == "payload" ? "payload field"
                                               : root.substr(0, root.size() - 1)) +
                          DidYouMean(name, *names));
        }
      }
    }
    guards_ = guards;
  }

  void CheckGraph() {
    if (def_.initial.empty()) return;
    std::set<std::string> reached = {def_.initial};
    std::vector<std::string> frontier = {def_.initial};
    while (!frontier.empty()) {
      const std::string s = frontier.back();
      frontier.pop_back();
      for (const auto& t : def_.transitions) {
        if (std::find(t.from.begin(), t.from.end(), s) != t.from.end() && !t.to.empty() &&
            reached.insert(t.to).second) {
          frontier.push_back(t.to);
        }
      }
    }
    for (const auto& s : def_.states) {
      // With a transition's states misnamed, "cannot be reached" would only echo that error.
      if (!reached.count(s.id) && !graph_incomplete_) {
        Error(state_marks_[s.id], "state " + s.id + " cannot be reached from " + def_.initial);
      }
      bool has_exit = false;  // a transition that leaves the state
      bool has_any = false;   // any transition from it, staying or leaving
      for (const auto& t : def_.transitions) {
        if (std::find(t.from.begin(), t.from.end(), s.id) == t.from.end()) continue;
        has_any = true;
        has_exit = has_exit || (!t.to.empty() && t.to != s.id);
      }
      if (!s.terminal && !has_exit) {
        Error(state_marks_[s.id], "state " + s.id +
                                      " has no way out; add a transition from it or mark it "
                                      "`terminal: true`");
      }
      if (s.terminal && has_any) {
        Error(state_marks_[s.id], "state " + s.id + " is terminal but has transitions out of it");
      }
    }
  }

  definition::Definition def_;
  std::shared_ptr<const definition::GuardEvaluator> guards_;
  Keys state_ids_, category_ids_, field_ids_, milestone_ids_, risk_ids_, party_ids_, guard_ids_,
      payload_ids_;
  std::map<std::string, YAML::Mark> state_marks_;
  std::map<std::string, YAML::Mark> guard_expr_marks_;
  std::map<std::string, YAML::Mark> party_category_marks_;
  std::vector<std::pair<std::string, YAML::Mark>> category_refs_;
  std::vector<std::pair<std::size_t, YAML::Node>> risk_notify_nodes_;
  bool graph_incomplete_ = false;
};

}  // namespace

LoadResult LoadDefinition(const std::string& text, const std::string& file_name) {
  return Loader(file_name).Run(text);
}

LoadResult LoadDefinitionFile(const std::string& path) {
  std::string text;
  if (!ReadWholeFile(path, text)) {
    LoadResult r;
    r.diagnostics.push_back({path, 1, 1, "cannot read the file"});
    return r;
  }
  return LoadDefinition(text, path);
}

}  // namespace pathways::workflows

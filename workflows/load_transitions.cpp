// The loader's transitions: their states, guards, payload fields, constants and effects.

#include <algorithm>
#include <set>

#include "workflows/loader_impl.hpp"

namespace pathways::workflows::internal {

void Loader::ReadTransitions(const YAML::Node& node, const YAML::Mark& top) {
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
                      {"type", "required", "allowed", "store_as", "personal", "label", "values"}))
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
            if (field != nullptr && !field->special_values.empty()) {
              Error(f["store_as"].Mark(),
                    "payload field " + p.id + " cannot be stored as " + p.store_as +
                        ", whose special values are sealed: record it at registration or "
                        "with the data");
            } else if (field != nullptr && field->type != p.type) {
              Error(f["store_as"].Mark(), "payload field " + p.id + " is a " +
                                              std::string(definition::TypeName(p.type)) +
                                              " but data field " + p.store_as + " is a " +
                                              std::string(definition::TypeName(field->type)));
            }
          }
        }
        if (f["personal"]) {
          p.personal = Str(f["personal"], "personal").value_or("");
          if (p.personal != "identity" && p.personal != "guidance" && p.personal != "special") {
            Error(f["personal"].Mark(), "payload field " + p.id +
                                            ": `personal` is `identity`, `guidance` or "
                                            "`special` (the vault's scope it is sealed in)");
          } else if (!p.store_as.empty()) {
            Error(f["personal"].Mark(), "payload field " + p.id +
                                            " is personal: it is sealed in the vault, never "
                                            "stored as the plain data field " +
                                            p.store_as);
          }
        }
        if (f["label"]) p.label = Label(f["label"], "label of payload field " + p.id);
        if (f["values"]) ReadValueLabels(f["values"], p);
        // A form asks for it in the words of the data field it is stored as, or its own.
        const DataField* stored = p.store_as.empty() ? nullptr : FindField(p.store_as);
        RequireLabel(p.label.empty() && stored != nullptr ? stored->label : p.label, f.Mark(),
                     where + " payload field " + p.id);
        std::map<std::string, definition::Label> words = p.values;
        if (stored != nullptr) words.insert(stored->values.begin(), stored->values.end());
        RequireValueLabels(p.allowed, words, f.Mark(), where + " payload field " + p.id);
        payload_ids_.push_back(p.id);
        t.payload.push_back(std::move(p));
      }
    }
    if (n["set"] && CheckMap(n["set"], where + " set", {})) {
      for (const auto& kv : n["set"]) {
        const std::string field = kv.first.Scalar();
        if (!Known(field, kv.first.Mark(), field_ids_, "data field")) continue;
        const DataField& f = *FindField(field);
        if (std::optional<nlohmann::json> v = Constant(kv.second, f)) {
          if (definition::IsSpecialValue(f, *v)) {
            Error(kv.second.Mark(), "`" + v->get<std::string>() + "` of " + field +
                                        " is special-category data, never set plain");
          } else {
            t.set[field] = std::move(*v);
          }
        }
      }
    }
    if (n["effects"]) ReadEffects(n["effects"], t.effects, where);
    if (n["label"]) t.label = Label(n["label"], "label of " + where);
    RequireLabel(t.label, n.Mark(), where);
    def_.transitions.push_back(std::move(t));
  }
}

void Loader::ReadEffects(const YAML::Node& node, std::vector<Effect>& out,
                         const std::string& where) {
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

// A notice's `by`: `{at: DATE_FIELD, offset: DURATION}`, when the receiver must act.
void Loader::ReadBy(const YAML::Node& node, Effect& e) {
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
std::string Loader::Condition(const YAML::Node& map) {
  if (!map["if"]) return "";
  auto g = Str(map["if"], "if").value_or("");
  if (!g.empty() && !Known(g, map["if"].Mark(), guard_ids_, "guard")) return "";
  return g;
}

// A constant for data field `f`, of its type (and among its allowed values).
std::optional<nlohmann::json> Loader::Constant(const YAML::Node& n, const DataField& f) {
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
      const bool fits = f.type == DataField::Type::kInteger ? v.is_number_integer() : v.is_number();
      if (!fits) {
        Error(n.Mark(), what + " must be " +
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
        Error(n.Mark(), what + " must be one of its allowed values" + DidYouMean(text, f.allowed));
        return std::nullopt;
      }
      return nlohmann::json(text);
  }
  return std::nullopt;
}

}  // namespace pathways::workflows::internal

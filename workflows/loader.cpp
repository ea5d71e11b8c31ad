// The YAML definition loader: the sections and their entries (loader_impl.hpp has the parts).

#include "workflows/loader.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>

#include "engine/audit/sha256.hpp"
#include "engine/codec/event_record.hpp"
#include "workflows/loader_impl.hpp"

namespace pathways::workflows {
namespace internal {
namespace {

const Keys kSeverities = {"low", "medium", "high"};

}  // namespace

LoadResult Loader::Finish() {
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
void Loader::ReadTop(const YAML::Node& root) {
  CheckMap(root, "the definition",
           {"id", "version", "title", "languages", "initial", "target", "categories", "data",
            "states", "milestones", "risks", "barriers", "parties", "guards", "transitions",
            "timers", "kind", "industries", "green"});
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
  ReadKind(root);
  if (root["title"]) def_.title = Label(root["title"], "title");
  if (root["languages"]) {
    for (auto& [language, mark] : List(root["languages"], "languages")) {
      if (language != "da" && language != "en") {
        Error(mark, "a language of the pages is `da` or `en`, not `" + language + "`");
      } else if (std::find(def_.languages.begin(), def_.languages.end(), language) ==
                 def_.languages.end()) {
        def_.languages.push_back(language);
      }
    }
  }

  ForEachEntry(root["categories"], "categories", category_ids_,
               [&](const std::string& id, const YAML::Mark&, const YAML::Node& n) {
                 definition::DataCategory c{id, {}, false};
                 if (CheckMap(n, "category " + id, {"label", "sensitive", "special", "personal"})) {
                   if (n["label"]) c.label = Label(n["label"], "label of category " + id);
                   RequireLabel(c.label, n.Mark(), "category " + id);
                   if (n["sensitive"])
                     c.sensitive = Bool(n["sensitive"], "sensitive").value_or(false);
                   if (n["special"]) {
                     c.special = Bool(n["special"], "special").value_or(false);
                     if (c.special && n["sensitive"] && !c.sensitive) {
                       Error(n["sensitive"].Mark(), "category " + id +
                                                        " is special-category data, which is "
                                                        "always sensitive");
                     }
                     c.sensitive = c.sensitive || c.special;
                   }
                   if (n["personal"]) ReadCategoryPersonal(n["personal"], c);
                 }
                 def_.categories.push_back(std::move(c));
               });
  ForEachEntry(
      root["data"], "data", field_ids_,
      [&](const std::string& id, const YAML::Mark&, const YAML::Node& n) {
        DataField f;
        f.id = id;
        if (CheckMap(n, "data field " + id,
                     {"type", "allowed", "category", "sensitive_values", "special_values", "label",
                      "values", "derived"})) {
          if (!n["type"])
            Error(n.Mark(), "data field " + id + " needs a `type`");
          else
            f.type = Type(n["type"], "type of " + id).value_or(DataField::Type::kString);
          if (n["allowed"]) {
            for (auto& [v, m] : List(n["allowed"], "allowed")) f.allowed.push_back(v);
          }
          if (n["special_values"]) ReadSpecialValues(n["special_values"], f);
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
            const definition::DataCategory* c = def_.FindCategory(f.category);
            if (c != nullptr && c->special) {
              Error(n["category"].Mark(),
                    "data field " + id + " would hold special-category data (" + f.category +
                        ") in the plain log: ask for it with a payload field sealed "
                        "`personal: special` instead");
            }
          }
          if (n["label"]) f.label = Label(n["label"], "label of data field " + id);
          if (n["values"]) ReadValueLabels(n["values"], f);
          RequireLabel(f.label, n.Mark(), "data field " + id);
          RequireValueLabels(f.allowed, f.values, n.Mark(), "data field " + id);
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
                 RequireLabel(m.label, n.Mark(), "milestone " + id);
                 def_.milestones.push_back(std::move(m));
               });
  ForEachEntry(root["risks"], "risks", risk_ids_,
               [&](const std::string& id, const YAML::Mark&, const YAML::Node& n) {
                 definition::RiskType r{id, {}, "medium", {}};
                 if (CheckMap(n, "risk " + id, {"label", "severity", "notify"})) {
                   if (n["label"]) r.label = Label(n["label"], "label of risk " + id);
                   RequireLabel(r.label, n.Mark(), "risk " + id);
                   if (n["severity"]) r.severity = Severity(n["severity"]);
                   if (n["notify"]) risk_notify_nodes_.emplace_back(def_.risks.size(), n["notify"]);
                 }
                 def_.risks.push_back(std::move(r));
               });
  ForEachEntry(root["parties"], "parties", party_ids_,
               [&](const std::string& id, const YAML::Mark&, const YAML::Node& n) {
                 definition::Party p{id, {}, true, {}, {}};
                 if (CheckMap(n, "party " + id, {"label", "external", "categories", "consent"})) {
                   if (n["consent"]) {
                     p.consent = Id(n["consent"], "consent").value_or("");
                     party_consent_marks_[id] = n["consent"].Mark();
                   }
                   if (n["label"]) p.label = Label(n["label"], "label of party " + id);
                   RequireLabel(p.label, n.Mark(), "party " + id);
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
                 definition::Guard g{id, "", "", {}};
                 if (CheckMap(n, "guard " + id, {"description", "expr", "label"})) {
                   if (n["description"])
                     g.description = Str(n["description"], "description").value_or("");
                   if (n["label"]) g.label = Label(n["label"], "label of guard " + id);
                   RequireLabel(g.label, mark, "guard " + id);
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
  CheckConsents();
  CheckCompanyParties(root["parties"]);
  CompileGuards();
  // ---- pass 3: the graph ----
  CheckGraph();
}

std::string Loader::Severity(const YAML::Node& n) {
  auto s = Str(n, "severity").value_or("medium");
  if (std::find(kSeverities.begin(), kSeverities.end(), s) == kSeverities.end()) {
    Error(n.Mark(),
          "severity `" + s + "` must be low, medium or high" + DidYouMean(s, kSeverities));
  }
  return s;
}

void Loader::ReadStates(const YAML::Node& node, const YAML::Mark& top) {
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

// Barriers: a label and the support each leads to (tasks, risks), which stays in the
// school — no notify. Recorded as the risk `barrier_reported`, which must exist.
void Loader::ReadBarriers(const YAML::Node& node) {
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
void Loader::ReadValueLabels(const YAML::Node& node, DataField& f) {
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

void Loader::ReadValueLabels(const YAML::Node& node, definition::PayloadField& p) {
  if (!CheckMap(node, "values of " + p.id, {})) return;
  for (const auto& kv : node) {
    const std::string value = kv.first.Scalar();
    if (std::find(p.allowed.begin(), p.allowed.end(), value) == p.allowed.end()) {
      Error(kv.first.Mark(), "payload field " + p.id + ": `" + value +
                                 "` is not one of its allowed values" +
                                 DidYouMean(value, p.allowed));
      continue;
    }
    p.values[value] = Label(kv.second, "label of " + p.id + " " + value);
  }
}

void Loader::RequireLabel(const definition::Label& label, const YAML::Mark& mark,
                          const std::string& what) {
  std::string missing;
  for (const std::string& language : def_.languages) {
    if (!(language == "da" ? label.da : label.en).empty()) continue;
    missing += (missing.empty() ? "" : " and ") + language;
  }
  if (!missing.empty()) {
    Error(mark, what + " needs a label in " + missing +
                    " (the definition's `languages`: a page shows it)");
  }
}

void Loader::RequireValueLabels(const std::vector<std::string>& allowed,
                                const std::map<std::string, definition::Label>& values,
                                const YAML::Mark& mark, const std::string& what) {
  if (def_.languages.empty()) return;
  for (const std::string& v : allowed) {
    const auto words = values.find(v);
    RequireLabel(words == values.end() ? definition::Label{} : words->second, mark,
                 what + " value `" + v + "`");
  }
}

// A category's identity fields, by name: only those a notice may ever carry.
void Loader::ReadCategoryPersonal(const YAML::Node& node, definition::DataCategory& c) {
  const Keys shareable(std::begin(definition::kShareableIdentityFields),
                       std::end(definition::kShareableIdentityFields));
  for (auto& [field, mark] : List(node, "personal")) {
    if (field == "cpr") {
      Error(mark, "category " + c.id + ": the CPR number never goes in a notice");
    } else if (Known(field, mark, shareable, "identity field a notice may carry")) {
      c.personal.push_back(field);
    }
  }
}

// Values of a text that are special-category data: sealed, never plain.
void Loader::ReadSpecialValues(const YAML::Node& node, DataField& f) {
  for (auto& [v, m] : List(node, "special_values")) {
    if (f.type != DataField::Type::kString) {
      Error(m, "data field " + f.id + ": only a text has special values");
    } else if (!f.allowed.empty() &&
               std::find(f.allowed.begin(), f.allowed.end(), v) == f.allowed.end()) {
      Error(m, "data field " + f.id + ": special value `" + v +
                   "` is not one of its allowed values" + DidYouMean(v, f.allowed));
    } else {
      f.special_values.push_back(v);
    }
  }
}

const DataField* Loader::FindField(const std::string& id) const {
  for (const auto& f : def_.data) {
    if (f.id == id) return &f;
  }
  return nullptr;
}

}  // namespace internal

LoadResult LoadDefinition(const std::string& text, const std::string& file_name) {
  return internal::Loader(file_name).Run(text);
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

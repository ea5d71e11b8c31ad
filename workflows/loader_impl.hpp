#pragma once
// The definition loader's one class, its parts in files by concept (DuckDB's layout):
// loader.cpp reads the sections and their entries; load_transitions.cpp the transitions,
// their payloads and effects; load_timers.cpp the timers and the guards' compilation;
// loader_checks.cpp the checks that need the whole definition (routes, privacy, the graph).
// Pass 1 reads every section and collects the ids it declares; pass 2 resolves references
// between them (with "did you mean"); pass 3 checks the graph.
//
// Internal to workflows/: include loader.hpp instead.

#include <yaml-cpp/yaml.h>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "engine/definition/definition.hpp"
#include "workflows/loader.hpp"
#include "workflows/yaml_reader.hpp"

namespace pathways::workflows::internal {

using definition::DataField;
using definition::Duration;
using definition::Effect;
using Keys = YamlReader::Keys;

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
  // loader.cpp: the sections and their entries.
  LoadResult Finish();
  void ReadTop(const YAML::Node& root);
  std::string Severity(const YAML::Node& n);
  void ReadStates(const YAML::Node& node, const YAML::Mark& top);
  // Barriers: a label and the support each leads to (tasks, risks), which stays in the
  // school — no notify. Recorded as the risk `barrier_reported`, which must exist.
  void ReadBarriers(const YAML::Node& node);
  // Words for a text field's values: `{value: {da, en}}`, each value one it allows.
  void ReadValueLabels(const YAML::Node& node, DataField& f);
  // The same for a payload field that is stored as no data field.
  void ReadValueLabels(const YAML::Node& node, definition::PayloadField& p);
  // With `languages`, `what` needs a label in each: one error at `mark` for each missing.
  void RequireLabel(const definition::Label& label, const YAML::Mark& mark,
                    const std::string& what);
  // … and each of `allowed` its words, from `values`.
  void RequireValueLabels(const std::vector<std::string>& allowed,
                          const std::map<std::string, definition::Label>& values,
                          const YAML::Mark& mark, const std::string& what);
  void ReadCategoryPersonal(const YAML::Node& node, definition::DataCategory& c);
  void ReadSpecialValues(const YAML::Node& node, DataField& f);
  const DataField* FindField(const std::string& id) const;

  // load_company.cpp: `kind` and, for a company's definition, its code lists.
  void ReadKind(const YAML::Node& root);
  // A company's notices stay in the school: no party of its definition is external.
  void CheckCompanyParties(const YAML::Node& parties);
  // `code: {da, en}` entries into `out`, each code `what` accepts.
  void ReadCodeList(const YAML::Node& node, const std::string& what,
                    std::map<std::string, definition::Label>& out);

  // load_transitions.cpp
  void ReadTransitions(const YAML::Node& node, const YAML::Mark& top);
  void ReadEffects(const YAML::Node& node, std::vector<Effect>& out, const std::string& where);
  // A notice's `by`: `{at: DATE_FIELD, offset: DURATION}`, when the receiver must act.
  void ReadBy(const YAML::Node& node, Effect& e);
  // The guard named by `if:` in a mapping, or "".
  std::string Condition(const YAML::Node& map);
  // A constant for data field `f`, of its type (and among its allowed values).
  std::optional<nlohmann::json> Constant(const YAML::Node& n, const DataField& f);

  // load_timers.cpp
  void ReadTimers(const YAML::Node& node);
  void CompileGuards();
  // The field names guard `id` reads, checked against the definition.
  void CheckGuardReferences(const std::string& id, const std::string& expression,
                            const YAML::Mark& mark);

  // loader_checks.cpp
  // A route may send a category only when the party may receive it, and never a sensitive
  // category to an external party.
  void CheckRoute(const std::string& party_id, const std::string& category, const YAML::Mark& mark);
  void CheckPartyCategories();
  // A party's `consent` names a yes/no answer sealed in the special scope.
  void CheckConsents();
  static std::string Join(const std::vector<std::string>& items);
  void CheckGraph();

  definition::Definition def_;
  std::shared_ptr<const definition::GuardEvaluator> guards_;
  Keys state_ids_, category_ids_, field_ids_, milestone_ids_, risk_ids_, party_ids_, guard_ids_,
      payload_ids_;
  std::map<std::string, YAML::Mark> state_marks_;
  std::map<std::string, YAML::Mark> guard_expr_marks_;
  std::map<std::string, YAML::Mark> party_category_marks_;
  std::map<std::string, YAML::Mark> party_consent_marks_;
  std::vector<std::pair<std::string, YAML::Mark>> category_refs_;
  std::vector<std::pair<std::size_t, YAML::Node>> risk_notify_nodes_;
  bool graph_incomplete_ = false;
};

}  // namespace pathways::workflows::internal

#include "adapters/config/report_config.hpp"

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <map>

#include "adapters/config/degurba_table.hpp"
#include "engine/runtime/calendar.hpp"
#include "workflows/yaml_reader.hpp"

namespace pathways::config {

std::string_view MomentName(Moment m) {
  switch (m) {
    case Moment::kEntry: return "entry";
    case Moment::kLeaving: return "leaving";
    case Moment::kSixMonths: return "six_months";
  }
  return "entry";
}

namespace {

using definition::DataField;
using workflows::YamlReader;

using Source = Condition::Source;

constexpr const char* kEmployerSme = "employer.sme";
constexpr const char* kDegurba = "municipality.degurba";
constexpr const char* kReached = "reached";

// What a condition may test: where it reads, its type and allowed values.
struct Testable {
  Source source = Source::kData;
  DataField::Type type = DataField::Type::kString;
  std::vector<std::string> allowed;
};

class ReportReader : YamlReader {
 public:
  ReportReader(const std::string& file, const definition::DefinitionCatalog& definitions)
      : YamlReader(file), definitions_(definitions) {}

  ReportConfigResult Read() {
    ReportConfigResult out;
    out.config.file = file();
    std::string text;
    if (!workflows::ReadWholeFile(file(), text)) {
      out.diagnostics.push_back({file(), 1, 1, "cannot read the reports file"});
      return out;
    }
    YAML::Node root = Parse(text);
    if (!HasErrors() && !root.IsMap()) Error(root.Mark(), "the reports file is a mapping");
    if (!HasErrors()) ReadRoot(root, out.config);
    out.diagnostics = TakeDiagnostics();
    out.diagnostics.insert(out.diagnostics.end(), table_problems_.begin(), table_problems_.end());
    return out;
  }

 private:
  void ReadRoot(const YAML::Node& root, ReportConfig& c) {
    CheckMap(root, "the reports file",
             {"definition", "operation", "project", "entry", "leaving", "complete", "by",
              "suppress_below", "degurba", "indicators", "funnel", "figures"});
    for (const char* key : {"definition", "operation", "project", "entry", "leaving", "complete",
                            "by", "indicators"}) {
      if (!root[key]) Error(root.Mark(), std::string("the reports file needs `") + key + "`");
    }
    if (root["definition"]) {
      c.definition = Id(root["definition"], "definition").value_or("");
      def_ = definitions_.Newest(c.definition);
      if (!c.definition.empty() && def_ == nullptr) {
        std::vector<std::string> ids;
        for (const auto& d : definitions_.All()) ids.push_back(d->id);
        Error(root["definition"].Mark(), "definition `" + c.definition + "` is not loaded" +
                                             workflows::DidYouMean(c.definition, ids));
      }
    }
    if (def_ != nullptr) CollectFields();
    if (root["operation"]) c.operation = Str(root["operation"], "operation").value_or("");
    if (const YAML::Node p = root["project"];
        p && CheckMap(p, "project", {"start", "end", "audit_end"})) {
      c.start = Day(p, "start");
      c.end = Day(p, "end");
      c.audit_end = Day(p, "audit_end");
      if (!c.start.empty() && !c.end.empty() && c.end < c.start) {
        Error(p["end"].Mark(), "the project ends before it starts");
      }
      if (!c.end.empty() && !c.audit_end.empty() && c.audit_end < c.end) {
        Error(p["audit_end"].Mark(), "the audit end comes before the project's end");
      }
    }
    if (const YAML::Node e = root["entry"]; e && CheckMap(e, "entry", {"milestone"})) {
      if (!e["milestone"]) Error(e.Mark(), "entry needs a `milestone`");
      if (e["milestone"]) c.entry_milestone = Milestone(e["milestone"]);
    }
    if (const YAML::Node l = root["leaving"]; l && CheckMap(l, "leaving", {"phases"})) {
      if (!l["phases"]) Error(l.Mark(), "leaving needs `phases`");
      if (l["phases"]) {
        for (auto& [phase, mark] : List(l["phases"], "phases")) {
          if (def_ == nullptr || Known(phase, mark, phases_, "phase")) {
            c.leaving_phases.push_back(phase);
          }
        }
      }
    }
    if (root["complete"]) {
      for (auto& [field, mark] : List(root["complete"], "complete")) {
        if (def_ == nullptr || Known(field, mark, data_ids_, "data field")) {
          c.complete.push_back(field);
        }
      }
    }
    if (root["by"]) {
      c.by = Str(root["by"], "by").value_or("");
      if (def_ != nullptr && Known(c.by, root["by"].Mark(), data_ids_, "data field")) {
        const DataField* f = def_->FindField(c.by);
        if (f->type != DataField::Type::kString || f->allowed.empty()) {
          Error(root["by"].Mark(), "the breakdown `" + c.by + "` is a text with allowed values");
        }
      }
    }
    if (root["suppress_below"]) {
      auto n = Int(root["suppress_below"], "suppress_below");
      if (n && (*n < 1 || *n > 100)) {
        Error(root["suppress_below"].Mark(), "suppress_below is between 1 and 100");
      } else if (n) {
        c.suppress_below = static_cast<int>(*n);
      }
    }
    if (root["funnel"]) {
      for (auto& [m, mark] : List(root["funnel"], "funnel")) {
        if (def_ == nullptr || Known(m, mark, milestone_ids_, "milestone")) c.funnel.push_back(m);
      }
    }
    if (root["funnel"] && def_ != nullptr && def_->target && !c.funnel.empty() &&
        c.funnel.back() != def_->target->milestone) {
      Error(root["funnel"].Mark(),
            "the funnel ends with the target's milestone `" + def_->target->milestone + "`");
    }
    if (const YAML::Node f = root["figures"]) ReadFigures(f, c.figures);
    if (const YAML::Node d = root["degurba"]) ReadDegurba(d, c);
    if (const YAML::Node list = root["indicators"]) {
      if (!list.IsSequence()) {
        Error(list.Mark(), "indicators is a list");
        return;
      }
      for (const YAML::Node& n : list) ReadIndicator(n, c);
    }
  }

  // `companies: {reached: MILESTONE}`: SMEs' company records that reached a milestone of the
  // loaded company definitions (none loaded: none counted); nothing else is counted with it.
  void ReadCompanies(const YAML::Node& node, const YAML::Node& indicator, Indicator& ind) {
    if (!CheckMap(node, "companies of " + ind.code, {"reached"})) return;
    if (indicator["where"] || indicator["any"] || ind.everyone || ind.employers || ind.none) {
      Error(node.Mark(), "indicator " + ind.code +
                             " counts company records (`companies`): it takes no other condition");
    }
    if (!node["reached"]) {
      Error(node.Mark(), "`companies` names the milestone a record must have `reached`");
      return;
    }
    ind.company_milestone = Str(node["reached"], "reached").value_or("");
    std::vector<std::string> known;
    for (const auto& d : definitions_.All()) {
      if (d->kind != definition::Kind::kCompany) continue;
      for (const auto& m : d->milestones) known.push_back(m.id);
    }
    // Without company records (no company definition loaded) it counts none.
    if (!known.empty() &&
        std::find(known.begin(), known.end(), ind.company_milestone) == known.end()) {
      Error(node["reached"].Mark(), "`" + ind.company_milestone +
                                        "` is no milestone of a company definition" +
                                        workflows::DidYouMean(ind.company_milestone, known));
    }
  }

  void ReadIndicator(const YAML::Node& n, ReportConfig& c) {
    if (!CheckMap(n, "an indicator",
                  {"code", "label", "at", "where", "any", "everyone", "employers", "none",
                   "companies"})) {
      return;
    }
    Indicator ind;
    if (!n["code"]) Error(n.Mark(), "an indicator needs a `code`");
    if (n["code"]) {
      ind.code = Str(n["code"], "code").value_or("");
      const bool shaped = ind.code.size() >= 2 && ind.code.size() <= 16 &&
                          std::all_of(ind.code.begin(), ind.code.end(), [](char ch) {
                            return (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9');
                          });
      if (!shaped) {
        Error(n["code"].Mark(), "an indicator code is 2-16 capital letters and digits (EECO02)");
      } else if (std::any_of(c.indicators.begin(), c.indicators.end(),
                             [&](const Indicator& i) { return i.code == ind.code; })) {
        Error(n["code"].Mark(), "indicator " + ind.code + " is defined twice");
      }
    }
    if (!n["label"]) Error(n.Mark(), "indicator " + ind.code + " needs a `label`");
    if (n["label"]) ind.label = Label(n["label"], "label of " + ind.code);
    if (n["at"]) {
      const std::string at = Str(n["at"], "at").value_or("");
      if (at == "entry") {
        ind.at = Moment::kEntry;
      } else if (at == "leaving") {
        ind.at = Moment::kLeaving;
      } else if (at == "six_months") {
        ind.at = Moment::kSixMonths;
      } else {
        Error(n["at"].Mark(), "`at` is entry, leaving or six_months" +
                                  workflows::DidYouMean(at, {"entry", "leaving", "six_months"}));
      }
    }
    if (n["everyone"]) ind.everyone = Bool(n["everyone"], "everyone").value_or(false);
    if (n["employers"]) ind.employers = Bool(n["employers"], "employers").value_or(false);
    if (n["none"]) ind.none = Bool(n["none"], "none").value_or(false);
    if (ind.none && (n["where"] || n["any"] || ind.everyone || ind.employers)) {
      Error(n["none"].Mark(),
            "indicator " + ind.code + " counts nothing (`none`): it takes no other condition");
    }
    if (const YAML::Node companies = n["companies"]) ReadCompanies(companies, n, ind);
    if (const YAML::Node where = n["where"]) ind.where = ReadConditions(where, c, "where");
    if (const YAML::Node any = n["any"]) {
      if (!any.IsSequence() || any.size() < 2) {
        Error(any.Mark(), "`any` is a list of two or more alternatives, each like `where`");
      } else {
        for (const YAML::Node& alternative : any) {
          std::vector<Condition> conds = ReadConditions(alternative, c, "an alternative");
          for (const Condition& cond : conds) {
            if (cond.source == Source::kSealed) {
              Error(alternative[cond.field].Mark(),
                    "`" + cond.field + "` is sealed: it may stand in `where`, not in `any`");
            }
          }
          ind.any.push_back(std::move(conds));
        }
      }
    }
    c.indicators.push_back(std::move(ind));
  }

  std::vector<Condition> ReadConditions(const YAML::Node& n, const ReportConfig& c,
                                        const std::string& what) {
    std::vector<Condition> out;
    if (!CheckMap(n, what, {})) return out;
    for (const auto& kv : n) {
      if (std::optional<Condition> cond = ReadCondition(kv.first, kv.second)) {
        if (cond->source == Source::kDegurba && c.degurba.file.empty()) {
          Error(kv.first.Mark(),
                "`" + cond->field + "` needs the DEGURBA table: name it with `degurba:`");
        }
        out.push_back(std::move(*cond));
      }
    }
    return out;
  }

  // The DEGURBA table, a file named relative to the reports file.
  void ReadDegurba(const YAML::Node& n, ReportConfig& c) {
    const std::optional<std::string> name = Str(n, "degurba");
    if (!name || name->empty()) return;
    std::filesystem::path path(*name);
    if (path.is_relative()) path = std::filesystem::path(file()).parent_path() / path;
    c.degurba = LoadDegurbaTable(path.string(), table_problems_);
  }

  void ReadFigures(const YAML::Node& n, ProjectFigures& f) {
    if (!CheckMap(n, "figures", {"milestones", "by", "credit", "dropout", "steps"}) ||
        def_ == nullptr) {
      return;
    }
    if (n["milestones"]) {
      for (auto& [m, mark] : List(n["milestones"], "milestones")) {
        if (Known(m, mark, milestone_ids_, "milestone")) f.milestones.push_back(m);
      }
    }
    if (n["by"]) {
      f.by = Str(n["by"], "by").value_or("");
      if (!Known(f.by, n["by"].Mark(), data_ids_, "data field")) f.by.clear();
    }
    if (const YAML::Node credit = n["credit"];
        credit && CheckMap(credit, "credit", {"field", "milestone"})) {
      if (!credit["field"] || !credit["milestone"]) {
        Error(credit.Mark(), "credit needs `field` and `milestone`");
      } else {
        f.credit = Str(credit["field"], "field").value_or("");
        const DataField* field = def_->FindField(f.credit);
        if (field == nullptr) {
          Known(f.credit, credit["field"].Mark(), data_ids_, "data field");
          f.credit.clear();
        } else if (field->type != DataField::Type::kInteger) {
          Error(credit["field"].Mark(), "credit `" + f.credit + "` is not a whole number");
          f.credit.clear();
        }
        f.credit_milestone = Milestone(credit["milestone"]);
      }
    }
    if (const YAML::Node d = n["dropout"]; d && CheckMap(d, "dropout", {"states", "reasons"})) {
      if (d["states"]) {
        for (auto& [state, mark] : List(d["states"], "states")) {
          if (Known(state, mark, state_ids_, "state")) f.dropout_states.push_back(state);
        }
      }
      if (d["reasons"]) {
        for (auto& [field, mark] : List(d["reasons"], "reasons")) {
          if (Known(field, mark, data_ids_, "data field")) f.dropout_reasons.push_back(field);
        }
      }
    }
    if (const YAML::Node steps = n["steps"]) {
      if (!steps.IsSequence()) {
        Error(steps.Mark(), "steps is a list");
        return;
      }
      for (const YAML::Node& step : steps) {
        if (!CheckMap(step, "a step", {"label", "from", "to"})) continue;
        StepRate rate;
        if (!step["label"] || !step["from"] || !step["to"]) {
          Error(step.Mark(), "a step needs `label`, `from` and `to`");
          continue;
        }
        rate.label = Label(step["label"], "label of a step");
        rate.from = Str(step["from"], "from").value_or("");
        Known(rate.from, step["from"].Mark(), state_ids_, "state");
        for (auto& [state, mark] : List(step["to"], "to")) {
          if (Known(state, mark, state_ids_, "state")) rate.to.push_back(state);
        }
        f.steps.push_back(std::move(rate));
      }
    }
  }

  std::optional<Condition> ReadCondition(const YAML::Node& key, const YAML::Node& value) {
    Condition cond;
    cond.field = key.Scalar();
    if (def_ == nullptr) return std::nullopt;
    if (cond.field == kReached) {  // milestones, any of which the pathway has reached
      cond.source = Source::kReached;
      for (auto& [m, mark] : List(value, "reached")) {
        if (Known(m, mark, milestone_ids_, "milestone")) cond.values.push_back(m);
      }
      return cond;
    }
    const auto testable = testable_.find(cond.field);
    if (testable == testable_.end()) {
      std::vector<std::string> known;
      for (const auto& [id, t] : testable_) known.push_back(id);
      Error(key.Mark(), "`" + cond.field +
                            "` is not a data field, a personal payload field (scope.field), "
                            "employer.sme, municipality.degurba or reached of " +
                            def_->id + workflows::DidYouMean(cond.field, known));
      return std::nullopt;
    }
    const Testable& t = testable->second;
    cond.source = t.source;
    if (value.IsMap() && t.type == DataField::Type::kDate) {
      if (!CheckMap(value, "the time since " + cond.field, {"over"})) return std::nullopt;
      if (!value["over"]) {
        Error(value.Mark(), "a date is tested by the time since it: `{over: 12 months}`");
        return std::nullopt;
      }
      cond.over = ReadDuration(value["over"], "over");
      if (cond.over && (cond.over->amount <= 0 || !definition::WithinDurationBound(*cond.over))) {
        Error(value["over"].Mark(), "`over` is a positive time of at most ten years");
      }
      return cond.over ? std::optional(cond) : std::nullopt;
    }
    if (t.type == DataField::Type::kDate) {
      Error(value.Mark(), "`" + cond.field + "` is a date: test the time since it, `{over: ..}`");
      return std::nullopt;
    }
    if (value.IsMap()) {
      if (t.type != DataField::Type::kInteger) {
        Error(value.Mark(), "`" + cond.field + "` is not a whole number: list its values");
        return std::nullopt;
      }
      if (!CheckMap(value, "range of " + cond.field, {"from", "below"})) return std::nullopt;
      if (value["from"]) cond.from = Int(value["from"], "from");
      if (value["below"]) cond.below = Int(value["below"], "below");
      if (!value["from"] && !value["below"]) Error(value.Mark(), "a range needs `from` or `below`");
      return cond;
    }
    for (auto& [text, mark] : List(value, "values of " + cond.field)) {
      switch (t.type) {
        case DataField::Type::kBoolean:
          if (text != "true" && text != "false") {
            Error(mark, "`" + cond.field + "` is true or false, not `" + text + "`");
          } else {
            cond.values.push_back(text == "true");
          }
          break;
        case DataField::Type::kInteger: {
          std::int64_t v = 0;
          auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
          if (ec != std::errc() || end != text.data() + text.size()) {
            Error(mark, "`" + cond.field + "` is a whole number, not `" + text + "`");
          } else if (cond.source == Source::kDegurba && (v < 1 || v > 3)) {
            Error(mark, "a DEGURBA class is 1 (cities), 2 (towns and suburbs) or 3 (rural areas)");
          } else {
            cond.values.push_back(v);
          }
          break;
        }
        default:
          if (!t.allowed.empty() && Known(text, mark, t.allowed, "value of " + cond.field)) {
            cond.values.push_back(text);
          } else if (t.allowed.empty()) {
            cond.values.push_back(text);
          }
      }
    }
    return cond;
  }

  // A day YYYY-MM-DD under `key` of `n`, or "" (reported).
  std::string Day(const YAML::Node& n, const char* key) {
    if (!n[key]) {
      Error(n.Mark(), std::string("project needs `") + key + "`");
      return "";
    }
    const std::string text = Str(n[key], key).value_or("");
    TimestampMs ignored = 0;
    if (!runtime::ParseDate(text, ignored)) {
      Error(n[key].Mark(), std::string(key) + " is a date YYYY-MM-DD, not `" + text + "`");
      return "";
    }
    return text;
  }

  std::string Milestone(const YAML::Node& n) {
    const std::string m = Str(n, "milestone").value_or("");
    if (def_ != nullptr && !Known(m, n.Mark(), milestone_ids_, "milestone")) return "";
    return m;
  }

  void CollectFields() {
    for (const auto& f : def_->data) {
      data_ids_.push_back(f.id);
      testable_[f.id] = {Source::kData, f.type, f.allowed};
    }
    for (const auto& t : def_->transitions) {
      for (const auto& p : t.payload) {
        if (!p.personal.empty()) {
          testable_[p.personal + "." + p.id] = {Source::kSealed, p.type, p.allowed};
        }
      }
    }
    testable_[kEmployerSme] = {Source::kEmployerSme, DataField::Type::kBoolean, {}};
    testable_[kDegurba] = {Source::kDegurba, DataField::Type::kInteger, {}};
    for (const auto& m : def_->milestones) milestone_ids_.push_back(m.id);
    for (const auto& s : def_->states) {
      state_ids_.push_back(s.id);
      if (std::find(phases_.begin(), phases_.end(), s.phase) == phases_.end()) {
        phases_.push_back(s.phase);
      }
    }
  }

  const definition::DefinitionCatalog& definitions_;
  definition::DefinitionCatalog::Ptr def_;
  std::map<std::string, Testable> testable_;
  Keys data_ids_;
  Keys milestone_ids_;
  Keys state_ids_;
  Keys phases_;
  std::vector<workflows::Diagnostic> table_problems_;  // the DEGURBA table's, in its own file
};

}  // namespace

ReportConfigResult LoadReportConfig(const std::string& path,
                                    const definition::DefinitionCatalog& definitions) {
  return ReportReader(path, definitions).Read();
}

}  // namespace pathways::config

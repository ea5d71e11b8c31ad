#pragma once
// Definition: a pathway as the engine runs it, compiled from an administrator's YAML file by
// workflows/ (docs/workflows.md documents every key). Plain data plus the compiled guards.
//
// Immutable once built; share it with std::shared_ptr<const Definition>. Thread-safe to read.

#include <cstdint>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/result.hpp"

namespace pathways::definition {

struct Label {
  std::string da;
  std::string en;
  bool empty() const { return da.empty() && en.empty(); }
};

// "5 working days", "14 days", "6 weeks", "3 months" — possibly negative as an offset.
struct Duration {
  enum class Unit : std::uint8_t { kDays, kWorkingDays, kWeeks, kMonths };
  std::int64_t amount = 0;
  Unit unit = Unit::kDays;
};
std::string ToString(const Duration& d);
// Whether |amount| is at most ten years in its unit (3653 days, 2610 working days, 522 weeks,
// 120 months): the loader refuses longer ones, so calendar arithmetic stays bounded.
bool WithinDurationBound(const Duration& d);

struct DataField {
  enum class Type : std::uint8_t { kString, kInteger, kNumber, kBoolean, kDate };
  std::string id;
  Type type = Type::kString;
  std::vector<std::string> allowed;  // for strings: the only values accepted; empty = any
  std::string category;              // the data category it belongs to (for notifications)
  // Values that say something sensitive (a dropout for health reasons): withheld from every
  // external party, whatever the field's category.
  std::vector<std::string> sensitive_values;
  // Values that are special-category data (a referral by a trade union tells of membership):
  // never written plain. Given one, the engine seals it in the special scope under the field's
  // id and leaves the plain field unset.
  std::vector<std::string> special_values;
  Label label;                          // what a person reads for it; empty: not shown in words
  std::map<std::string, Label> values;  // words for allowed values (`finances`: "Økonomi")
  // `age`: set by the engine, never given, to the participant's age on the day of
  // registration, from the identity scope's `date_of_birth` (YYYY-MM-DD) or `cpr`.
  std::string derived;
};
std::string_view TypeName(DataField::Type t);
// Whether `value` is one of the field's special values (sealed, never plain).
bool IsSpecialValue(const DataField& field, const nlohmann::json& value);

// The identity fields a category may carry in a notice, by name: the allow-list every
// notice's personal data is built from. Never the CPR number, never special-category data.
inline constexpr std::string_view kShareableIdentityFields[] = {
    "name", "date_of_birth", "email", "phone", "mobile", "address"};

struct DataCategory {
  std::string id;
  Label label;
  bool sensitive = false;  // barriers, notes: never to an external party
  // Special-category data (GDPR art. 9: health, union membership, ESF's sensitive items):
  // sensitive, and no plain data field may be filed under it (it is sealed in the special
  // scope of the vault).
  bool special = false;
  // The identity fields (of kShareableIdentityFields) a notice given this category carries.
  // Unset: `identity` carries the name, `contact` the contact details, any other none.
  std::vector<std::string> personal;
};
// The identity fields a notice given `category` carries (its `personal`, or the default).
std::vector<std::string> PersonalFieldsOf(const DataCategory& category);

struct State {
  std::string id;
  Label label;
  std::string phase;
  bool terminal = false;
};

struct Milestone {
  std::string id;
  Label label;
  // Empty: reaching it says where the pathway is (told with `status`). Otherwise only parties
  // given this category hear of it, and never an external one when it is sensitive.
  std::string category;
};

struct Effect {
  enum class Kind : std::uint8_t { kMilestone, kRaiseRisk, kResolveRisk, kTask, kNotify };
  Kind kind = Kind::kMilestone;
  std::string name;                     // milestone, risk type or party id; task id
  std::string severity;                 // kRaiseRisk: overrides the risk type's default
  Label title;                          // kTask
  std::optional<Duration> due;          // kTask: due after
  std::vector<std::string> categories;  // kNotify: data categories sent
  std::string condition;                // a guard that must hold for the effect; empty: always
  // kNotify: what the receiver is asked to do, and by when (a date field shifted by an
  // offset). A notice with a `by` is a deadline.
  Label ask;
  std::string by_field;
  std::optional<Duration> by_offset;
};

struct RiskType {
  std::string id;
  Label label;
  std::string severity = "medium";  // low | medium | high
  std::vector<Effect> on_raise;     // notifications whenever a risk of this type is raised
};

// A barrier a participant may tell of (dyslexia, finances, …), and the support it leads to.
// Recorded as a risk of type `barrier_reported` whose code is sealed in the guidance scope,
// never plain in the log and never sent outside the school.
struct Barrier {
  std::string id;  // the code
  Label label;
  std::vector<Effect> support;  // tasks and risks when it is recorded
};

struct Party {
  std::string id;
  Label label;
  bool external = true;
  std::vector<std::string> categories;  // data categories it may ever receive
  // A boolean the special scope holds (`union_consent`): the party hears nothing unless the
  // participant's sealed answer is true. Checked when a notice is sent, so the plain log never
  // tells who consented.
  std::string consent;
};

struct Guard {
  std::string id;
  std::string description;  // what must hold, for whoever writes the definition
  std::string expression;   // jq over {data, milestones, payload, risks, state}
  Label label;              // what must hold, in the words of the pages and refusals
};

struct PayloadField {
  std::string id;
  DataField::Type type = DataField::Type::kString;
  bool required = false;
  std::vector<std::string> allowed;
  std::string store_as;  // data field the value is written to, or empty
  // `identity`, `guidance` or `special`: personal data, sealed in that scope of the vault
  // (recorded with the transition as DataRecorded), never plain in the log, the guards or the
  // notices.
  std::string personal;
  // How a form asks for it and its values, where no data field it is stored as says so (a
  // sealed answer is stored as none).
  Label label;
  std::map<std::string, Label> values;
};

struct Transition {
  std::string trigger;
  std::vector<std::string> from;
  std::string to;                   // empty: the pathway stays in the state it is in
  std::vector<std::string> guards;  // all must hold
  std::vector<PayloadField> payload;
  nlohmann::json set = nlohmann::json::object();  // data fields set to constants
  std::vector<Effect> effects;
  Label label;  // what happened, in words for the notices it sends ("Deltageren er faldet fra")
};

struct Timer {
  std::string id;
  std::vector<std::string> active_in;   // armed on entering one of these states
  std::optional<Duration> after;        // after arming (or the last restart)
  std::string at_field;                 // or at a date field of the pathway's data ...
  std::optional<Duration> offset;       // ... shifted by this
  std::vector<std::string> restart_on;  // activities that re-arm it: contact, missed_appointment
  bool while_paused = false;            // runs while the pathway is paused, in any state
  bool through_pause = false;           // keeps running in its states while the pathway is paused
  bool repeat = false;                  // armed again each time it fires (`after` timers only)
  std::string condition;                // a guard that must hold when it falls due
  std::string trigger;                  // fires this trigger (with `payload`), and/or
  nlohmann::json payload = nlohmann::json::object();
  std::vector<Effect> effects;  // applies these effects
  Label label;                  // why its notices are sent, in words
};

struct Target {
  std::string milestone;  // counted per pathway that reached it
  std::int64_t count = 0;
};

// Evaluates the definition's guards; built by workflows/ (jq). Thread-compatible: the
// engine's writer calls it from one thread at a time.
class GuardEvaluator {
 public:
  virtual ~GuardEvaluator() = default;
  // true or false; an error when the guard is unknown or its expression fails on `input`.
  virtual Result<bool> Evaluate(const std::string& guard_id, const nlohmann::json& input) const = 0;
};

// What a definition's pathways follow: a participant from first contact to a qualification,
// or a company through the outreach to it (`kind: company`: its pathways are company records,
// keyed by CVR number, kept by a company consultant; docs/companies.md).
enum class Kind : std::uint8_t { kParticipant, kCompany };
std::string_view KindName(Kind k);

// A company's size band by the EU definition (recommendation 2003/361): micro < 10 staff and
// <= EUR 2 M turnover or balance sheet, small < 50 and <= 10 M, medium < 250 and <= 50 M
// turnover or <= 43 M balance sheet, large otherwise. The first three are SMEs.
inline constexpr std::string_view kSizeBands[] = {"micro", "small", "medium", "large"};
bool IsSizeBand(std::string_view band);
bool IsSmeBand(std::string_view band);

struct Definition {
  std::string id;
  Kind kind = Kind::kParticipant;
  std::uint32_t version = 0;
  std::string hash;  // hex SHA-256 of the definition's canonical JSON
  Label title;
  // The languages its pages and notices speak (`languages: [da, en]`): with them, the loader
  // requires a label in each for everything a page shows (transitions, guards, timers, data
  // fields, payload fields and their values). Empty for the definitions written before.
  std::vector<std::string> languages;
  std::string initial;  // the state a new pathway starts in
  std::vector<DataCategory> categories;
  std::vector<DataField> data;
  std::vector<State> states;
  std::vector<Milestone> milestones;
  std::vector<RiskType> risks;
  std::vector<Barrier> barriers;
  std::vector<Party> parties;
  std::vector<Guard> guards;
  std::vector<Transition> transitions;
  std::vector<Timer> timers;
  std::optional<Target> target;
  // `kind: company` only: the industry codes (DB07, the Danish NACE) a record may carry and the
  // green-transition tags a company or its needs may be given, each with its words.
  std::map<std::string, Label> industries;
  std::map<std::string, Label> green_tags;
  std::shared_ptr<const GuardEvaluator> evaluator;

  const State* FindState(std::string_view id) const;
  const Party* FindParty(std::string_view id) const;
  const DataCategory* FindCategory(std::string_view id) const;
  const DataField* FindField(std::string_view id) const;
  // The transitions for `trigger` leaving `state`, in file order.
  std::vector<const Transition*> TransitionsFrom(std::string_view state,
                                                 std::string_view trigger) const;
  // The definition without its evaluator, as canonical JSON: what `hash` is computed over.
  nlohmann::json ToJson() const;
};

}  // namespace pathways::definition

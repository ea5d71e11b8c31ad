#pragma once
// Guards as jq programs (Debian's libjq): compiled once at load time, evaluated against the
// guard input {data, milestones, payload, risks, state}. A guard holds when its program's
// first output is `true`; `false` or `null` means it does not; anything else is an error.
//
// Guards run inside the store's writer, so each runs under a budget (libjq has no step or
// time limit of its own to set):
// - what a guard may say is checked at load: comparisons, logic, paths and the builtins that
//   end in a number of steps bounded by their input (GuardBudgetProblem). Definitions of
//   functions, recursion, loops and generators without a bound (`def`, `recurse`, `while`,
//   `until`, `repeat`, `range`, `limit`, `combinations`), regular expressions (backtracking),
//   the clock and the environment (`now` and the local-time builtins, `env`, `$ENV`, `input`),
//   and string interpolation are refused with the word that broke the rule;
// - the input is at most kMaxGuardInputBytes; a larger one is refused when evaluated, with
//   the reason, and the command is refused like any guard that fails.
//
// Thread-safe: evaluations of the same guard are serialised (a jq_state runs one program at a
// time); the engine's writer is the only caller in practice.

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "engine/definition/definition.hpp"

namespace pathways::workflows {

class JqGuards final : public definition::GuardEvaluator {
 public:
  JqGuards();
  ~JqGuards() override;
  JqGuards(const JqGuards&) = delete;
  JqGuards& operator=(const JqGuards&) = delete;

  // Compiles `expression` as guard `id`. On failure returns jq's messages joined, without
  // keeping the guard.
  Status Add(const std::string& id, const std::string& expression);

  Result<bool> Evaluate(const std::string& guard_id, const nlohmann::json& input) const override;

 private:
  struct Program;
  std::map<std::string, std::unique_ptr<Program>> programs_;
};

// The most bytes of JSON a guard is evaluated over.
inline constexpr std::size_t kMaxGuardInputBytes = 64 * 1024;

// Why `expression` is not within a guard's budget (see above), or "" when it is.
std::string GuardBudgetProblem(const std::string& expression);

// The field references of a guard expression: every path that starts at the input's root,
// as "root" or "root.field" (e.g. "data.age_at_entry", "milestones.rkv_completed").
// String literals are skipped. For checking names against the definition at load time.
std::vector<std::string> GuardFieldReferences(const std::string& expression);

}  // namespace pathways::workflows

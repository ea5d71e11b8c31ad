#pragma once
// Guards as jq programs (Debian's libjq): compiled once at load time, evaluated against the
// guard input {data, milestones, payload, risks, state}. A guard holds when its program's
// first output is `true`; `false` or `null` means it does not; anything else is an error.
//
// A definition's guards are compiled together, as one jq program that picks the guard by its
// number: jq compiles its whole builtin library with every program (about 30 ms here), which
// one program per guard paid for each of a server's 70 guards at every start.
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
// Thread-safe once compiled: evaluations are serialised (a jq_state runs one program at a
// time); the engine's writer is the only caller in practice. Add and Compile: one thread.

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

  // Keeps `expression` as guard `id` for Compile. InvalidArgument, keeping nothing: not within
  // a guard's budget, or not one expression on its own (its brackets or quotes do not pair
  // up; the message is jq's).
  Status Add(const std::string& id, const std::string& expression);
  // Compiles the guards added, one program for all. Answers each guard that does not compile
  // with jq's messages (by guard id, compiled on its own to tell which); then none is kept and
  // Evaluate finds no guard. Once, after the last Add.
  std::map<std::string, std::string> Compile();

  Result<bool> Evaluate(const std::string& guard_id, const nlohmann::json& input) const override;

 private:
  struct Program;
  // `program` compiled in a fresh jq state; nullptr and jq's messages when it does not compile.
  static std::unique_ptr<Program> CompileProgram(const std::string& program, std::string& errors);

  std::vector<std::pair<std::string, std::string>> added_;  // id, expression, as added
  std::map<std::string, int> numbers_;                      // compiled guards: id -> number
  std::unique_ptr<Program> program_;
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

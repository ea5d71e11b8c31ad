#include "workflows/jq_guards.hpp"

extern "C" {
#include <jq.h>
#include <jv.h>
}

#include <cctype>
#include <set>

namespace pathways::workflows {

struct JqGuards::Program {
  jq_state* jq = nullptr;
  std::mutex mu;
  ~Program() {
    if (jq != nullptr) jq_teardown(&jq);
  }
};

JqGuards::JqGuards() = default;
JqGuards::~JqGuards() = default;

namespace {

void CollectError(void* data, jv message) {
  auto* out = static_cast<std::string*>(data);
  jv text = jv_get_kind(message) == JV_KIND_STRING ? jv_copy(message)
                                                   : jv_dump_string(jv_copy(message), 0);
  if (!out->empty()) *out += "; ";
  *out += jv_string_value(text);
  jv_free(text);
  jv_free(message);
}

// jq reports "jq: error: syntax error, ... at <top-level>, line 1:\n<program>" and then a
// summary "jq: 1 compile error": keep the first line of each specific message.
std::string TidyJqMessage(const std::string& raw) {
  std::string out;
  std::size_t start = 0;
  while (start < raw.size()) {
    std::size_t end = raw.find("; ", start);
    if (end == std::string::npos) end = raw.size();
    std::string part = raw.substr(start, end - start);
    start = end + 2;
    part = part.substr(0, part.find('\n'));
    if (part.rfind("jq: error: ", 0) == 0) part = part.substr(11);
    if (part.empty() || part.find("compile error") != std::string::npos) continue;
    if (part.size() > 1 && part.back() == ':') part.pop_back();
    out += (out.empty() ? "" : "; ") + part;
  }
  return out.empty() ? "does not compile" : out;
}

// jq's value for `j`, built directly rather than printed and parsed again (that round trip
// was most of a guard's cost). `bytes` counts about what its JSON text would take; past
// kMaxGuardInputBytes the building stops and the answer is invalid.
jv ToJv(const nlohmann::json& j, std::size_t& bytes) {
  if (bytes > kMaxGuardInputBytes) return jv_invalid();
  switch (j.type()) {
    case nlohmann::json::value_t::null: bytes += 4; return jv_null();
    case nlohmann::json::value_t::boolean:
      bytes += 5;
      return j.get<bool>() ? jv_true() : jv_false();
    case nlohmann::json::value_t::number_integer:
    case nlohmann::json::value_t::number_unsigned:
    case nlohmann::json::value_t::number_float: bytes += 8; return jv_number(j.get<double>());
    case nlohmann::json::value_t::string: {
      const std::string& text = j.get_ref<const std::string&>();
      bytes += text.size() + 2;
      if (bytes > kMaxGuardInputBytes) return jv_invalid();
      return jv_string_sized(text.data(), static_cast<int>(text.size()));
    }
    case nlohmann::json::value_t::array: {
      jv out = jv_array();
      for (const nlohmann::json& item : j) {
        ++bytes;  // the comma
        jv v = ToJv(item, bytes);
        if (!jv_is_valid(v)) {
          jv_free(out);
          return v;
        }
        out = jv_array_append(out, v);
      }
      bytes += 2;
      return out;
    }
    case nlohmann::json::value_t::object: {
      jv out = jv_object();
      for (const auto& [key, item] : j.items()) {
        bytes += key.size() + 4;
        jv v = ToJv(item, bytes);
        if (!jv_is_valid(v)) {
          jv_free(out);
          return v;
        }
        out = jv_object_set(out, jv_string_sized(key.data(), static_cast<int>(key.size())), v);
      }
      bytes += 2;
      return out;
    }
    default: return jv_null();  // binary and discarded values never reach a guard
  }
}

}  // namespace

std::unique_ptr<JqGuards::Program> JqGuards::CompileProgram(const std::string& program,
                                                            std::string& errors) {
  auto state = std::make_unique<Program>();
  state->jq = jq_init();
  if (state->jq == nullptr) {
    errors = "jq could not be initialised";
    return nullptr;
  }
  std::string raw;
  jq_set_error_cb(state->jq, CollectError, &raw);
  const int ok = jq_compile(state->jq, program.c_str());
  jq_set_error_cb(state->jq, nullptr, nullptr);
  if (ok == 0) {
    errors = TidyJqMessage(raw);
    return nullptr;
  }
  return state;
}

namespace {

// The variable the combined program reads the guard's number from.
constexpr const char* kGuardNumber = "$__pathways_guard";

// Whether the expression's brackets pair up and its strings end, outside strings and comments:
// then, parenthesised on lines of its own, it is one expression in the combined program, and
// compiles there exactly when it compiles alone (guards define no functions and bind no
// variable of ours).
bool StandsAlone(const std::string& e) {
  std::string open;
  for (std::size_t i = 0; i < e.size(); ++i) {
    const char c = e[i];
    if (c == '"') {
      for (++i; i < e.size() && e[i] != '"'; ++i) {
        if (e[i] == '\\') ++i;
      }
      if (i >= e.size()) return false;
    } else if (c == '#') {
      while (i < e.size() && e[i] != '\n') ++i;
    } else if (c == '(' || c == '[' || c == '{') {
      open.push_back(c == '(' ? ')' : c == '[' ? ']' : '}');
    } else if (c == ')' || c == ']' || c == '}') {
      if (open.empty() || open.back() != c) return false;
      open.pop_back();
    }
  }
  return open.empty();
}

// The guards numbered [lo, hi) as one jq expression that runs the one whose number is in the
// variable: halving, so a guard is found in a few comparisons.
std::string Dispatch(const std::vector<std::pair<std::string, std::string>>& guards, std::size_t lo,
                     std::size_t hi) {
  if (hi - lo == 1) return "(\n" + guards[lo].second + "\n)";
  const std::size_t mid = lo + (hi - lo) / 2;
  return std::string("if ") + kGuardNumber + " < " + std::to_string(mid) + " then " +
         Dispatch(guards, lo, mid) + " else " + Dispatch(guards, mid, hi) + " end";
}

}  // namespace

Status JqGuards::Add(const std::string& id, const std::string& expression) {
  if (std::string problem = GuardBudgetProblem(expression); !problem.empty()) {
    return Status::InvalidArgument(problem);
  }
  if (!StandsAlone(expression)) {
    std::string errors;
    if (CompileProgram(expression, errors) != nullptr) {
      errors = "its brackets or quotes do not pair up";
    }
    return Status::InvalidArgument(errors);
  }
  added_.emplace_back(id, expression);
  return Status::Ok();
}

std::map<std::string, std::string> JqGuards::Compile() {
  std::map<std::string, std::string> failed;
  program_.reset();
  numbers_.clear();
  if (added_.empty()) return failed;
  std::string errors;
  program_ = CompileProgram(
      std::string(".[0] as ") + kGuardNumber + " | .[1] | " + Dispatch(added_, 0, added_.size()),
      errors);
  if (program_ == nullptr) {
    // Which guard: each compiled on its own, for its own messages.
    for (const auto& [id, expression] : added_) {
      if (CompileProgram(expression, errors) == nullptr) failed[id] = errors;
    }
    if (failed.empty()) failed[added_.front().first] = errors;  // not expected: said anyway
    return failed;
  }
  for (std::size_t i = 0; i < added_.size(); ++i) numbers_[added_[i].first] = static_cast<int>(i);
  return failed;
}

Result<bool> JqGuards::Evaluate(const std::string& guard_id, const nlohmann::json& input) const {
  auto it = numbers_.find(guard_id);
  if (it == numbers_.end()) return Status::NotFound("no guard `" + guard_id + "`");
  std::size_t bytes = 0;
  jv value = ToJv(input, bytes);
  if (!jv_is_valid(value)) {
    jv_free(value);
    return Status::InvalidArgument("guard `" + guard_id +
                                   "` was not evaluated: its input (the pathway's data, "
                                   "milestones, risks and payload) is over the budget of " +
                                   std::to_string(kMaxGuardInputBytes / 1024) + " KiB");
  }
  jv numbered = jv_array_append(jv_array_append(jv_array(), jv_number(it->second)), value);
  std::lock_guard lock(program_->mu);
  jq_start(program_->jq, numbered, 0);
  jv result = jq_next(program_->jq);
  Result<bool> out = Status::InvalidArgument("guard `" + guard_id + "` produced no value");
  switch (jv_get_kind(result)) {
    case JV_KIND_TRUE: out = true; break;
    case JV_KIND_FALSE:
    case JV_KIND_NULL: out = false; break;
    case JV_KIND_INVALID: {
      jv message = jv_invalid_get_msg(jv_copy(result));
      if (jv_get_kind(message) == JV_KIND_STRING) {
        out =
            Status::InvalidArgument("guard `" + guard_id + "` failed: " + jv_string_value(message));
      }
      jv_free(message);
      break;
    }
    default: {
      jv text = jv_dump_string(jv_copy(result), 0);
      out = Status::InvalidArgument("guard `" + guard_id + "` produced " + jv_string_value(text) +
                                    ", not true or false");
      jv_free(text);
    }
  }
  jv_free(result);
  return out;
}

namespace {
// jq's keywords: a path after one of these starts at the root (`x and .a`).
const std::set<std::string> kKeywords = {"and",   "or",    "not", "if",     "then",    "elif",
                                         "else",  "end",   "as",  "reduce", "foreach", "try",
                                         "catch", "label", "def", "import", "include"};
}  // namespace

namespace {
// The words a guard may use besides paths, variables, object keys and formats: jq's keywords
// and the builtins that end within steps bounded by their input, and read neither the clock
// nor the environment.
const std::set<std::string> kGuardWords = {
    // keywords and literals
    "and", "or", "not", "if", "then", "elif", "else", "end", "as", "reduce", "foreach", "try",
    "catch", "label", "break", "true", "false", "null",
    // values and types
    "length", "utf8bytelength", "type", "tostring", "tonumber", "tojson", "fromjson", "ascii",
    "infinite", "nan", "isinfinite", "isnan", "isnormal", "objects", "arrays", "strings", "numbers",
    "booleans", "nulls", "iterables", "scalars", "values", "empty", "error",
    // objects and arrays
    "keys", "keys_unsorted", "has", "in", "inside", "contains", "map", "map_values", "select",
    "add", "any", "all", "flatten", "min", "max", "min_by", "max_by", "unique", "unique_by",
    "group_by", "sort", "sort_by", "reverse", "index", "rindex", "indices", "first", "last", "nth",
    "to_entries", "from_entries", "with_entries", "paths", "leaf_paths", "getpath", "del", "walk",
    "tostream", "fromstream", "isempty", "transpose",
    // strings (no regular expressions)
    "startswith", "endswith", "ltrimstr", "rtrimstr", "ascii_downcase", "ascii_upcase", "join",
    "explode", "implode",
    // numbers
    "floor", "ceil", "round", "fabs", "sqrt", "pow", "log", "exp", "log10", "log2", "exp10",
    "significand", "trunc",
    // dates in UTC (never the clock)
    "fromdateiso8601", "todateiso8601", "fromdate", "todate", "dateadd", "datesub", "date"};
}  // namespace

std::string GuardBudgetProblem(const std::string& expression) {
  auto ident = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
  const std::size_t n = expression.size();
  for (std::size_t i = 0; i < n; ++i) {
    const char c = expression[i];
    if (c == '"') {
      for (++i; i < n && expression[i] != '"'; ++i) {
        if (expression[i] != '\\') continue;
        if (i + 1 < n && expression[i + 1] == '(') {
          return "string interpolation `\\(…)` is not allowed in a guard";
        }
        ++i;
      }
      continue;
    }
    if (!ident(c) || std::isdigit(static_cast<unsigned char>(c))) {
      if (std::isdigit(static_cast<unsigned char>(c))) {  // a number, exponent included
        while (i + 1 < n && (ident(expression[i + 1]) || expression[i + 1] == '.')) ++i;
      }
      continue;
    }
    std::size_t end = i;
    while (end < n && ident(expression[end])) ++end;
    const std::string word = expression.substr(i, end - i);
    std::size_t before = i;
    while (before > 0 && std::isspace(static_cast<unsigned char>(expression[before - 1]))) --before;
    const char prev = before > 0 ? expression[before - 1] : '\0';
    std::size_t after = end;
    while (after < n && std::isspace(static_cast<unsigned char>(expression[after]))) ++after;
    const bool key =
        after < n && expression[after] == ':' && (after + 1 >= n || expression[after + 1] != ':');
    i = end - 1;
    if (prev == '$') {
      if (word == "ENV" || word == "__loc__" || word == "__prog_args" ||
          word.starts_with("__pathways")) {
        return "`$" + word + "` is not allowed in a guard: a guard reads only its input";
      }
      continue;  // a variable bound in the guard
    }
    if (prev == '.' || prev == '@' || key) continue;  // a field, a format, an object key
    if (kGuardWords.count(word) == 0) {
      return "`" + word +
             "` is not allowed in a guard: guards use comparisons, logic, paths and builtins "
             "that finish within their input (no definitions, recursion, unbounded loops or "
             "generators, regular expressions, clock or environment)";
    }
  }
  return "";
}

std::vector<std::string> GuardFieldReferences(const std::string& expression) {
  std::vector<std::string> refs;
  auto ident = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
  const std::size_t n = expression.size();
  for (std::size_t i = 0; i < n; ++i) {
    const char c = expression[i];
    if (c == '"') {  // skip a string literal, honouring escapes
      for (++i; i < n && expression[i] != '"'; ++i) {
        if (expression[i] == '\\') ++i;
      }
      continue;
    }
    if (c == '$' || c == '@') {  // variables and formats are not paths
      while (i + 1 < n && ident(expression[i + 1])) ++i;
      continue;
    }
    if (c != '.' || i + 1 >= n || !ident(expression[i + 1]) ||
        std::isdigit(static_cast<unsigned char>(expression[i + 1]))) {
      continue;
    }
    // A path starts at the root when no value stands before the dot (`.a` but not `x.a`,
    // `].a` or `).a`, which continue a path).
    std::size_t before = i;
    while (before > 0 && std::isspace(static_cast<unsigned char>(expression[before - 1]))) --before;
    if (before > 0) {
      const char p = expression[before - 1];
      std::size_t word = before;
      while (word > 0 && ident(expression[word - 1])) --word;
      const bool keyword = kKeywords.count(expression.substr(word, before - word)) > 0;
      if ((ident(p) && !keyword) || p == ']' || p == ')' || p == '"' || p == '?') {
        while (i + 1 < n && ident(expression[i + 1])) ++i;
        continue;
      }
    }
    std::size_t start = i + 1;
    std::size_t end = start;
    while (end < n && ident(expression[end])) ++end;
    std::string ref = expression.substr(start, end - start);
    if (end + 1 < n && expression[end] == '.' && ident(expression[end + 1])) {
      std::size_t second = end + 1;
      std::size_t second_end = second;
      while (second_end < n && ident(expression[second_end])) ++second_end;
      ref += "." + expression.substr(second, second_end - second);
      end = second_end;
    }
    refs.push_back(std::move(ref));
    i = end - 1;
  }
  return refs;
}

}  // namespace pathways::workflows

// The typed events: what is written is read back the same, anything else is Corruption naming
// the field, and docs/events.md lists exactly the types, versions and keys of the code.

#include "engine/event_types.hpp"

#include <doctest/doctest.h>

#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "engine/runtime/pathway_rules.hpp"

namespace pathways::events {
namespace {

// One event of each type with every field filled, so a key lost on the way shows.
template <class E>
E Filled() {
  E e{};
  std::apply(
      [&](const auto&... f) {
        auto fill = [&](const auto& field) {
          auto& v = e.*(field.member);
          using T = std::decay_t<decltype(v)>;
          if constexpr (std::is_same_v<T, std::string>) {
            v = "value of " + std::string(field.key);
          } else if constexpr (std::is_same_v<T, bool>) {
            v = true;
          } else if constexpr (std::is_integral_v<T>) {
            v = 7;
          } else if constexpr (std::is_same_v<T, nlohmann::json>) {
            v = {{"k", 1}};
          } else if constexpr (std::is_same_v<T, std::vector<std::string>>) {
            v = {"a", "b"};
          } else if constexpr (std::is_same_v<T, std::vector<GuardCheck>>) {
            v = {{"g", true}};
          } else if constexpr (std::is_same_v<T, Title>) {
            v = {"da", "en"};
          } else if constexpr (std::is_same_v<T, DefinitionVersion>) {
            v = {"amigo", 2, "ab"};
          } else if constexpr (std::is_same_v<T, EmployerData>) {
            v = {"Virksomhed", "12345678", "Kontakt", "hr@example.org", "12 34 56 78", true};
          } else if constexpr (std::is_same_v<T, CompanyData>) {
            v = {"12345674", "Virksomhed", "1234567890", "small", "41", "751", {"green_jobs"}};
          } else {
            static_assert(sizeof(T) == 0, "a field type this test does not fill");
          }
        };
        (fill(f), ...);
      },
      E::Fields());
  return e;
}

template <class Variant>
std::vector<Variant> OneOfEach() {
  std::vector<Variant> out;
  [&]<std::size_t... I>(std::index_sequence<I...>) {
    (out.push_back(Filled<std::variant_alternative_t<I, Variant>>()), ...);
  }
  (std::make_index_sequence<std::variant_size_v<Variant>>{});
  return out;
}

TEST_CASE("every event type is read back as it was written") {
  for (const PathwayEvent& e : OneOfEach<PathwayEvent>()) {
    const NewEvent encoded = Encode(e);
    CAPTURE(encoded.type);
    CHECK(encoded.type == TypeOf(e));
    Result<PathwayEvent> back = DecodePathwayEvent(encoded.type, encoded.schema_version,
                                                   nlohmann::json::parse(encoded.data.dump()));
    REQUIRE_MESSAGE(back.ok(), back.status().ToString());
    CHECK(back->index() == e.index());
    CHECK(DataOf(*back) == encoded.data);
  }
  for (const SystemEvent& e : OneOfEach<SystemEvent>()) {
    const NewEvent encoded = Encode(e);
    Result<SystemEvent> back =
        DecodeSystemEvent(encoded.type, encoded.schema_version, encoded.data);
    REQUIRE_MESSAGE(back.ok(), back.status().ToString());
    CHECK(DataOf(*back) == encoded.data);
  }
}

TEST_CASE("an optional key is left out when empty and read as empty when absent") {
  const NewEvent plain = Encode(NotificationRequested{"pw:n1", "counsellor", {"status"}, "x", ""});
  CHECK_FALSE(plain.data.contains("user"));
  const NewEvent meant = Encode(NotificationRequested{"pw:n1", "counsellor", {}, "x", "anna"});
  CHECK(meant.data["user"] == "anna");
  Result<PathwayEvent> back = DecodePathwayEvent("NotificationRequested", 1, plain.data);
  REQUIRE(back.ok());
  CHECK(std::get<NotificationRequested>(*back).user.empty());
}

TEST_CASE("data the type does not describe is corruption that names the key") {
  const nlohmann::json good = Encode(RiskRaised{"r1", "dropout", "high", "anna", "x"}).data;
  auto problem = [](std::string_view type, std::uint16_t schema, const nlohmann::json& data) {
    Result<PathwayEvent> r = DecodePathwayEvent(type, schema, data);
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().code() == StatusCode::kCorruption);
    return r.status().message();
  };
  nlohmann::json misspelt = good;
  misspelt.erase("risk_id");
  misspelt["risk_idd"] = "r1";
  CHECK(problem("RiskRaised", 1, misspelt).find("`risk_id` is missing") != std::string::npos);

  nlohmann::json extra = good;
  extra["colour"] = "red";
  CHECK(problem("RiskRaised", 1, extra).find("`colour`") != std::string::npos);

  nlohmann::json wrong_kind = good;
  wrong_kind["severity"] = 3;
  CHECK(problem("RiskRaised", 1, wrong_kind).find("`severity` must be text") != std::string::npos);

  nlohmann::json due = Encode(TimerArmed{"t", 5}).data;
  due["due_at"] = "soon";
  CHECK(problem("TimerArmed", 1, due).find("`due_at`") != std::string::npos);
  nlohmann::json nested = Encode(TaskCreated{"t1", "k", {"da", "en"}, "anna", 1, "x"}).data;
  nested["title"].erase("en");
  CHECK(problem("TaskCreated", 1, nested).find("`en` is missing") != std::string::npos);

  CHECK(problem("RiskRaised", 2, good).find("schema version 2") != std::string::npos);
  CHECK(problem("RiskRisen", 1, good).find("no event type `RiskRisen`") != std::string::npos);
  CHECK(problem("RiskRaised", 1, nlohmann::json::array()).find("object") != std::string::npos);
}

TEST_CASE("a stored event Apply cannot read stops the replay as corruption") {
  runtime::PathwayState state;
  RecordedEvent lead;
  lead.position = 1;
  lead.stream_id = "pw-1";
  lead.version = 1;
  lead.type = "LeadRegistered";
  lead.data = R"({"data":{},"referral_source":"jobcenter","state":"lead"})";
  REQUIRE(runtime::Apply(state, lead).ok());
  CHECK(state.state == "lead");

  // Before typed events, the misspelt key became "" and a task without an id was opened.
  RecordedEvent task = lead;
  task.position = 2;
  task.version = 2;
  task.type = "TaskCreated";
  task.data =
      R"({"assignee":"a","because":"x","due_at":1,"kind":"k","task":"t1","title":{"da":"","en":""}})";
  const Status st = runtime::Apply(state, task);
  CHECK(st.code() == StatusCode::kCorruption);
  CHECK(st.message().find("event 2 of pw-1") != std::string::npos);
  CHECK(st.message().find("`task_id` is missing") != std::string::npos);
  CHECK(state.open_tasks.empty());
  CHECK(state.version == 1);

  task.data = "{not json";
  CHECK(runtime::Apply(state, task).code() == StatusCode::kCorruption);
}

// The rows of docs/events.md's tables: (type, schema) → keys (with `?` for optional). A type
// with two schema versions has a row for each.
std::map<std::pair<std::string, int>, std::set<std::string>> DocumentedTypes() {
  std::ifstream in(std::string(PATHWAYS_SOURCE_DIR) + "/docs/events.md");
  REQUIRE(in.good());
  std::map<std::pair<std::string, int>, std::set<std::string>> out;
  const std::regex ticked("`([^`]+)`");
  std::vector<std::string> header;
  std::string line;
  while (std::getline(in, line)) {
    if (!line.starts_with("|")) {
      header.clear();
      continue;
    }
    std::vector<std::string> cells;
    std::stringstream row(line.substr(1));
    for (std::string cell; std::getline(row, cell, '|');) cells.push_back(cell);
    if (header.empty()) {
      for (auto& c : cells) header.push_back(c.substr(c.find_first_not_of(' ')));
      continue;
    }
    if (line.starts_with("|---")) continue;
    std::map<std::string, std::string> by;
    for (std::size_t i = 0; i < header.size() && i < cells.size(); ++i) {
      by[header[i].substr(0, header[i].find(' '))] = cells[i];
    }
    std::set<std::string> keys;
    for (std::sregex_iterator it(by["data"].begin(), by["data"].end(), ticked), end; it != end;
         ++it) {
      keys.insert((*it)[1]);
    }
    const std::string& types = by["type"];
    for (std::sregex_iterator it(types.begin(), types.end(), ticked), end; it != end; ++it) {
      out[{(*it)[1], std::stoi(by["schema"])}] = keys;
    }
  }
  return out;
}

TEST_CASE("the event catalogue in docs/events.md is the one in the code") {
  auto documented = DocumentedTypes();
  std::set<std::pair<std::string, int>> in_code;
  for (const TypeInfo& t : Catalogue()) {
    CAPTURE(t.type);
    CAPTURE(t.schema_version);
    in_code.insert({t.type, t.schema_version});
    auto it = documented.find({t.type, t.schema_version});
    REQUIRE_MESSAGE(it != documented.end(),
                    t.type << " " << t.schema_version << " is not in docs/events.md");
    std::set<std::string> keys;
    for (const FieldInfo& f : t.fields) keys.insert(f.key + (f.optional ? "?" : ""));
    CHECK(it->second == keys);
  }
  for (const auto& [type, keys] : documented) {
    CHECK_MESSAGE(in_code.count(type), "docs/events.md lists " << type.first << " schema "
                                                               << type.second
                                                               << ", the code has none");
  }
}

}  // namespace
}  // namespace pathways::events

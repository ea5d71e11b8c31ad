#include "engine/runtime/company.hpp"

#include <algorithm>
#include <cctype>

namespace pathways::runtime {

bool IsContactForm(std::string_view form) {
  return std::find(std::begin(kContactForms), std::end(kContactForms), form) !=
         std::end(kContactForms);
}

bool IsPNumber(std::string_view p_number) {
  return p_number.size() == 10 && std::all_of(p_number.begin(), p_number.end(), [](char c) {
           return std::isdigit(static_cast<unsigned char>(c)) != 0;
         });
}

nlohmann::json CompanyToJson(const Company& c) {
  nlohmann::json j = {{"cvr", c.cvr},
                      {"name", c.name},
                      {"p_number", c.p_number},
                      {"size_band", c.size_band},
                      {"industry", c.industry},
                      {"green", c.green},
                      {"first_contact_at", c.first_contact_at}};
  j["persons"] = nlohmann::json::object();
  for (const auto& [id, p] : c.persons) j["persons"][id] = {{"role", p.role}, {"since", p.since}};
  j["needs"] = nlohmann::json::object();
  for (const auto& [id, n] : c.needs) {
    j["needs"][id] = {
        {"competences", n.competences},   {"amu_courses", n.amu_courses}, {"staff", n.staff},
        {"release_from", n.release_from}, {"release_to", n.release_to},   {"green", n.green},
        {"recorded_at", n.recorded_at}};
  }
  return j;
}

Company CompanyFromJson(const nlohmann::json& j) {
  Company c;
  c.cvr = j.at("cvr").get<std::string>();
  c.name = j.at("name").get<std::string>();
  c.p_number = j.at("p_number").get<std::string>();
  c.size_band = j.at("size_band").get<std::string>();
  c.industry = j.at("industry").get<std::string>();
  c.green = j.at("green").get<std::vector<std::string>>();
  c.first_contact_at = j.at("first_contact_at").get<TimestampMs>();
  for (const auto& [id, p] : j.at("persons").items()) {
    c.persons[id] = {p.at("role").get<std::string>(), p.at("since").get<TimestampMs>()};
  }
  for (const auto& [id, n] : j.at("needs").items()) {
    c.needs[id] = {
        n.at("competences").get<std::string>(), n.at("amu_courses").get<std::vector<std::string>>(),
        n.at("staff").get<std::uint32_t>(),     n.at("release_from").get<std::string>(),
        n.at("release_to").get<std::string>(),  n.at("green").get<std::vector<std::string>>(),
        n.at("recorded_at").get<TimestampMs>()};
  }
  return c;
}

}  // namespace pathways::runtime

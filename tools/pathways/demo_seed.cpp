// The demo data (demo_seed.hpp).

#include "tools/pathways/demo_seed.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "engine/runtime/company.hpp"
#include "tools/pathways/amigo_script.hpp"

namespace pathways::cli {
namespace {

// The schools' companies: the demo participants' three employers and three more, each at a
// stage of the dialogue (the triggers taken), with a contact person and, further on, a need.
struct DemoCompany {
  const char* cvr;
  const char* name;
  const char* size_band;
  const char* industry;
  const char* municipality;
  std::size_t school;  // the n-th school of the users file
  std::vector<std::string> green;
  std::vector<const char*> steps;
  const char* person;
  const char* role;
  const char* need;  // empty: none uncovered yet
};
const DemoCompany kDemoCompanies[] = {
    {"31245672",
     "Smedjen i Brabrand ApS",
     "small",
     "25",
     "751",
     0,
     {"energy_efficiency"},
     {"make_contact", "start_dialogue", "uncover_needs", "agree_upskilling", "release_staff"},
     "Lene Smed",
     "Indehaver",
     "Svejsning efter ny norm (MIG/MAG) for to smede"},
    {"29876541",
     "Byg & Anlæg Midt A/S",
     "large",
     "41",
     "751",
     0,
     {"circular_economy"},
     {"make_contact", "start_dialogue", "decline"},
     "Karsten Holm",
     "HR-chef",
     ""},
    {"12345674",
     "Grøn Energi Service ApS",
     "micro",
     "43",
     "751",
     0,
     {"renewable_energy", "green_jobs"},
     {},
     "Sofie Lind",
     "Medejer",
     ""},
    {"35551239",
     "Plejecenter Solgården",
     "medium",
     "87",
     "779",
     1,
     {},
     {"make_contact", "start_dialogue"},
     "Mette Juul",
     "Centerleder",
     ""},
    {"11111114",
     "Transport Vest A/S",
     "small",
     "49",
     "791",
     1,
     {},
     {"make_contact"},
     "Jens Vogn",
     "Trafikleder",
     ""},
    {"22222228",
     "Fødevarer Nord ApS",
     "medium",
     "10",
     "791",
     1,
     {"resource_saving"},
     {"make_contact", "start_dialogue", "uncover_needs"},
     "Aisha Karimi",
     "Produktionsleder",
     "Hygiejne og fødevaresikkerhed for nye medarbejdere"},
};

Status SeedDemoCompanies(Store& store, const config::ServerConfig& cfg,
                         const definition::DefinitionCatalog& catalog) {
  if (catalog.NewestOfKind(definition::Kind::kCompany) == nullptr) return Status::Ok();
  std::vector<std::string> schools;
  for (const auto& [id, school] : cfg.schools) schools.push_back(id);
  for (const DemoCompany& c : kDemoCompanies) {
    const std::string school = c.school < schools.size() ? schools[c.school] : "";
    std::string consultant;
    for (const auto& [id, u] : cfg.users) {
      if (u.role == config::Role::kConsultant && u.school == school && consultant.empty()) {
        consultant = id;
      }
    }
    if (consultant.empty()) continue;
    std::vector<runtime::Command> commands;
    commands.push_back(runtime::RegisterCompany{
        {c.cvr, c.name, "", c.size_band, c.industry, c.municipality, c.green}, consultant, school});
    commands.push_back(runtime::RecordContactPerson{"", c.person, c.role, "", ""});
    for (const char* step : c.steps) {
      if (std::string(step) == "make_contact") {
        commands.push_back(
            runtime::RecordCompanyContact{"phone", 0, 20, {}, {"p1"}, "Første opkald", ""});
      }
      if (std::string(step) == "uncover_needs") {
        commands.push_back(runtime::RecordCompanyNeed{"", c.need, {}, 2, "", "", c.green});
      }
      nlohmann::json payload = nlohmann::json::object();
      if (std::string(step) == "decline") payload["reason"] = "cannot_release_staff";
      commands.push_back(runtime::FireTrigger{step, std::move(payload)});
    }
    int n = 0;
    for (runtime::Command& command : commands) {
      CommandRequest r;
      r.pathway_id = runtime::CompanyPathwayId(c.cvr);
      r.participant_id = r.pathway_id;
      r.command_id = "demo-company-" + std::string(c.cvr) + "-" + std::to_string(++n);
      r.actor = {consultant, "consultant"};
      r.command = std::move(command);
      if (auto done = store.Execute(std::move(r)); !done.ok()) return done.status();
    }
  }
  return Status::Ok();
}

// The demo participants' own employers and municipalities (the shipped notifications file
// has addresses for these: a city, a town and a rural municipality).
struct DemoEmployer {
  const char* name;
  const char* cvr;
  const char* contact;
  const char* email;
  bool sme;
};
constexpr DemoEmployer kDemoEmployers[] = {
    {"Smedjen i Brabrand ApS", "31245672", "Lene Smed", "lene@smedjen-brabrand.example", true},
    {"Byg & Anlæg Midt A/S", "29876541", "Karsten Holm", "personale@bygmidt.example", false},
    {"Plejecenter Solgården", "35551239", "Mette Juul", "mette.juul@solgaarden.example", true},
};
constexpr const char* kDemoMunicipalities[] = {"751", "791", "779"};

// After registration: the participant's municipality and employer.
std::vector<runtime::Command> DemoPartners(int p) {
  const DemoEmployer& e = kDemoEmployers[static_cast<std::size_t>(p) % std::size(kDemoEmployers)];
  return {runtime::RecordMunicipality{
              kDemoMunicipalities[static_cast<std::size_t>(p) % std::size(kDemoMunicipalities)]},
          runtime::RecordEmployer{e.name, e.cvr, e.contact, e.email, "", e.sme,
                                  "oplyst ved første samtale"}};
}

// The ESF+ entry record taken at the first talk: every seventh left without the household, so
// the report lists it as incomplete; the sensitive items answered, some refused.
runtime::Command DemoEntryRecord(int p) {
  constexpr const char* kEducation[] = {"isced_0_2", "isced_0_2", "isced_3_4"};
  constexpr const char* kStatus[] = {"unemployed", "unemployed", "inactive", "employed"};
  constexpr const char* kHousehold[] = {"single_without_children", "couple_with_children",
                                        "single_with_children", "other"};
  constexpr const char* kAnswers[] = {"no", "no", "yes", "refused"};
  const auto n = static_cast<std::size_t>(p);
  const std::string status = kStatus[n % std::size(kStatus)];
  nlohmann::json record = {{"gender", p % 2 == 0 ? "woman" : "man"},
                           {"education_level", kEducation[n % std::size(kEducation)]},
                           {"employment_status", status},
                           {"disability", kAnswers[n % std::size(kAnswers)]},
                           {"foreign_background", kAnswers[(n + 1) % std::size(kAnswers)]},
                           {"homeless", "no"}};
  if (p % 7 != 3) record["household"] = kHousehold[n % std::size(kHousehold)];
  // A third of the unemployed long-term (since before the demo's year), the rest recently.
  if (status == "unemployed") record["unemployed_since"] = p % 3 == 0 ? "2024-09-02" : "2026-09-01";
  return runtime::FireTrigger{"record_entry", std::move(record)};
}

// Synthetic participants spread along the AMIGO route, a few with risks, divided between the
// configured counsellors (and so between their schools), each with an employer and a
// municipality, and (AMIGO version 3 on) the ESF+ entry record. Only into an empty store, and only
// when the definition is AMIGO.
Status SeedDemoParticipants(Store& store, const config::ServerConfig& cfg,
                            const definition::DefinitionCatalog& catalog) {
  std::vector<std::string> counsellors;
  for (const auto& [id, u] : cfg.users) {
    if (u.role == config::Role::kCounsellor) counsellors.push_back(id);
  }
  auto def = catalog.Newest();
  if (counsellors.empty() || def == nullptr || def->id != "amigo") {
    spdlog::warn("demo data needs the amigo definition and at least one counsellor; skipped");
    return Status::Ok();
  }
  const bool has_entry_record =
      std::any_of(def->transitions.begin(), def->transitions.end(),
                  [](const definition::Transition& t) { return t.trigger == "record_entry"; });
  for (int p = 0; p < cfg.demo_participants; ++p) {
    const std::string pathway = "demo-" + std::to_string(p + 1);
    const std::string& counsellor = counsellors[static_cast<std::size_t>(p) % counsellors.size()];
    const int steps = 2 + (p * 7) % (kAmigoSteps - 1);  // spread over the route, all assigned
    for (int step = 0; step < steps; ++step) {
      CommandRequest r;
      r.pathway_id = pathway;
      r.participant_id = "demo-participant-" + std::to_string(p + 1);
      r.command_id = pathway + "-step-" + std::to_string(step);
      r.actor = {counsellor, "counsellor"};
      r.command = AmigoStep(step, static_cast<std::uint64_t>(p), counsellor,
                            cfg.users.at(counsellor).school);
      if (auto done = store.Execute(std::move(r)); !done.ok()) return done.status();
      if (step != 0) continue;
      int n = 0;
      // What the first talk records: the partners, and the entry record.
      std::vector<runtime::Command> first_talk = DemoPartners(p);
      if (has_entry_record) first_talk.push_back(DemoEntryRecord(p));
      for (runtime::Command& command : first_talk) {
        CommandRequest pr;
        pr.pathway_id = pathway;
        pr.command_id = pathway + "-partner-" + std::to_string(++n);
        pr.actor = {counsellor, "counsellor"};
        pr.command = std::move(command);
        if (auto done = store.Execute(std::move(pr)); !done.ok()) return done.status();
      }
    }
    if (p % 5 == 2) {  // some at risk
      CommandRequest r;
      r.pathway_id = pathway;
      r.command_id = pathway + "-risk";
      r.actor = {counsellor, "counsellor"};
      r.command = runtime::RaiseRisk{"no_contact", ""};
      if (auto done = store.Execute(std::move(r)); !done.ok()) return done.status();
    }
  }
  return Status::Ok();
}

}  // namespace

Status SeedDemo(Store& store, const config::ServerConfig& cfg,
                const definition::DefinitionCatalog& catalog) {
  if (Status st = SeedDemoCompanies(store, cfg, catalog); !st.ok()) return st;
  return SeedDemoParticipants(store, cfg, catalog);
}

}  // namespace pathways::cli

// The funder's reports: a seeded population on a real store, each indicator counted by hand
// here; the completeness rule, the sealed items, suppression, periods and positions. The
// project's forecast is in project_report_test.cpp.

#include "adapters/app/reports.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <random>

#include "engine/runtime/calendar.hpp"
#include "engine/runtime/company.hpp"
#include "engine/runtime/processor.hpp"
#include "tests/support/amigo_store.hpp"
#include "tests/support/temp_store.hpp"
#include "workflows/loader.hpp"

namespace pathways::app {
namespace {

constexpr TimestampMs kDay = 24LL * 3600 * 1000;

std::string ReportsFile() { return std::string(PATHWAYS_SOURCE_DIR) + "/config/reports.yaml"; }

struct Population {
  Population()
      : clock(testing::kTestEpochMs),  // Monday 2 March 2026
        catalog(testing::AmigoCatalog()),
        store(testing::OpenWithDefinitions(tmp / "store", clock, catalog)) {
    auto company = workflows::LoadDefinitionFile(std::string(PATHWAYS_SOURCE_DIR) +
                                                 "/config/workflows/company.yaml");
    REQUIRE(company.definition != nullptr);
    catalog->Add(company.definition);
    config::ReportConfigResult loaded = config::LoadReportConfig(ReportsFile(), *catalog);
    for (const auto& d : loaded.diagnostics) FAIL(d.ToString());
    config = loaded.config;
  }

  std::uint64_t Run(const std::string& pathway, runtime::Command command) {
    CommandRequest r;
    r.pathway_id = pathway;
    r.participant_id = "p-" + pathway;
    r.command_id = "c" + std::to_string(++commands);
    r.actor = {"anne", "counsellor"};
    r.command = std::move(command);
    Result<AppendResult> done = store->Execute(std::move(r));
    REQUIRE_MESSAGE(done.ok(), (pathway + ": " + done.status().ToString()));
    return done->last_position;
  }
  // A participant born on `born`, through the initial guidance, with an entry record.
  void Participant(const std::string& pathway, const std::string& born, nlohmann::json entry) {
    runtime::RegisterLead lead;
    lead.referral_source = "jobcenter";
    lead.contact_person = "anne";
    lead.personal[PersonalScope::kIdentity] = {{"name", "Deltager " + pathway},
                                               {"date_of_birth", born}};
    Run(pathway, lead);
    Run(pathway, runtime::FireTrigger{"record_entry", std::move(entry)});
    Run(pathway, runtime::FireTrigger{"hold_intake", nlohmann::json::object()});
  }
  // A company's record of `band`, taken through the dialogue's `steps`.
  void Company(const std::string& cvr, const std::string& band,
               const std::vector<std::string>& steps) {
    const std::string id = runtime::CompanyPathwayId(cvr);
    Run(id, runtime::RegisterCompany{{cvr, "Virksomhed " + cvr, "", band, "25", "", {}}, "", ""});
    for (const std::string& step : steps) Run(id, runtime::FireTrigger{step, {}});
  }
  void Employer(const std::string& pathway, const std::string& cvr, bool sme) {
    runtime::RecordEmployer e;
    e.name = "Virksomhed " + cvr;
    e.cvr = cvr;
    e.contact = "Kontakt";
    e.email = "kontakt@example.dk";
    e.sme = sme;
    Run(pathway, e);
  }

  Result<EsfReport> Esf(ReportQuery query = {}) {
    RowSource rows = [&](const std::function<bool(const runtime::PathwayState&)>& visit) {
      return store->VisitReportRows(query.at, visit);
    };
    return EsfFigures(config, *catalog, rows, query, StoreSealedReader(*store));
  }

  int commands = 0;
  testing::TempDir tmp;
  ManualClock clock;
  std::shared_ptr<definition::DefinitionCatalog> catalog;
  std::unique_ptr<storage::RocksEventStore> store;
  config::ReportConfig config;
};

const IndicatorFigures& Find(const EsfReport& r, const std::string& code) {
  for (const auto& f : r.indicators) {
    if (f.code == code) return f;
  }
  FAIL("no indicator " << code);
  return r.indicators.front();
}

// {woman, man, non_binary, total} of an indicator.
std::vector<std::int64_t> Counts(const EsfReport& r, const std::string& code) {
  const IndicatorFigures& f = Find(r, code);
  std::vector<std::int64_t> out;
  for (const Cell& c : f.by) out.push_back(c.count);
  out.push_back(f.total.count);
  return out;
}
using V = std::vector<std::int64_t>;

TEST_CASE("reports: the ESF+ indicators of a seeded population, counted by hand") {
  Population p;
  // Anna: a woman of 30, unemployed since 16 months before entry (long-term), lower secondary,
  // single with children, a disability, from Aarhus (a city); her employer an SME, but she was
  // not employed there: the project did not support it.
  p.Participant("anna", "1995-06-01",
                {{"gender", "woman"},
                 {"employment_status", "unemployed"},
                 {"unemployed_since", "2024-11-01"},
                 {"education_level", "isced_0_2"},
                 {"household", "single_with_children"},
                 {"disability", "yes"},
                 {"foreign_background", "no"}});
  p.Employer("anna", "33333331", true);
  p.Run("anna", runtime::RecordMunicipality{"751"});
  // Bent: a man of 56, employed, upper secondary; refuses the disability question, has a
  // foreign background. His employer, an SME, sends him on an AMU course: supported directly.
  p.Participant("bent", "1969-05-10",
                {{"gender", "man"},
                 {"employment_status", "employed"},
                 {"education_level", "isced_3_4"},
                 {"household", "couple_without_children"},
                 {"disability", "refused"},
                 {"foreign_background", "yes"}});
  p.Employer("bent", "11111114", true);
  p.Run("bent", runtime::FireTrigger{"agree_plan", {{"track", "AMU"}}});
  p.Run("bent", runtime::FireTrigger{"enrol", nlohmann::json::object()});
  p.Run("bent", runtime::FireTrigger{"start_amu", nlohmann::json::object()});
  // Cille: a woman of 20, inactive; her employer is not an SME.
  p.Participant("cille", "2005-09-15",
                {{"gender", "woman"},
                 {"employment_status", "inactive"},
                 {"education_level", "isced_0_2"},
                 {"household", "other"},
                 {"minority", "no"}});
  p.Employer("cille", "22222228", false);
  // Dorte: no household recorded: incomplete, in the grand total only.
  p.Participant(
      "dorte", "1980-01-01",
      {{"gender", "woman"}, {"employment_status", "unemployed"}, {"education_level", "isced_5_8"}});
  // Emil: a lead only, never at the initial guidance: not a participant.
  runtime::RegisterLead lead;
  lead.referral_source = "outreach";
  lead.contact_person = "anne";
  p.Run("emil", lead);
  const std::uint64_t before_frank = p.store->Head().position;

  // Frank, a week later: a man of 40, unemployed for 7 months (not long-term at 40);
  // withdraws, is job searching four weeks on and in a better job six months after (not an
  // improved situation to ESF: he was not employed at entry). Bent drops out the same day and
  // is in a better job six months on.
  // Gerda, the same day: a woman of 23 from Skive (rural), unemployed for 7 months: long-term
  // under 25.
  p.clock.Advance(7 * kDay);
  p.Participant("frank", "1986-02-02",
                {{"gender", "man"},
                 {"employment_status", "unemployed"},
                 {"unemployed_since", "2025-08-01"},
                 {"education_level", "isced_0_2"},
                 {"household", "single_without_children"}});
  p.Participant("gerda", "2002-10-01",
                {{"gender", "woman"},
                 {"employment_status", "unemployed"},
                 {"unemployed_since", "2025-08-01"},
                 {"education_level", "isced_0_2"},
                 {"household", "other"}});
  p.Run("gerda", runtime::RecordMunicipality{"779"});
  p.Run("frank", runtime::FireTrigger{"withdraw", {{"reason", "work"}}});
  p.Run("bent", runtime::FireTrigger{"drop_out", {{"reason", "work"}}});
  p.clock.Advance(28 * kDay);
  p.Run("frank", runtime::FireTrigger{"record_follow_up_4_weeks",
                                      {{"job_searching", true}, {"employed", false}}});
  p.clock.Advance(160 * kDay);
  p.Run("frank", runtime::FireTrigger{"record_follow_up_6_months",
                                      {{"employed", true}, {"improved", true}}});
  p.Run("bent", runtime::FireTrigger{"record_follow_up_6_months",
                                     {{"employed", true}, {"improved", true}}});

  const std::vector<std::string> released = {"make_contact", "start_dialogue", "uncover_needs",
                                             "agree_upskilling", "release_staff"};
  p.Company("31245672", "small", released);
  p.Company("29876541", "large", released);
  p.Company("35551239", "medium",
            {"make_contact", "start_dialogue", "uncover_needs", "agree_upskilling"});

  ReportQuery named;
  named.name_pathways = true;
  Result<EsfReport> r = p.Esf(named);
  REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  CHECK(r->position == p.store->Head().position);
  CHECK(r->by_values == std::vector<std::string>{"woman", "man", "non_binary"});
  //                                    woman man nb total
  CHECK(Counts(*r, "EECO01") == V{3, 2, 0, 6});  // Dorte only in the total
  CHECK(Counts(*r, "EECO02") == V{2, 1, 0, 3});  // Anna, Gerda, Frank (Dorte incomplete)
  CHECK(Counts(*r, "EECO03") == V{2, 0, 0, 2});  // Anna 16 months, Gerda 7 under 25; not Frank
  CHECK(Counts(*r, "EECO04") == V{1, 0, 0, 1});
  CHECK(Counts(*r, "EECO05") == V{0, 1, 0, 1});
  CHECK(Counts(*r, "EECO06") == V{0, 0, 0, 0});
  CHECK(Counts(*r, "EECO07") == V{2, 0, 0, 2});  // Cille, 20, and Gerda, 23
  CHECK(Counts(*r, "EECO08") == V{0, 1, 0, 1});  // Bent, 56
  CHECK(Counts(*r, "EECO09") == V{3, 1, 0, 4});
  CHECK(Counts(*r, "EECO10") == V{0, 1, 0, 1});
  CHECK(Counts(*r, "EECO11") == V{0, 0, 0, 0});  // Dorte's, but incomplete
  CHECK(Counts(*r, "EECO12") == V{1, 0, 0, 1});  // Anna; Bent refused: not counted
  CHECK(Counts(*r, "EECO14") == V{0, 1, 0, 1});
  CHECK(Counts(*r, "EECO15") == V{0, 0, 0, 0});
  CHECK(Counts(*r, "EECO17") == V{1, 0, 0, 1});  // Gerda from Skive; Anna's Aarhus is a city
  CHECK(Find(*r, "EECO18").total.count == 0);    // no public body supported: 0, not absent
  CHECK(Find(*r, "EECO18").none);
  // From the company records: an SME whose staff were released; not a large company that
  // released staff, not an SME that has only agreed. The participants' employers count nothing.
  CHECK(Find(*r, "EECO19").total.count == 1);
  CHECK(Find(*r, "EECO19").by.empty());
  CHECK(Counts(*r, "EECR01") == V{0, 1, 0, 1});  // Frank
  CHECK(Counts(*r, "EECR04") == V{0, 0, 0, 0});
  CHECK(Counts(*r, "EECR05") == V{0, 2, 0, 2});  // Frank and Bent
  CHECK(Counts(*r, "EECR06") == V{0, 1, 0, 1});  // Bent: Frank was not employed at entry
  CHECK(Find(*r, "EECO12").by[0].pathways == std::vector<std::string>{"anna"});
  CHECK(Find(*r, "EECO01").total.pathways.size() == 6);
  // Unnamed, the same counts and no lists: what the CSV, the page and the API's default show.
  Result<EsfReport> counts = p.Esf();
  REQUIRE(counts.ok());
  CHECK(EsfCsv(*counts, "en") == EsfCsv(*r, "en"));
  CHECK(Find(*counts, "EECO01").total.count == 6);
  CHECK(Find(*counts, "EECO01").total.pathways.empty());
  CHECK_FALSE(EsfJson(*counts)["indicators"][0]["total"].contains("pathways"));
  CHECK(EsfJson(*r)["indicators"][0]["total"]["pathways"].size() == 6);

  REQUIRE(r->incomplete.size() == 1);
  CHECK(r->incomplete[0].pathway_id == "dorte");
  CHECK(r->incomplete[0].contact_person == "anne");
  CHECK(r->incomplete[0].missing == std::vector<std::string>{"household"});

  SUBCASE("a period counts who entered (or left) in it") {
    ReportQuery first_week;
    first_week.from = "2026-03-01";
    first_week.to = "2026-03-07";
    Result<EsfReport> w = p.Esf(first_week);
    REQUIRE(w.ok());
    CHECK(Counts(*w, "EECO01") == V{2, 1, 0, 4});  // not Frank
    CHECK(Counts(*w, "EECR01") == V{0, 0, 0, 0});  // Frank left later
    ReportQuery bad;
    bad.from = "2026-13-01";
    CHECK(p.Esf(bad).status().code() == StatusCode::kInvalidArgument);
    bad.from = "2026-03-07";
    bad.to = "2026-03-01";
    CHECK(p.Esf(bad).status().code() == StatusCode::kInvalidArgument);
  }

  SUBCASE("as of an earlier position, the figures then") {
    ReportQuery then;
    then.at = before_frank;
    Result<EsfReport> t = p.Esf(then);
    REQUIRE(t.ok());
    CHECK(t->position == before_frank);
    CHECK(Counts(*t, "EECO01") == V{2, 1, 0, 4});
    CHECK(Counts(*t, "EECR05") == V{0, 0, 0, 0});
    ReportQuery start;
    start.at = 0;
    Result<EsfReport> none = p.Esf(start);
    REQUIRE(none.ok());
    CHECK(Counts(*none, "EECO01") == V{0, 0, 0, 0});
  }

  SUBCASE(
      "the special-category copies kept for reports count as the events do; erasure erases them") {
    // The reader of the events alone: what a report read before copies were kept. The report
    // calls it on a second thread too, so a failed read is counted and checked here.
    const EventStore& log = *p.store;
    std::atomic<int> failed_reads{0};
    SealedReader from_events = [&log, &failed_reads](
                                   const runtime::PathwayState& row,
                                   const std::string& field) -> std::optional<nlohmann::json> {
      const auto at = row.personal_at.find(field);
      if (at == row.personal_at.end()) return std::nullopt;
      Result<StreamPage> page = log.ReadStream(row.pathway_id, at->second, 1);
      Result<std::vector<RevealedPersonal>> parts =
          page.ok() && !page->events.empty() ? log.RevealPersonal(page->events.front())
                                             : Result<std::vector<RevealedPersonal>>(page.status());
      if (!parts.ok()) {
        ++failed_reads;
        return std::nullopt;
      }
      for (const RevealedPersonal& part : *parts) {
        if (part.scope != PersonalScope::kSpecial || !part.fields) continue;
        if (auto v = part.fields->find(field.substr(field.find('.') + 1)); v != part.fields->end())
          return *v;
      }
      return std::nullopt;
    };
    RowSource rows = [&](const std::function<bool(const runtime::PathwayState&)>& visit) {
      return p.store->VisitReportRows(std::nullopt, visit);
    };
    Result<EsfReport> by_events = EsfFigures(p.config, *p.catalog, rows, {}, from_events);
    REQUIRE(by_events.ok());
    REQUIRE(failed_reads == 0);
    for (const IndicatorFigures& f : r->indicators) {
      CHECK_MESSAGE(Counts(*by_events, f.code) == Counts(*r, f.code), f.code);
    }

    Result<std::optional<runtime::PathwayState>> anna = p.store->LoadPathway("anna");
    REQUIRE(anna.ok());
    REQUIRE(anna->has_value());
    const std::uint64_t sealed_at = (*anna)->personal_at.at("special.disability");
    Result<std::optional<RevealedPersonal>> kept =
        p.store->KeptSpecialItems("p-anna", "anna", sealed_at);
    REQUIRE(kept.ok());
    REQUIRE(kept->has_value());
    CHECK((*kept)->fields->at("disability") == "yes");
    Result<std::optional<RevealedPersonal>> none = p.store->KeptSpecialItems("p-anna", "anna", 1);
    REQUIRE(none.ok());
    CHECK_FALSE(none->has_value());  // the lead sealed identity only

    // The report's reader walks the copies in key order; in any other order, and past the
    // last, it answers what point reads answer.
    struct Wanted {
      std::string participant, pathway;
      std::uint64_t version;
    };
    std::vector<Wanted> wanted;
    REQUIRE(
        p.store
            ->VisitReportRows(std::nullopt,
                              [&](const runtime::PathwayState& row) {
                                wanted.push_back({row.participant_id, row.pathway_id, 1});
                                for (const auto& [field, version] : row.personal_at) {
                                  if (field.starts_with("special.")) {
                                    wanted.push_back({row.participant_id, row.pathway_id, version});
                                  }
                                }
                                return true;
                              })
            .ok());
    wanted.push_back({"p-zz", "zz-none", 7});
    auto fields = [](const Result<std::optional<RevealedPersonal>>& r) {
      REQUIRE(r.ok());
      return r->has_value() ? (*r)->fields.value_or(nullptr).dump() : std::string("none");
    };
    std::vector<Wanted> backwards(wanted.rbegin(), wanted.rend());
    std::vector<Wanted> one_then_all = {wanted.back()};
    one_then_all.insert(one_then_all.end(), wanted.begin(), wanted.end());
    int found = 0;
    for (const auto& order : {wanted, backwards, one_then_all}) {
      Result<std::unique_ptr<KeptSpecialReader>> reader = p.store->KeptSpecialInOrder();
      REQUIRE(reader.ok());
      for (const Wanted& w : order) {
        const std::string expected =
            fields(p.store->KeptSpecialItems(w.participant, w.pathway, w.version));
        CHECK_MESSAGE(fields((*reader)->Read(w.participant, w.pathway, w.version)) == expected,
                      w.pathway << " " << w.version);
        found += expected != "none";
      }
    }
    CHECK(found >= 3 * 2);  // Anna's disability and someone else's, in each order

    // A reader made before an erasure reads it as erased once it has happened, as one made after.
    Result<std::unique_ptr<KeptSpecialReader>> made_before = p.store->KeptSpecialInOrder();
    REQUIRE(made_before.ok());
    EraseRequest erase{"p-anna",
                       {PersonalScope::kSpecial},
                       "erase-anna",
                       {"anne", "counsellor"},
                       "the participant asked"};
    REQUIRE(p.store->ErasePersonalData(erase).ok());
    kept = p.store->KeptSpecialItems("p-anna", "anna", sealed_at);
    REQUIRE(kept.ok());
    REQUIRE(kept->has_value());
    CHECK_FALSE((*kept)->fields.has_value());
    Result<std::unique_ptr<KeptSpecialReader>> made_after = p.store->KeptSpecialInOrder();
    REQUIRE(made_after.ok());
    for (auto* reader : {&*made_before, &*made_after}) {
      Result<std::optional<RevealedPersonal>> walked = (*reader)->Read("p-anna", "anna", sealed_at);
      REQUIRE(walked.ok());
      REQUIRE(walked->has_value());
      CHECK_FALSE((*walked)->fields.has_value());
    }
    Result<EsfReport> after = p.Esf();
    REQUIRE(after.ok());
    CHECK(Counts(*after, "EECO12") == V{0, 0, 0, 0});  // Anna's disability is gone with its key
  }

  SUBCASE("shared outside the partnership, small cells are withheld, not zero") {
    ReportQuery shared;
    shared.shared = true;
    shared.name_pathways = true;  // asked for, and still never in a shared report
    Result<EsfReport> s = p.Esf(shared);
    REQUIRE(s.ok());
    const IndicatorFigures& all = Find(*s, "EECO01");
    CHECK(all.by[0].suppressed);
    CHECK(all.by[1].suppressed);
    CHECK_FALSE(all.by[2].suppressed);  // a zero gives no one away
    CHECK_FALSE(all.total.suppressed);
    CHECK(all.total.count == 6);
    const nlohmann::json j = EsfJson(*s);
    CHECK(j["indicators"][0]["by"]["woman"]["count"].is_null());
    CHECK(j["indicators"][0]["by"]["woman"]["suppressed"] == true);
    CHECK_FALSE(j["indicators"][0]["total"].contains("pathways"));
    CHECK_FALSE(j.contains("incomplete"));
    const std::string csv = EsfCsv(*s, "en");
    CHECK(csv.starts_with("code,label,at,Woman,Man,Non-binary,total\n"));
    CHECK(csv.find("\nEECO01,Total number of participants,entry,<5,<5,0,6\n") != std::string::npos);
  }
}

// The report rows as a replay of the log up to `position` leaves them: every pathway's events
// through the appliers, nothing read from the store's rows.
std::map<std::string, runtime::PathwayState> ReplayTo(const EventStore& store,
                                                      std::uint64_t position) {
  std::map<std::string, runtime::PathwayState> states;
  for (std::uint64_t from = 1; from <= position;) {
    Result<AllPage> page = store.ReadAll(from, 256);
    REQUIRE(page.ok());
    for (const RecordedEvent& e : page->events) {
      if (e.position > position) return states;
      if (e.stream_id.front() == '$') continue;
      REQUIRE(runtime::Apply(states[e.stream_id], e).ok());
    }
    if (page->next_position == 0) break;
    from = page->next_position;
  }
  return states;
}

TEST_CASE("reports: the report at a position is the report rebuilt by replaying the log to it") {
  Population p;
  std::mt19937 random(20261201);
  auto pick = [&](std::initializer_list<const char*> options) {
    std::vector<const char*> o(options);
    return std::string(o[random() % o.size()]);
  };
  auto chance = [&](int percent) { return static_cast<int>(random() % 100) < percent; };
  // An entry record, often not complete.
  auto entry = [&] {
    nlohmann::json e = nlohmann::json::object();
    if (chance(85)) e["gender"] = pick({"woman", "man", "non_binary"});
    if (chance(85)) e["employment_status"] = pick({"unemployed", "inactive", "employed"});
    if (chance(50)) e["unemployed_since"] = pick({"2023-05-01", "2025-10-01", "2026-01-15"});
    if (chance(85)) e["education_level"] = pick({"isced_0_2", "isced_3_4", "isced_5_8"});
    if (chance(85)) e["household"] = pick({"other", "single_with_children"});
    if (chance(60)) e["disability"] = pick({"yes", "no", "refused"});
    if (chance(60)) e["minority"] = pick({"yes", "no", "refused"});
    return e;
  };
  std::vector<std::uint64_t> boundaries;  // the last position of every command
  std::vector<std::string> pathways;
  for (int step = 0; step < 600; ++step) {
    p.clock.Advance(static_cast<TimestampMs>(random() % (3 * kDay)));
    if (pathways.empty() || chance(12)) {
      const std::string id = "pw" + std::to_string(pathways.size());
      runtime::RegisterLead lead;
      lead.referral_source = pick({"jobcenter", "union", "outreach"});
      lead.contact_person = pick({"anne", "bo"});
      lead.school = "";
      if (chance(80)) {
        lead.personal[PersonalScope::kIdentity] = {
            {"date_of_birth", std::to_string(1950 + random() % 55) + "-0" +
                                  std::to_string(1 + random() % 9) + "-1" +
                                  std::to_string(random() % 10)}};
      }
      pathways.push_back(id);
      boundaries.push_back(p.Run(id, lead));
      if (chance(70))
        boundaries.push_back(p.Run(id, runtime::FireTrigger{"record_entry", entry()}));
      continue;
    }
    const std::string id = pathways[random() % pathways.size()];
    runtime::Command command = runtime::RecordContact{"phone", 0, "", ""};
    switch (random() % 8) {
      case 0: command = runtime::FireTrigger{"record_entry", entry()}; break;
      case 1: command = runtime::FireTrigger{"hold_intake", {{"age_at_entry", 30}}}; break;
      case 2:  // leaving is rarer than going on
        command = chance(40)
                      ? runtime::FireTrigger{"withdraw", {{"reason", pick({"work", "moved"})}}}
                      : runtime::FireTrigger{"hold_intake", {{"age_at_entry", 30}}};
        break;
      case 3:
        command = runtime::FireTrigger{"record_follow_up_4_weeks",
                                       {{"job_searching", chance(50)}, {"employed", chance(50)}}};
        break;
      case 4:
        command = runtime::FireTrigger{"record_follow_up_6_months", {{"employed", chance(50)}}};
        break;
      case 5: {
        runtime::RecordEmployer e;
        e.name = "Virksomhed";
        e.cvr = pick({"11111114", "22222228", "33333331"});
        e.contact = "Kontakt";
        e.email = "kontakt@example.dk";
        e.sme = chance(70);
        command = e;
        break;
      }
      default: break;  // a contact
    }
    CommandRequest r;
    r.pathway_id = id;
    r.command_id = "c" + std::to_string(++p.commands);
    r.actor = {"anne", "counsellor"};
    r.command = std::move(command);
    Result<AppendResult> done = p.store->Execute(std::move(r));
    if (done.ok()) boundaries.push_back(done->last_position);  // refusals write nothing
  }
  REQUIRE(boundaries.size() > 400);  // the rest were refused (a trigger from the wrong state)

  const config::ReportConfig& c = p.config;
  for (std::size_t i = 0; i < boundaries.size(); i += 7) {
    const std::uint64_t at = boundaries[i];
    // The rows themselves, byte for byte.
    std::map<std::string, std::string> stored;
    REQUIRE(p.store
                ->VisitReportRows(at,
                                  [&](const runtime::PathwayState& row) {
                                    stored[row.pathway_id] = row.ToJson().dump();
                                    return true;
                                  })
                .ok());
    std::map<std::string, runtime::PathwayState> replayed = ReplayTo(*p.store, at);
    std::map<std::string, std::string> expected;
    for (const auto& [id, state] : replayed) {
      expected[id] = runtime::ReportRow(state).ToJson().dump();
    }
    REQUIRE_MESSAGE(stored == expected, "at position " << at);
    // And the report, with every cell's pathways: for all time and for a period.
    ReportQuery period;
    period.from = "2026-03-10";
    period.to = "2026-05-31";
    for (const ReportQuery& base : {ReportQuery{}, period}) {
      ReportQuery q = base;
      q.at = at;
      q.name_pathways = true;
      Result<EsfReport> report = p.Esf(q);
      REQUIRE(report.ok());
      RowSource rows = [&](const std::function<bool(const runtime::PathwayState&)>& visit) {
        for (const auto& [id, state] : replayed) visit(runtime::ReportRow(state));
        return Result<std::uint64_t>(at);
      };
      Result<EsfReport> rebuilt = EsfFigures(c, *p.catalog, rows, q, StoreSealedReader(*p.store));
      REQUIRE(rebuilt.ok());
      CHECK(EsfJson(*report) == EsfJson(*rebuilt));
    }
  }
  // The population is not trivial: participants counted, and some of them left.
  Result<EsfReport> now = p.Esf();
  REQUIRE(now.ok());
  CHECK(Find(*now, "EECO01").total.count > 10);
  CHECK(Find(*now, "EECR01").total.count + Find(*now, "EECR04").total.count > 0);
  CHECK(Find(*now, "EECO12").total.count > 0);
  CHECK_FALSE(now->incomplete.empty());
}

}  // namespace
}  // namespace pathways::app

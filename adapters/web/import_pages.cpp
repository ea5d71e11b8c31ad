// The administrator's imports: leads (/admin/import) and company records
// (/admin/import-companies) from a CSV file a spreadsheet saved. A file is checked row by row
// by the pathway's own rules before anything is written, the problems reported by line; it is
// imported only when every row is good, unless the administrator asks for the good rows alone.

#include <set>

#include "adapters/app/company_import.hpp"
#include "adapters/app/lead_import.hpp"
#include "adapters/web/web_impl.hpp"

namespace pathways::web {
namespace {

// The page's path: /admin/import-companies, or /admin/import for leads.
bool ForCompanies(const std::vector<std::string>& segments) {
  return segments.size() == 2 && segments[1] == "import-companies";
}

// What a plan came to, whichever kind of rows it holds.
struct Checked {
  std::vector<app::ImportProblem> problems;
  std::size_t good = 0;
  bool readable = true;
};

json ProblemRows(const std::vector<app::ImportProblem>& problems) {
  json rows = json::array();
  for (const app::ImportProblem& problem : problems) {
    rows.push_back({{"line", std::to_string(problem.line)}, {"what", problem.what}});
  }
  return rows;
}

}  // namespace

void Web::Impl::ImportForm(Page& p, json model, int status) {
  const bool companies = ForCompanies(p.segments);
  const std::string path = companies ? "/admin/import-companies" : "/admin/import";
  const std::string title = companies ? "import_companies_title" : "import_title";
  model["csrf"] = p.session->csrf;
  model["action"] = path;
  model["companies"] = companies;
  model["admin_nav"] = AdminNav(p, path);
  Send(p, status, Message(p.lang, title), RenderTemplate("import", model, p.lang), "/admin");
}

void Web::Impl::Import(Page& p) {
  const bool companies = ForCompanies(p.segments);
  const Form form(p.req);
  const std::string text = form.Text("file");
  const bool check_only = form.Text("mode") != "import";
  const bool skip_bad = form.Text("skip_bad") == "true";
  json model = {{"skip_bad", skip_bad}};
  if (text.empty()) {
    model["error"] = Message(p.lang, "import_empty");
    return ImportForm(p, std::move(model), 400);
  }
  auto def = companies ? o.catalog->NewestOfKind(definition::Kind::kCompany) : o.catalog->Newest();
  if (!def) return Error(p, 503, "unavailable", Message(p.lang, "unavailable_text"));
  const app::ImportDirectory directory{o.users, o.schools, Message(p.lang, "users_file")};
  const Actor actor{p.user->id, std::string(config::RoleName(p.user->role))};
  const TimestampMs now = o.clock->NowMs();

  // Each kind plans its rows and says how to import those that are good.
  Checked checked;
  std::function<app::ImportOutcome()> run;
  if (companies) {
    auto plan = std::make_shared<app::CompanyImport>(
        app::PlanCompanyImport(text, *def, *o.catalog, actor, now, directory));
    if (plan->readable) {
      // A CVR with a record from elsewhere is a bad row like any other.
      Result<std::vector<app::ImportProblem>> taken = app::RecordsTaken(*o.store, plan->rows);
      if (!taken.ok()) return Error(p, 503, "unavailable", Message(p.lang, "unavailable_text"));
      std::set<std::size_t> lines;
      for (const app::ImportProblem& t : *taken) lines.insert(t.line);
      std::erase_if(plan->rows,
                    [&](const app::CompanyImportRow& r) { return lines.count(r.line); });
      plan->problems.insert(plan->problems.end(), taken->begin(), taken->end());
      std::stable_sort(plan->problems.begin(), plan->problems.end(),
                       [](const auto& a, const auto& b) { return a.line < b.line; });
    }
    checked = {plan->problems, plan->rows.size(), plan->readable};
    run = [this, plan] { return app::RunCompanyImport(*o.store, std::move(plan->rows)); };
  } else {
    auto plan = std::make_shared<app::LeadImport>(
        app::PlanLeadImport(text, *def, *o.catalog, actor, now, directory));
    checked = {plan->problems, plan->rows.size(), plan->readable};
    run = [this, plan] { return app::RunLeadImport(*o.store, std::move(plan->rows)); };
  }

  model["problems"] = ProblemRows(checked.problems);
  model["has_problems"] = !checked.problems.empty();
  const std::string good = std::to_string(checked.good);
  const std::string bad = std::to_string(checked.problems.size());
  const bool go = !check_only && checked.readable && (checked.problems.empty() || skip_bad);
  if (!go) {
    model["checked"] = checked.problems.empty()
                           ? Message(p.lang, companies ? "import_companies_ready" : "import_ready",
                                     {{"good", good}})
                           : Message(p.lang, "import_not_ready", {{"good", good}, {"bad", bad}});
    if (!check_only) model["nothing"] = Message(p.lang, "import_nothing");
    return ImportForm(p, std::move(model), checked.problems.empty() || check_only ? 200 : 422);
  }
  const app::ImportOutcome done = run();
  for (const app::ImportProblem& refused : done.refused) {
    model["problems"].push_back({{"line", std::to_string(refused.line)}, {"what", refused.what}});
  }
  model["has_problems"] = !model["problems"].empty();
  model["imported"] = Message(p.lang, companies ? "import_companies_done" : "import_done",
                              {{"imported", std::to_string(done.imported)},
                               {"again", std::to_string(done.again)},
                               {"skipped", bad},
                               {"refused", std::to_string(done.refused.size())}});
  ImportForm(p, std::move(model), 200);
}

}  // namespace pathways::web

// The auditor's pages: the chain verified, the log exported, the personal data kept restricted
// until the ESF audit end, a pathway as it stood at a date and why, and who read its
// participant's personal data.

#include "adapters/api/export_stream.hpp"
#include "adapters/app/retention.hpp"
#include "adapters/web/web_impl.hpp"
#include "engine/codec/event_record.hpp"
#include "engine/runtime/calendar.hpp"

namespace pathways::web {

// ---- audit ----------------------------------------------------------------------------------

void Web::Impl::Audit(Page& p) {
  if (!app::Allowed(app::Access::kAudit, *p.user)) {
    return Error(p, 404, "not_found", Message(p.lang, "not_found_text"));
  }
  const std::vector<std::string>& seg = p.segments;
  if (seg.size() == 3 && seg[1] == "pathways") return AuditPathway(p, seg[2]);
  if (seg.size() == 4 && seg[1] == "pathways" && seg[3] == "reads") return AuditReads(p, seg[2]);
  if (seg.size() == 2 && seg[1] == "pathway") {
    // The lookup form: a pathway's id (pseudonymous) to its page.
    const std::string* id = p.req.Query("id");
    if (id == nullptr || id->empty() || id->find_first_of("/?#%") != std::string::npos) {
      return p.respond(Redirect("/audit"));
    }
    return p.respond(Redirect("/audit/pathways/" + *id));
  }
  if (seg.size() == 2 && seg[1] == "export") return AuditExport(p);
  if (seg.size() != 1 && !(seg.size() == 2 && seg[1] == "verify")) {
    return Error(p, 404, "not_found", Message(p.lang, "not_found_text"));
  }
  json model = {{"verified", false}};
  if (seg.size() == 2) {
    // The whole chain walked: on this thread, as an auditor waits for the answer anyway.
    auto report = o.store->Verify();
    if (!report.ok()) return Error(p, 503, "unavailable", report.status().message());
    model = {{"verified", true},
             {"ok", report->ok},
             {"events", std::to_string(report->events)},
             {"head_position", std::to_string(report->head.position)},
             {"head_hash", codec::HexEncode(report->head.hash)},
             {"problem", report->ok ? "" : report->problem},
             {"first_bad", report->ok ? "" : std::to_string(report->first_bad_position)}};
  }
  // The export: whose pathways this user may take (a school's own, or any for the partnership).
  json schools = json::array();
  if (o.schools != nullptr) {
    if (p.user->school.empty())
      schools.push_back({{"id", ""}, {"name", Message(p.lang, "whole_partnership")}});
    for (const auto& [id, s] : *o.schools) {
      if (workspace.SeesSchool(*p.user, id)) schools.push_back({{"id", id}, {"name", s.name}});
    }
  }
  model["schools"] = schools;
  model["has_schools"] = schools.size() > 1;
  model["head"] = std::to_string(o.store->Head().position);
  // What is kept, restricted, until the audit end, and what has since been erased.
  Result<std::vector<app::Restriction>> restrictions = app::Restrictions(*o.store);
  if (!restrictions.ok()) return Error(p, 503, "unavailable", restrictions.status().message());
  json kept = json::array();
  for (const app::Restriction& r : *restrictions) {
    kept.push_back({{"participant", r.participant_id},
                    {"until", r.until},
                    {"by", UserName(r.actor.user)},
                    {"at", When(r.requested_at, p.lang)},
                    {"reason", r.reason},
                    {"status", r.erased_at ? Message(p.lang, "audit_restriction_erased",
                                                     {{"when", When(*r.erased_at, p.lang)}})
                                           : Message(p.lang, "audit_restriction_kept")}});
  }
  model["restrictions"] = kept;
  model["has_restrictions"] = !kept.empty();
  Send(p, 200, Message(p.lang, "nav_audit"), RenderTemplate("audit", model, p.lang), "/audit");
}

void Web::Impl::AuditExport(Page& p) {
  ExportOptions options;
  const std::string* format = p.req.Query("format");
  options.format =
      format != nullptr && *format == "csv" ? ExportFormat::kCsv : ExportFormat::kJsonLines;
  for (const auto& [name, into] :
       {std::pair{"from", &options.from_position}, std::pair{"to", &options.to_position}}) {
    const std::string* v = p.req.Query(name);
    if (v == nullptr || v->empty()) continue;
    if (v->size() > 19 || v->find_first_not_of("0123456789") != std::string::npos ||
        std::stoull(*v) == 0) {
      return Error(p, 400, "bad_position", Message(p.lang, "bad_position_text"));
    }
    *into = std::stoull(*v);
  }
  const std::string* asked = p.req.Query("school");
  Result<std::string> school = workspace.ExportSchool(*p.user, asked);
  if (!school.ok()) return Error(p, 404, "not_found", Message(p.lang, "not_found_text"));
  options.school = *school;
  // Streamed like the API's, personal data sealed; this page's headers besides.
  p.respond(Secured(api::ExportResponse(
      *o.store, options, [this](std::function<void()> job) { jobs.Run(std::move(job)); })));
}

void Web::Impl::AuditPathway(Page& p, const std::string& id) {
  // The day asked for, to its end in Danish time; today when none is given.
  TimestampMs at = o.clock->NowMs();
  std::string day;
  if (const std::string* given = p.req.Query("at"); given != nullptr && !given->empty()) {
    TimestampMs start = 0;
    if (!runtime::ParseDate(*given, start)) {
      return Error(p, 400, "bad_date", Message(p.lang, "bad_date_text"));
    }
    at = runtime::DayStart(runtime::DayNumber(start) + 1) - 1;
    day = *given;
  }
  Result<app::AsOfView> view = workspace.AsOf(*p.user, id, at);
  if (!view.ok()) {
    if (view.status().code() != StatusCode::kNotFound) {
      return Error(p, 503, "unavailable", view.status().message());
    }
    // Visible but not yet there on that day, or no such pathway at all.
    if (!workspace.Pathway(*p.user, id).ok()) {
      return Error(p, 404, "not_found", Message(p.lang, "not_found_text"));
    }
    return Error(p, 404, "not_yet", Message(p.lang, "not_yet_text"));
  }
  auto def = o.catalog->Find(view->state.definition_id, view->state.definition_version);
  json history = json::array();
  std::string why;
  for (const RecordedEvent& e : view->history) {
    const json data = json::parse(e.data, nullptr, false);
    std::string what = Message(p.lang, "event_" + e.type);
    if (const std::string detail = Detail(e.type, data, def.get(), p.lang); !detail.empty()) {
      what += ": " + detail;
    }
    if (e.type == "TransitionTaken" && data.is_object()) {
      std::string guards;
      for (const auto& g : data.value("guards", json::array())) {
        if (!g.is_object()) continue;
        if (!guards.empty()) guards += "; ";
        const std::string id = g.value("guard", "");
        guards += (def != nullptr ? GuardInWords(*def, id, p.lang) : id) +
                  (g.value("holds", false) ? " ✓" : " ✗");
      }
      const std::string to = data.value("to", "");
      if (!to.empty()) {
        why = Message(p.lang, "audit_why",
                      {{"trigger", TriggerInWords(def.get(), data.value("trigger", ""),
                                                  data.value("from", ""), p.lang)},
                       {"who", Who(e.actor, def.get(), p.lang)},
                       {"when", When(e.occurred_at, p.lang)},
                       {"guards", guards.empty() ? Message(p.lang, "none") : guards}});
      }
    }
    history.push_back({{"position", std::to_string(e.position)},
                       {"what", what},
                       {"type", e.type},
                       {"when", When(e.occurred_at, p.lang)},
                       {"who", Who(e.actor, def.get(), p.lang)}});
  }
  std::reverse(history.begin(), history.end());
  json rejections = json::array();
  for (const Rejection& r : view->rejections) {
    rejections.push_back(
        {{"when", When(r.at, p.lang)},
         {"who", UserName(r.actor.user)},
         {"what", r.trigger.empty() ? r.command : TriggerInWords(def.get(), r.trigger, "", p.lang)},
         {"reason", RefusalInWords(r.reason, def.get(), p.lang)}});
  }
  const json model = {
      {"id", id},
      {"day", day},
      {"at", When(at, p.lang)},
      {"state", def ? LabelOf(def->states, view->state.state, p.lang) : view->state.state},
      {"status", Message(p.lang, "status_" + std::string(runtime::StatusName(view->state.status)))},
      {"contact_person", UserName(view->state.contact_person)},
      {"version", std::to_string(view->state.version)},
      {"why", why},
      {"history", history},
      {"rejections", rejections},
      {"has_rejections", !rejections.empty()}};
  Send(p, 200, Message(p.lang, "audit_pathway", {{"id", id}}),
       RenderTemplate("audit_pathway", model, p.lang), "/audit");
}

void Web::Impl::AuditReads(Page& p, const std::string& id) {
  Result<std::vector<RecordedEvent>> reads = workspace.PersonalReads(*p.user, id, 1000);
  if (!reads.ok()) return Error(p, 404, "not_found", Message(p.lang, "not_found_text"));
  json list = json::array();
  for (auto it = reads->rbegin(); it != reads->rend(); ++it) {
    const json data = json::parse(it->data, nullptr, false);
    std::string scopes;
    for (const auto& sc : data.is_object() ? data.value("scopes", json::array()) : json::array()) {
      if (!scopes.empty()) scopes += ", ";
      scopes += sc.is_string() ? Message(p.lang, "scope_" + sc.get<std::string>()) : "";
    }
    list.push_back({{"when", When(it->occurred_at, p.lang)},
                    {"who", UserName(it->actor.user)},
                    {"role", Message(p.lang, "role_" + it->actor.role)},
                    {"scopes", scopes},
                    {"purpose", data.is_object() ? data.value("purpose", "") : ""}});
  }
  Send(p, 200, Message(p.lang, "audit_reads"),
       RenderTemplate("audit_reads", {{"id", id}, {"reads", list}}, p.lang), "/audit");
}

}  // namespace pathways::web

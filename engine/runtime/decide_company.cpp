// The decider's company: a company's record, the contacts with it, its contact persons and
// the needs the dialogue uncovers (docs/companies.md). The steps of the dialogue are the
// definition's transitions, decided like a participant's.

#include <algorithm>
#include <set>
#include <type_traits>

#include "engine/runtime/calendar.hpp"
#include "engine/runtime/company.hpp"
#include "engine/runtime/cvr.hpp"
#include "engine/runtime/decider.hpp"

namespace pathways::runtime::internal {
namespace {

template <class C>
constexpr bool kCompanyCommand =
    std::is_same_v<C, RegisterCompany> || std::is_same_v<C, RecordCompany> ||
    std::is_same_v<C, RecordCompanyContact> || std::is_same_v<C, RecordContactPerson> ||
    std::is_same_v<C, RemoveContactPerson> || std::is_same_v<C, RecordCompanyNeed>;
template <class C>
constexpr bool kParticipantCommand =
    std::is_same_v<C, RegisterLead> || std::is_same_v<C, RecordContact> ||
    std::is_same_v<C, RecordMissedAppointment> || std::is_same_v<C, RecordBarrier> ||
    std::is_same_v<C, RecordEmployer> || std::is_same_v<C, RecordMunicipality> ||
    std::is_same_v<C, BookAppointment> || std::is_same_v<C, MoveAppointment> ||
    std::is_same_v<C, CancelAppointment> || std::is_same_v<C, GiveInformationNotice> ||
    std::is_same_v<C, RecordConsent>;

constexpr std::size_t kMaxText = 2000;  // a name, a role, competences: one form field
constexpr std::size_t kMaxNotes = 20000;
constexpr std::size_t kMaxListed = 50;  // tags, courses, people on one contact
constexpr TimestampMs kDayMs = 24LL * 3600 * 1000;

std::string Listed(const std::map<std::string, definition::Label>& codes) {
  std::string out;
  for (const auto& [code, label] : codes) out += (out.empty() ? "" : ", ") + code;
  return out;
}

// Tags of the definition, each once.
Status CheckGreen(const std::vector<std::string>& tags, const definition::Definition& def) {
  if (tags.size() > kMaxListed) return Status::InvalidArgument("at most 50 green tags");
  std::set<std::string> seen;
  for (const std::string& tag : tags) {
    if (!def.green_tags.count(tag)) {
      return Status::InvalidArgument("green tag `" + tag + "` is not one of " + def.id + "'s (" +
                                     Listed(def.green_tags) + ")");
    }
    if (!seen.insert(tag).second) {
      return Status::InvalidArgument("green tag `" + tag + "` is named twice");
    }
  }
  return Status::Ok();
}

std::string NextId(char prefix, std::uint64_t sequence) {
  return std::string(1, prefix) + std::to_string(sequence + 1);
}

}  // namespace

Status Decider::CheckKind(const Command& command) const {
  const bool company = ctx_.definition.kind == definition::Kind::kCompany;
  return std::visit(
      [&](const auto& c) -> Status {
        using C = std::decay_t<decltype(c)>;
        if (company && kParticipantCommand<C>) {
          return Status::InvalidArgument(std::string(CommandName(command)) +
                                         " is a participant's; " + ctx_.pathway_id +
                                         " is a company's record (" + ctx_.definition.id + ")");
        }
        if (!company && kCompanyCommand<C>) {
          return Status::InvalidArgument(std::string(CommandName(command)) +
                                         " is for a company's record; " + ctx_.definition.id +
                                         " is a participants' definition");
        }
        if (!company && std::is_same_v<C, RegisterLead> &&
            ctx_.pathway_id.starts_with(kCompanyPathwayPrefix)) {
          return Status::InvalidArgument(
              "pathway ids starting with `company-` are company records'");
        }
        return Status::Ok();
      },
      command);
}

Status Decider::CheckCompany(const CompanyFields& f) const {
  const definition::Definition& def = ctx_.definition;
  if (!IsValidCvr(f.cvr)) {
    return Status::InvalidArgument(
        "`cvr` is not a CVR number: eight digits that pass the register's modulus-11 check");
  }
  if (f.name.empty() || f.name.size() > 200) {
    return Status::InvalidArgument("a company needs its `name` (at most 200 bytes)");
  }
  if (!f.p_number.empty() && !IsPNumber(f.p_number)) {
    return Status::InvalidArgument("`p_number` is a workplace's P-number: ten digits");
  }
  if (!definition::IsSizeBand(f.size_band)) {
    return Status::InvalidArgument(
        "`size_band` is micro, small, medium or large (the EU's "
        "definition: under 10, 50, 250 staff, or more)");
  }
  if (!def.industries.count(f.industry)) {
    return Status::InvalidArgument("industry `" + f.industry + "` is not a DB07 code of " + def.id +
                                   " (docs/companies.md lists them)");
  }
  if (!f.municipality.empty() && !IsDigits(f.municipality, 3)) {
    return Status::InvalidArgument("a municipality is named by its code of 3 digits (751: Aarhus)");
  }
  return CheckGreen(f.green, def);
}

Status Decider::Handle(const RegisterCompany& c) {
  const CompanyFields& f = c.company;
  if (Status st = CheckCompany(f); !st.ok()) return st;
  if (ctx_.pathway_id != CompanyPathwayId(f.cvr)) {
    return Status::InvalidArgument("a company's record is the pathway " + CompanyPathwayId(f.cvr));
  }
  if (s_.exists()) {
    return Status::Rejected("company " + f.cvr + " has a record already (" + s_.company.name + ")");
  }
  Status st = Emit(events::CompanyRegistered{
      {f.cvr, f.name, f.p_number, f.size_band, f.industry, f.municipality, f.green},
      ctx_.definition.initial,
      c.school});
  if (st.ok()) st = SyncTimers();
  if (st.ok() && !c.consultant.empty()) st = Handle(AssignContactPerson{c.consultant, "", "", ""});
  return st;
}

Status Decider::Handle(const RecordCompany& c) {
  if (c.reason.empty()) return Status::InvalidArgument("say why the record changes (`reason`)");
  CompanyFields f = c.company;
  if (f.cvr.empty()) f.cvr = s_.company.cvr;
  if (f.cvr != s_.company.cvr) {
    return Status::InvalidArgument("a record keeps its CVR number (" + s_.company.cvr +
                                   "): another company is another record");
  }
  if (Status st = CheckCompany(f); !st.ok()) return st;
  const Company& now = s_.company;
  if (f.name == now.name && f.p_number == now.p_number && f.size_band == now.size_band &&
      f.industry == now.industry && f.municipality == s_.municipality && f.green == now.green) {
    return Status::Rejected("the record is like this already");
  }
  return Emit(events::CompanyRecorded{
      {f.cvr, f.name, f.p_number, f.size_band, f.industry, f.municipality, f.green}, c.reason});
}

Status Decider::Handle(const RecordCompanyContact& c) {
  if (!IsContactForm(c.form)) {
    return Status::InvalidArgument("`form` is visit, phone, meeting or event, not `" + c.form +
                                   "`");
  }
  const TimestampMs at = c.at == 0 ? ctx_.now : c.at;
  if (at > ctx_.now + kDayMs)
    return Status::InvalidArgument("a contact is recorded once it took place");
  if (at < s_.created_at - 366 * kDayMs) {
    return Status::InvalidArgument("a contact more than a year before the record was made");
  }
  if (c.minutes > 24 * 60)
    return Status::InvalidArgument("a contact lasts at most a day (1440 minutes)");
  if (c.staff.size() > kMaxListed || c.persons.size() > kMaxListed) {
    return Status::InvalidArgument("at most 50 people on one contact");
  }
  for (const std::string& person : c.persons) {
    if (!s_.company.persons.count(person)) {
      return Status::InvalidArgument("contact person `" + person + "` is not on " +
                                     s_.company.name + "'s record");
    }
  }
  if (c.topic.size() > kMaxText || c.notes.size() > kMaxNotes) {
    return Status::InvalidArgument("a topic is at most 2000 bytes, notes at most 20000");
  }
  const std::string id = NextId('k', s_.sequence);
  std::vector<std::string> staff = c.staff;
  if (staff.empty()) staff.push_back(ctx_.actor.user);
  std::map<PersonalScope, nlohmann::json> personal;
  if (!c.notes.empty()) personal[PersonalScope::kGuidance] = {{"notes:" + id, c.notes}};
  Status st =
      Emit(events::CompanyContactRecorded{id, c.form, at, c.minutes, staff, c.persons, c.topic},
           std::move(personal));
  return st.ok() ? Restart("contact") : st;
}

Status Decider::Handle(const RecordContactPerson& c) {
  const bool added = c.person_id.empty();
  if (!added && !s_.company.persons.count(c.person_id)) {
    return Status::NotFound("contact person `" + c.person_id + "` is not on the record");
  }
  if (c.name.empty() || c.name.size() > 200) {
    return Status::InvalidArgument("a contact person needs a `name` (at most 200 bytes)");
  }
  if (!c.email.empty() && !PlausibleEmail(c.email)) {
    return Status::InvalidArgument("`email` is not an email address");
  }
  if (c.role.size() > 200 || c.phone.size() > 40) {
    return Status::InvalidArgument("a role is at most 200 bytes, a phone number 40");
  }
  const std::string id = added ? NextId('p', s_.sequence) : c.person_id;
  nlohmann::json sealed = {{"name", c.name}};
  if (!c.email.empty()) sealed["email"] = c.email;
  if (!c.phone.empty()) sealed["phone"] = c.phone;
  return Emit(events::ContactPersonRecorded{id, c.role},
              {{PersonalScope::kIdentity, {{"contact:" + id, std::move(sealed)}}}});
}

Status Decider::Handle(const RemoveContactPerson& c) {
  if (!s_.company.persons.count(c.person_id)) {
    return Status::NotFound("contact person `" + c.person_id + "` is not on the record");
  }
  return Emit(events::ContactPersonRemoved{c.person_id, c.reason});
}

Status Decider::Handle(const RecordCompanyNeed& c) {
  const bool added = c.need_id.empty();
  if (!added && !s_.company.needs.count(c.need_id)) {
    return Status::NotFound("need `" + c.need_id + "` is not on the record");
  }
  if (c.competences.empty() || c.competences.size() > kMaxText) {
    return Status::InvalidArgument("a need says which `competences` (at most 2000 bytes)");
  }
  if (c.amu_courses.size() > kMaxListed) return Status::InvalidArgument("at most 50 AMU courses");
  for (const std::string& course : c.amu_courses) {
    if (course.empty() || course.size() > 200) {
      return Status::InvalidArgument("an AMU course is named by its number or title (1-200 bytes)");
    }
  }
  if (c.staff > 100000) return Status::InvalidArgument("`staff` is at most 100000");
  TimestampMs from = 0;
  TimestampMs to = 0;
  if (!c.release_from.empty() && !ParseDate(c.release_from, from)) {
    return Status::InvalidArgument("`release_from` is not a date (YYYY-MM-DD)");
  }
  if (!c.release_to.empty() && !ParseDate(c.release_to, to)) {
    return Status::InvalidArgument("`release_to` is not a date (YYYY-MM-DD)");
  }
  if (from != 0 && to != 0 && to < from) {
    return Status::InvalidArgument("`release_to` is before `release_from`");
  }
  if (Status st = CheckGreen(c.green, ctx_.definition); !st.ok()) return st;
  const std::string id = added ? NextId('n', s_.sequence) : c.need_id;
  if (!added) {
    const CompanyNeed& was = s_.company.needs.at(id);
    if (was.competences == c.competences && was.amu_courses == c.amu_courses &&
        was.staff == c.staff && was.release_from == c.release_from &&
        was.release_to == c.release_to && was.green == c.green) {
      return Status::Rejected("need " + id + " is recorded like this already");
    }
  }
  return Emit(events::CompanyNeedRecorded{id, c.competences, c.amu_courses, c.staff, c.release_from,
                                          c.release_to, c.green});
}

}  // namespace pathways::runtime::internal

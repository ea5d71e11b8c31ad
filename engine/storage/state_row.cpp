#include "engine/storage/state_row.hpp"

#include "engine/codec/bytes.hpp"
#include "engine/codec/msgpack.hpp"
#include "engine/storage/store_format.hpp"

namespace pathways::storage {
namespace {

using codec::PutStr32;
using codec::PutU32;
using codec::PutU64;

void PutTime(std::string& out, TimestampMs t) { PutU64(out, static_cast<std::uint64_t>(t)); }

// Reads a format 2 to 6 row front to back; any short read leaves ok() false.
class RowReader {
 public:
  explicit RowReader(std::string_view in) : r_(in) {}

  bool ok() const { return ok_; }
  bool done() const { return ok_ && r_.remaining() == 0; }

  std::string Str() { return std::string(View()); }
  // A string's bytes where they lie in the row.
  std::string_view View() {
    std::string_view s;
    ok_ = ok_ && r_.GetStr32(s);
    return ok_ ? s : std::string_view();
  }
  template <typename T>
  T Int() {
    T v{};
    ok_ = ok_ && r_.GetLittle(v);
    return v;
  }
  TimestampMs Time() { return static_cast<TimestampMs>(Int<std::uint64_t>()); }
  // A count of entries, each at least `min_bytes` long: a corrupt count cannot make the
  // reader loop for billions of entries.
  std::uint32_t Count(std::size_t min_bytes) {
    const auto n = Int<std::uint32_t>();
    ok_ = ok_ && n <= r_.remaining() / min_bytes;
    return ok_ ? n : 0;
  }

 private:
  codec::ByteReader r_;
  bool ok_ = true;
};

std::vector<std::string> ReadStrings(RowReader& r) {
  std::vector<std::string> out;
  for (std::uint32_t i = 0, n = r.Count(4); i < n; ++i) out.push_back(r.Str());
  return out;
}

void ReadCompany(RowReader& r, runtime::Company& c) {
  c.cvr = r.Str();
  c.name = r.Str();
  c.p_number = r.Str();
  c.size_band = r.Str();
  c.industry = r.Str();
  c.green = ReadStrings(r);
  c.first_contact_at = r.Time();
  for (std::uint32_t i = 0, n = r.Count(16); i < n; ++i) {
    std::string id = r.Str();
    runtime::ContactPerson& p = c.persons[std::move(id)];
    p.role = r.Str();
    p.since = r.Time();
  }
  for (std::uint32_t i = 0, n = r.Count(40); i < n; ++i) {
    std::string id = r.Str();
    runtime::CompanyNeed& need = c.needs[std::move(id)];
    need.competences = r.Str();
    need.amu_courses = ReadStrings(r);
    need.staff = r.Int<std::uint32_t>();
    need.release_from = r.Str();
    need.release_to = r.Str();
    need.green = ReadStrings(r);
    need.recorded_at = r.Time();
  }
}

void PutStrings(std::string& out, const std::vector<std::string>& items) {
  PutU32(out, static_cast<std::uint32_t>(items.size()));
  for (const std::string& item : items) PutStr32(out, item);
}

void PutCompany(std::string& out, const runtime::Company& c) {
  PutStr32(out, c.cvr);
  PutStr32(out, c.name);
  PutStr32(out, c.p_number);
  PutStr32(out, c.size_band);
  PutStr32(out, c.industry);
  PutStrings(out, c.green);
  PutTime(out, c.first_contact_at);
  PutU32(out, static_cast<std::uint32_t>(c.persons.size()));
  for (const auto& [id, p] : c.persons) {
    PutStr32(out, id);
    PutStr32(out, p.role);
    PutTime(out, p.since);
  }
  PutU32(out, static_cast<std::uint32_t>(c.needs.size()));
  for (const auto& [id, need] : c.needs) {
    PutStr32(out, id);
    PutStr32(out, need.competences);
    PutStrings(out, need.amu_courses);
    PutU32(out, need.staff);
    PutStr32(out, need.release_from);
    PutStr32(out, need.release_to);
    PutStrings(out, need.green);
    PutTime(out, need.recorded_at);
  }
}

Result<runtime::PathwayState> DecodeBinary(std::string_view pathway_id, std::string_view body,
                                           std::uint8_t format) {
  RowReader r(body);
  runtime::PathwayState s;
  s.pathway_id = r.Str();
  s.participant_id = r.Str();
  s.definition_id = r.Str();
  s.definition_version = r.Int<std::uint32_t>();
  s.definition_hash = r.Str();
  s.version = r.Int<std::uint64_t>();
  s.state = r.Str();
  const auto status = r.Int<std::uint8_t>();
  s.contact_person = r.Str();
  const std::string_view data = r.View();  // decoded last, once the rest has been read
  s.created_at = r.Time();
  s.last_contact_at = r.Time();
  s.sequence = r.Int<std::uint64_t>();
  for (std::uint32_t i = 0, n = r.Count(12); i < n; ++i) {
    std::string id = r.Str();
    s.milestones[std::move(id)] = r.Time();
  }
  for (std::uint32_t i = 0, n = r.Count(24); i < n; ++i) {
    runtime::RiskFlag risk;
    risk.id = r.Str();
    risk.type = r.Str();
    risk.severity = r.Str();
    risk.raised_by = r.Str();
    risk.raised_at = r.Time();
    s.open_risks[risk.id] = std::move(risk);
  }
  for (std::uint32_t i = 0, n = r.Count(32); i < n; ++i) {
    runtime::Task task;
    task.id = r.Str();
    task.kind = r.Str();
    task.title_da = r.Str();
    task.title_en = r.Str();
    task.assignee = r.Str();
    task.due_at = r.Time();
    task.status = r.Str();
    s.open_tasks[task.id] = std::move(task);
  }
  for (std::uint32_t i = 0, n = r.Count(20); i < n; ++i) {
    std::string id = r.Str();
    runtime::ArmedTimer t;
    t.armed_at = r.Time();
    t.due_at = r.Time();
    s.timers[std::move(id)] = t;
  }
  for (std::uint32_t i = 0, n = r.Count(12); i < n; ++i) {
    std::string id = r.Str();
    s.spent_timers[std::move(id)] = r.Time();
  }
  // Format 3: the school, the participant's own partners, appointments and consent.
  if (format >= 3) {
    s.school = r.Str();
    s.employer.name = r.Str();
    s.employer.cvr = r.Str();
    s.employer.contact = r.Str();
    s.employer.email = r.Str();
    s.employer.phone = r.Str();
    s.employer.sme = r.Int<std::uint8_t>() != 0;
    s.municipality = r.Str();
    for (std::uint32_t i = 0, n = r.Count(30); i < n; ++i) {
      runtime::Appointment a;
      a.id = r.Str();
      a.starts_at = r.Time();
      a.ends_at = r.Time();
      a.place = r.Str();
      a.online = r.Int<std::uint8_t>() != 0;
      a.topic = r.Str();
      a.reminded = r.Int<std::uint8_t>() != 0;
      s.appointments[a.id] = std::move(a);
    }
    s.consent.notice_version = r.Str();
    s.consent.given = r.Int<std::uint8_t>() != 0;
    for (std::uint32_t i = 0, n = r.Count(4); i < n; ++i) s.consent.channels.push_back(r.Str());
  }
  // Format 4: the path so far.
  if (format >= 4) {
    for (std::uint32_t i = 0, n = r.Count(16); i < n; ++i) {
      std::string id = r.Str();
      runtime::StateEntry entry;
      entry.at = r.Time();
      entry.from = r.Str();
      s.entered[std::move(id)] = std::move(entry);
    }
    s.contacts = r.Int<std::uint32_t>();
    for (std::uint32_t i = 0, n = r.Count(12); i < n; ++i) {
      std::string field = r.Str();
      s.personal_at[std::move(field)] = r.Int<std::uint64_t>();
    }
  }
  // Format 6: the company that referred a participant, and a company's record after a byte
  // saying whether there is one.
  if (format >= 6) {
    s.referred_by_company = r.Str();
    if (r.Int<std::uint8_t>() != 0) ReadCompany(r, s.company);
  }
  // The message is built only for a row that fails: a report decodes every row.
  auto corrupt = [&](std::string_view what) {
    return Status::Corruption("pathway " + std::string(pathway_id) + " has a state row that " +
                              std::string(what));
  };
  if (!r.done()) return corrupt("is truncated or too long");
  if (status > static_cast<std::uint8_t>(runtime::PathwayStatus::kClosed)) {
    return corrupt("has an unknown status");
  }
  s.status = static_cast<runtime::PathwayStatus>(status);
  // Format 5 holds the data as MessagePack, earlier ones as JSON text.
  if (format >= 5) {
    if (!codec::ReadMsgpack(data, s.data)) return corrupt("holds unreadable data");
  } else {
    s.data = nlohmann::json::parse(data, nullptr, /*allow_exceptions=*/false);
    if (s.data.is_discarded()) return corrupt("holds unreadable data");
  }
  return s;
}

}  // namespace

std::string EncodeStateRow(const runtime::PathwayState& s) {
  std::string out;
  out.reserve(512);
  codec::PutU8(out, kPathwayValueFormat);
  PutStr32(out, s.pathway_id);
  PutStr32(out, s.participant_id);
  PutStr32(out, s.definition_id);
  PutU32(out, s.definition_version);
  PutStr32(out, s.definition_hash);
  PutU64(out, s.version);
  PutStr32(out, s.state);
  codec::PutU8(out, static_cast<std::uint8_t>(s.status));
  PutStr32(out, s.contact_person);
  std::string data;
  codec::AppendMsgpack(data, s.data);
  PutStr32(out, data);
  PutTime(out, s.created_at);
  PutTime(out, s.last_contact_at);
  PutU64(out, s.sequence);
  PutU32(out, static_cast<std::uint32_t>(s.milestones.size()));
  for (const auto& [id, at] : s.milestones) {
    PutStr32(out, id);
    PutTime(out, at);
  }
  PutU32(out, static_cast<std::uint32_t>(s.open_risks.size()));
  for (const auto& [id, risk] : s.open_risks) {
    PutStr32(out, id);
    PutStr32(out, risk.type);
    PutStr32(out, risk.severity);
    PutStr32(out, risk.raised_by);
    PutTime(out, risk.raised_at);
  }
  PutU32(out, static_cast<std::uint32_t>(s.open_tasks.size()));
  for (const auto& [id, task] : s.open_tasks) {
    PutStr32(out, id);
    PutStr32(out, task.kind);
    PutStr32(out, task.title_da);
    PutStr32(out, task.title_en);
    PutStr32(out, task.assignee);
    PutTime(out, task.due_at);
    PutStr32(out, task.status);
  }
  PutU32(out, static_cast<std::uint32_t>(s.timers.size()));
  for (const auto& [id, t] : s.timers) {
    PutStr32(out, id);
    PutTime(out, t.armed_at);
    PutTime(out, t.due_at);
  }
  PutU32(out, static_cast<std::uint32_t>(s.spent_timers.size()));
  for (const auto& [id, due_at] : s.spent_timers) {
    PutStr32(out, id);
    PutTime(out, due_at);
  }
  PutStr32(out, s.school);
  PutStr32(out, s.employer.name);
  PutStr32(out, s.employer.cvr);
  PutStr32(out, s.employer.contact);
  PutStr32(out, s.employer.email);
  PutStr32(out, s.employer.phone);
  codec::PutU8(out, s.employer.sme ? 1 : 0);
  PutStr32(out, s.municipality);
  PutU32(out, static_cast<std::uint32_t>(s.appointments.size()));
  for (const auto& [id, a] : s.appointments) {
    PutStr32(out, id);
    PutTime(out, a.starts_at);
    PutTime(out, a.ends_at);
    PutStr32(out, a.place);
    codec::PutU8(out, a.online ? 1 : 0);
    PutStr32(out, a.topic);
    codec::PutU8(out, a.reminded ? 1 : 0);
  }
  PutStr32(out, s.consent.notice_version);
  codec::PutU8(out, s.consent.given ? 1 : 0);
  PutU32(out, static_cast<std::uint32_t>(s.consent.channels.size()));
  for (const auto& channel : s.consent.channels) PutStr32(out, channel);
  PutU32(out, static_cast<std::uint32_t>(s.entered.size()));
  for (const auto& [id, entry] : s.entered) {
    PutStr32(out, id);
    PutTime(out, entry.at);
    PutStr32(out, entry.from);
  }
  PutU32(out, s.contacts);
  PutU32(out, static_cast<std::uint32_t>(s.personal_at.size()));
  for (const auto& [field, version] : s.personal_at) {
    PutStr32(out, field);
    PutU64(out, version);
  }
  PutStr32(out, s.referred_by_company);
  codec::PutU8(out, s.is_company() ? 1 : 0);
  if (s.is_company()) PutCompany(out, s.company);
  return out;
}

Result<runtime::PathwayState> DecodeStateRow(std::string_view pathway_id, std::string_view value) {
  const std::uint8_t format = value.empty() ? 0 : static_cast<std::uint8_t>(value[0]);
  if (format == kPathwayValueFormat || format == kPathwayValueFormatV5 ||
      format == kPathwayValueFormatV4 || format == kPathwayValueFormatV3 ||
      format == kPathwayValueFormatV2) {
    return DecodeBinary(pathway_id, value.substr(1), format);
  }
  if (format == kPathwayValueFormatJson) {
    return runtime::PathwayState::FromJson(
        nlohmann::json::parse(value.substr(1), nullptr, /*allow_exceptions=*/false));
  }
  return Status::Corruption("pathway " + std::string(pathway_id) +
                            " has a state row of unknown format");
}

}  // namespace pathways::storage

#include "adapters/config/notify_config.hpp"

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <limits>

#include "adapters/config/paths.hpp"
#include "adapters/notify/webhook_signature.hpp"
#include "engine/audit/note.hpp"
#include "workflows/yaml_reader.hpp"

namespace pathways::config {
namespace {

using workflows::YamlReader;

// What an address must look like to be worth sending to (the SMTP server judges the rest);
// control characters and angle brackets would let it smuggle headers.
bool PlausibleAddress(const std::string& a) {
  const std::size_t at = a.find('@');
  if (at == 0 || at == std::string::npos || at + 1 >= a.size()) return false;
  for (char c : a) {
    if (static_cast<unsigned char>(c) <= ' ' || c == '<' || c == '>' || c == ',' || c == 0x7f)
      return false;
  }
  return true;
}

class NotifyReader : YamlReader {
 public:
  explicit NotifyReader(const std::string& file) : YamlReader(file), dir_(DirOf(file)) {}

  NotifyConfigResult Read() {
    NotifyConfigResult out;
    out.config.file = file();
    std::string text;
    if (!workflows::ReadWholeFile(file(), text)) {
      out.diagnostics.push_back({file(), 1, 1, "cannot read the notifications file"});
      return out;
    }
    YAML::Node root = Parse(text);
    if (!HasErrors() && !root.IsMap()) Error(root.Mark(), "the notifications file is a mapping");
    if (!HasErrors()) ReadRoot(root, out.config);
    out.diagnostics = TakeDiagnostics();
    return out;
  }

 private:
  void ReadRoot(const YAML::Node& root, NotifyConfig& c) {
    CheckMap(root, "the notifications file",
             {"retry", "timeout", "workers", "smtp", "administrators", "templates", "parties",
              "municipalities", "witnesses"});
    if (const YAML::Node retry = root["retry"]) ReadRetry(retry, c);
    if (root["timeout"]) c.timeout = Interval(root["timeout"], "timeout").value_or(c.timeout);
    if (root["workers"]) {
      auto w = Int(root["workers"], "workers");
      if (w && (*w < 1 || *w > 256)) {
        Error(root["workers"].Mark(), "workers must be between 1 and 256");
      } else if (w) {
        c.workers = static_cast<int>(*w);
      }
    }
    if (const YAML::Node smtp = root["smtp"]) ReadSmtp(smtp, c);
    if (root["administrators"]) {
      for (auto& [a, mark] : List(root["administrators"], "administrators")) {
        if (!PlausibleAddress(a)) {
          Error(mark, "administrator `" + a + "` is not an email address");
        } else {
          c.administrators.push_back(a);
        }
      }
      if (!c.administrators.empty() && !c.smtp) {
        Error(root["administrators"].Mark(), "administrators are told by email: configure `smtp`");
      }
    }
    if (root["templates"]) {
      c.templates_dir = Resolve(dir_, Str(root["templates"], "templates").value_or(""));
      if (!std::filesystem::is_directory(c.templates_dir)) {
        Error(root["templates"].Mark(), "templates directory " + c.templates_dir + " not found");
      }
    }
    if (root["municipalities"]) ReadMunicipalities(root["municipalities"], c);
    YamlReader::Keys ids;
    ForEachEntry(root["parties"], "parties", ids,
                 [&](const std::string& id, const YAML::Mark& mark, const YAML::Node& n) {
                   PartyChannels p;
                   p.party = id;
                   p.line = mark.line + 1;
                   p.column = mark.column + 1;
                   ReadParty(n, p, c);
                   c.parties[id] = std::move(p);
                 });
    YamlReader::Keys names;
    ForEachEntry(root["witnesses"], "witnesses", names,
                 [&](const std::string& name, const YAML::Mark& mark, const YAML::Node& n) {
                   ReadWitness(name, mark, n, c);
                 });
  }

  // witnesses: {NAME: {key, directory | email | webhook | url, ca_file}}
  void ReadWitness(const std::string& name, const YAML::Mark& mark, const YAML::Node& n,
                   NotifyConfig& c) {
    const std::string what = "witness " + name;
    if (!CheckMap(n, what, {"key", "directory", "email", "webhook", "url", "ca_file"})) return;
    WitnessTarget w;
    w.name = name;
    w.line = mark.line + 1;
    w.column = mark.column + 1;
    if (n["key"]) {
      w.key = Str(n["key"], what + " key").value_or("");
      if (Result<audit::note::Verifier> v = audit::note::DecodeVerifier(w.key); !v.ok()) {
        Error(n["key"].Mark(), what + ": " + v.status().message());
      }
    }
    int channels = 0;
    if (n["directory"]) {
      ++channels;
      w.directory = Resolve(dir_, Str(n["directory"], what + " directory").value_or(""));
    }
    if (n["email"]) {
      ++channels;
      for (auto& [a, at] : List(n["email"], what + " email")) {
        if (!PlausibleAddress(a)) {
          Error(at, what + ": `" + a + "` is not an email address");
        } else {
          w.email.push_back(a);
        }
      }
      if (!c.smtp) Error(n["email"].Mark(), what + " is told by email: configure `smtp`");
    }
    if (n["webhook"]) {
      ++channels;
      w.webhook = Webhook(n["webhook"], what, "webhook");
    }
    if (n["url"]) {
      ++channels;
      w.url = Str(n["url"], what + " url").value_or("");
      if (!w.url.starts_with("https://") && !w.url.starts_with("http://")) {
        Error(n["url"].Mark(), what + ": url must start with https:// or http://");
      }
      if (!n["key"]) {
        Error(n.Mark(), what + ": a tlog-witness at `url` cosigns: give its `key`");
      }
    }
    if (n["ca_file"]) w.ca_file = Resolve(dir_, Str(n["ca_file"], "ca_file").value_or(""));
    if (channels > 1) {
      Error(mark, what + ": give one of `directory`, `email`, `webhook` or `url`");
    } else if (channels == 0 && !n["key"]) {
      Error(mark, what + " needs a `directory`, `email`, `webhook` or `url`, or a `key`");
    }
    c.witnesses.push_back(std::move(w));
  }

  // municipalities: {"751": {name: Aarhus Kommune, referring_authority: [a@b], kui: [c@d]}}
  void ReadMunicipalities(const YAML::Node& n, NotifyConfig& c) {
    if (!n.IsMap()) {
      Error(n.Mark(), "municipalities map codes to {name, PARTY: [addresses]}");
      return;
    }
    for (const auto& entry : n) {
      const std::string code = entry.first.Scalar();
      const YAML::Node m = entry.second;
      const bool digits = code.size() == 3 && std::all_of(code.begin(), code.end(), [](char ch) {
                            return ch >= '0' && ch <= '9';
                          });
      if (!digits) {
        Error(entry.first.Mark(), "a municipality's code has 3 digits (751: Aarhus), not `" + code +
                                      "`; quote it: \"751\"");
        continue;
      }
      if (!m.IsMap()) {
        Error(m.Mark(), "municipality " + code + " is {name, PARTY: [addresses]}");
        continue;
      }
      Municipality out;
      out.code = code;
      for (const auto& field : m) {
        const std::string key = field.first.Scalar();
        if (key == "name") {
          out.name = Str(field.second, "name").value_or("");
          continue;
        }
        for (auto& [a, mark] : List(field.second, key)) {
          if (!PlausibleAddress(a)) {
            Error(mark, "`" + a + "` is not an email address");
          } else {
            out.addresses[key].push_back(a);
          }
        }
      }
      if (out.name.empty()) Error(m.Mark(), "municipality " + code + " needs a `name`");
      if (!out.addresses.empty() && !c.smtp) {
        Error(m.Mark(), "municipality " + code + "'s addresses are emailed: configure `smtp`");
      }
      c.municipalities[code] = std::move(out);
    }
  }

  void ReadRetry(const YAML::Node& retry, NotifyConfig& c) {
    if (!CheckMap(retry, "retry", {"schedule", "jitter", "disable_after"})) return;
    if (retry["schedule"]) {
      std::vector<std::chrono::milliseconds> delays;
      for (auto& [text, mark] : List(retry["schedule"], "retry.schedule")) {
        auto d = ParseInterval(text);
        if (!d) {
          Error(mark, "retry delay `" + text + "` must be a number and a unit: ms, s, m, h or d");
        } else {
          delays.push_back(*d);
        }
      }
      if (delays.empty() && !HasErrors()) {
        Error(retry["schedule"].Mark(), "retry.schedule needs at least one delay");
      }
      c.retry_delays = std::move(delays);
    }
    if (retry["jitter"]) {
      double j = -1;
      try {
        j = retry["jitter"].as<double>();
      } catch (const YAML::Exception&) {
      }
      if (j < 0 || j > 0.5) {
        Error(retry["jitter"].Mark(), "retry.jitter must be a fraction between 0 and 0.5");
      } else {
        c.jitter = j;
      }
    }
    if (retry["disable_after"]) {
      c.disable_after =
          Interval(retry["disable_after"], "retry.disable_after").value_or(c.disable_after);
    }
  }

  void ReadSmtp(const YAML::Node& n, NotifyConfig& c) {
    if (!CheckMap(
            n, "smtp",
            {"url", "directory", "from", "user", "password_file", "require_tls", "ca_file"})) {
      return;
    }
    SmtpSettings s;
    if (n["url"] && n["directory"]) {
      Error(n["directory"].Mark(), "smtp takes `url` (a server) or `directory` (files), not both");
    } else if (n["directory"]) {
      s.directory = Resolve(dir_, Str(n["directory"], "smtp.directory").value_or(""));
    } else if (!n["url"]) {
      Error(n.Mark(),
            "smtp needs `url`, e.g. smtp://mail.example.org:587 (or `directory` for files)");
    } else if (auto url = Str(n["url"], "smtp.url")) {
      if (!url->starts_with("smtp://") && !url->starts_with("smtps://")) {
        Error(n["url"].Mark(), "smtp.url must start with smtp:// or smtps://");
      }
      s.url = *url;
    }
    if (!n["from"]) {
      Error(n.Mark(), "smtp needs `from`: the sender's address");
    } else if (auto from = Str(n["from"], "smtp.from")) {
      if (!PlausibleAddress(*from)) Error(n["from"].Mark(), "smtp.from is not an email address");
      s.from = *from;
    }
    if (n["user"]) s.username = Str(n["user"], "smtp.user").value_or("");
    if (n["password_file"]) {
      const std::string path =
          Resolve(dir_, Str(n["password_file"], "smtp.password_file").value_or(""));
      std::ifstream in(path);
      if (!in) {
        Error(n["password_file"].Mark(), "cannot read smtp.password_file " + path);
      } else {
        std::getline(in, s.password);
      }
    }
    if (!s.username.empty() && s.password.empty() && !HasErrors()) {
      Error(n.Mark(), "smtp.user needs a `password_file`");
    }
    if (n["require_tls"]) s.require_tls = Bool(n["require_tls"], "smtp.require_tls").value_or(true);
    if (n["ca_file"]) s.ca_file = Resolve(dir_, Str(n["ca_file"], "smtp.ca_file").value_or(""));
    c.smtp = std::move(s);
  }

  void ReadParty(const YAML::Node& n, PartyChannels& p, const NotifyConfig& c) {
    const std::string what = "party " + p.party;
    if (!CheckMap(n, what, {"name", "webhook", "sms", "email", "inbox", "inbound", "confirm"})) {
      return;
    }
    if (n["name"]) {
      p.name = Str(n["name"], what + " name").value_or("");
      if (p.name.empty() || p.name.size() > 200) {
        Error(n["name"].Mark(), what + ": `name` is the organisation's name, 1-200 characters");
      }
    }
    if (n["webhook"] && n["sms"]) {
      Error(n["sms"].Mark(), what + ": `sms` is a webhook to an SMS gateway; give one of them");
    } else if (n["sms"] && p.party != kParticipantAddress) {
      Error(n["sms"].Mark(), what +
                                 ": `sms` reaches the participant's phone: party participant "
                                 "only");
    }
    for (const char* kind : {"webhook", "sms"}) {
      const YAML::Node w = n[kind];
      if (!w) continue;
      const std::string channel = kind;
      p.webhook = Webhook(w, what, channel);
    }
    if (const YAML::Node e = n["email"]) {
      if (CheckMap(e, what + " email", {"to", "language"})) {
        EmailTarget t;
        if (!e["to"]) Error(e.Mark(), what + ": an email channel needs `to`");
        for (auto& [a, mark] : List(e["to"], "to")) {
          if (a == kParticipantAddress && p.party != kParticipantAddress) {
            Error(mark, "`participant` (the participant's own address) is for party participant");
          } else if (a == kEmployerAddress || a == kMunicipalityAddress ||
                     a == kParticipantAddress) {
            t.to.push_back(a);
          } else if (!PlausibleAddress(a)) {
            Error(mark, "`" + a +
                            "` is not an email address (nor employer, municipality or "
                            "participant)");
          } else {
            t.to.push_back(a);
          }
        }
        if (e["language"]) {
          auto lang = Str(e["language"], "language");
          if (lang && *lang != "da" && *lang != "en") {
            Error(e["language"].Mark(), "language must be `da` or `en`");
          } else if (lang) {
            t.language = *lang;
          }
        }
        if (!c.smtp) Error(e.Mark(), what + ": email needs the `smtp` server (configure it first)");
        p.email = std::move(t);
      }
    }
    if (n["inbox"]) {
      for (auto& [user, mark] : List(n["inbox"], "inbox")) p.inbox.push_back(user);
    }
    if (const YAML::Node in = n["inbound"]) {
      if (CheckMap(in, what + " inbound", {"secrets", "secrets_file", "triggers", "referrals"})) {
        InboundTarget t;
        t.secrets = Secrets(in, what + " inbound");
        if (!in["triggers"] && !in["referrals"]) {
          Error(in.Mark(), what + ": inbound needs `triggers` it may fire, or `referrals`");
        }
        if (in["triggers"]) {
          for (auto& [trigger, mark] : List(in["triggers"], "triggers"))
            t.triggers.push_back(trigger);
        }
        if (const YAML::Node r = in["referrals"]) {
          if (CheckMap(r, what + " referrals", {"referral_source", "school", "contact_person"})) {
            Referrals refer;
            refer.line = r.Mark().line + 1;
            refer.column = r.Mark().column + 1;
            refer.referral_source = r["referral_source"]
                                        ? Str(r["referral_source"], "referral_source").value_or("")
                                        : "";
            if (r["school"]) refer.school = Str(r["school"], "school").value_or("");
            if (r["contact_person"]) {
              refer.contact_person = Str(r["contact_person"], "contact_person").value_or("");
            }
            if (refer.referral_source.empty() || refer.contact_person.empty()) {
              Error(r.Mark(), what +
                                  ": referrals need `referral_source` and the "
                                  "`contact_person` who takes them in");
            }
            t.referrals = std::move(refer);
          }
        }
        p.inbound = std::move(t);
      }
    }
    if (const YAML::Node n_confirm = n["confirm"]) {
      if (CheckMap(n_confirm, what + " confirm", {"triggers", "valid"})) {
        ConfirmTarget t;
        if (!n_confirm["triggers"]) {
          Error(n_confirm.Mark(), what + ": confirm needs the `triggers` its links may fire");
        } else {
          for (auto& [trigger, mark] : List(n_confirm["triggers"], "triggers")) {
            t.triggers.push_back(trigger);
          }
        }
        if (n_confirm["valid"]) {
          const auto text = Str(n_confirm["valid"], "valid");
          const auto valid = text ? ParseInterval(*text) : std::nullopt;
          if (!valid || valid->count() <= 0) {
            Error(n_confirm["valid"].Mark(), "valid is a duration such as `14d` or `48h`");
          } else {
            t.valid = *valid;
          }
        }
        if (!n["email"]) {
          Error(n_confirm.Mark(), what + ": confirm links travel in its emails: give it `email`");
        }
        p.confirm = std::move(t);
      }
    }
  }

  // {url, secrets | secrets_file, ca_file}: a signed webhook's target.
  std::optional<WebhookTarget> Webhook(const YAML::Node& w, const std::string& what,
                                       const std::string& channel) {
    if (!CheckMap(w, what + " " + channel, {"url", "secrets", "secrets_file", "ca_file"})) {
      return std::nullopt;
    }
    WebhookTarget t;
    if (!w["url"]) {
      Error(w.Mark(), what + ": " + channel + " needs `url`");
    } else if (auto url = Str(w["url"], "url")) {
      if (!url->starts_with("https://") && !url->starts_with("http://")) {
        Error(w["url"].Mark(), channel + " url must start with https:// or http://");
      }
      t.url = *url;
    }
    t.secrets = Secrets(w, what + " " + channel);
    if (w["ca_file"]) t.ca_file = Resolve(dir_, Str(w["ca_file"], "ca_file").value_or(""));
    t.sms = channel == "sms";
    return t;
  }

  // `secrets: [whsec_…]` or `secrets_file: FILE` (one per line; keep it mode 0600). Each is
  // checked; none is ever echoed.
  std::vector<std::string> Secrets(const YAML::Node& n, const std::string& what) {
    std::vector<std::pair<std::string, YAML::Mark>> found;
    if (n["secrets"]) found = List(n["secrets"], "secrets");
    if (n["secrets_file"]) {
      const std::string path = Resolve(dir_, Str(n["secrets_file"], "secrets_file").value_or(""));
      std::ifstream in(path);
      if (!in) Error(n["secrets_file"].Mark(), "cannot read secrets_file " + path);
      for (std::string line; std::getline(in, line);) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (!line.empty() && line[0] != '#') found.emplace_back(line, n["secrets_file"].Mark());
      }
    }
    if (found.empty()) {
      Error(n.Mark(), what + " needs `secrets` or a `secrets_file` (whsec_…)");
      return {};
    }
    std::vector<std::string> out;
    for (auto& [secret, mark] : found) {
      Result<std::string> key = notify::ParseWebhookSecret(secret);
      if (!key.ok()) {
        Error(mark, what + ": " + key.status().message());
      } else {
        out.push_back(secret);
      }
    }
    return out;
  }

  std::optional<std::chrono::milliseconds> Interval(const YAML::Node& n, const std::string& what) {
    auto text = Str(n, what);
    if (!text) return std::nullopt;
    auto d = ParseInterval(*text);
    if (!d)
      Error(n.Mark(), what + " `" + *text + "` must be a number and a unit: ms, s, m, h or d");
    return d;
  }

  std::string dir_;
};

}  // namespace

std::optional<std::chrono::milliseconds> ParseInterval(std::string_view text) {
  std::int64_t n = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (error != std::errc() || n < 0 || end == text.data()) return std::nullopt;
  const std::string_view unit(end, static_cast<std::size_t>(text.data() + text.size() - end));
  std::int64_t scale = 0;
  if (unit == "ms") scale = 1;
  if (unit == "s") scale = 1000;
  if (unit == "m") scale = 60'000;
  if (unit == "h") scale = 3'600'000;
  if (unit == "d") scale = 86'400'000;
  if (scale == 0 || n > std::numeric_limits<std::int64_t>::max() / scale) return std::nullopt;
  return std::chrono::milliseconds(n * scale);
}

NotifyConfigResult LoadNotifyConfig(const std::string& path) { return NotifyReader(path).Read(); }

std::vector<workflows::Diagnostic> CheckParties(const NotifyConfig& c,
                                                const std::map<std::string, bool>& external) {
  std::vector<workflows::Diagnostic> out;
  std::vector<std::string> known;
  for (const auto& [id, ext] : external) known.push_back(id);
  for (const auto& [id, p] : c.parties) {
    auto it = external.find(id);
    if (it == external.end()) {
      out.push_back({c.file, p.line, p.column,
                     "party `" + id + "` is not a party of any loaded definition" +
                         workflows::DidYouMean(id, known)});
    } else if (it->second && !p.inbox.empty()) {
      out.push_back({c.file, p.line, p.column,
                     "party `" + id + "` is external: the counsellor inbox is for staff only"});
    } else if (!it->second && p.confirm) {
      out.push_back(
          {c.file, p.line, p.column,
           "party `" + id + "` is internal: staff sign in to the workspace, not by links"});
    } else if (!it->second && (p.webhook || p.inbound)) {
      out.push_back({c.file, p.line, p.column,
                     "party `" + id + "` is internal: it is reached by inbox or email"});
    }
  }
  return out;
}

std::vector<workflows::Diagnostic> CheckTriggers(const NotifyConfig& c,
                                                 const std::set<std::string>& triggers) {
  std::vector<workflows::Diagnostic> out;
  const std::vector<std::string> known(triggers.begin(), triggers.end());
  for (const auto& [id, p] : c.parties) {
    std::vector<std::string> fired;
    if (p.inbound) fired = p.inbound->triggers;
    if (p.confirm)
      fired.insert(fired.end(), p.confirm->triggers.begin(), p.confirm->triggers.end());
    for (const std::string& t : fired) {
      if (triggers.count(t) == 0) {
        out.push_back({c.file, p.line, p.column,
                       "party `" + id + "` may fire `" + t + "`, which no loaded definition has" +
                           workflows::DidYouMean(t, known)});
      }
    }
  }
  return out;
}

}  // namespace pathways::config

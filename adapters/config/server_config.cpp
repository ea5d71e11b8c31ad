#include "adapters/config/server_config.hpp"

#include <filesystem>

#include "adapters/config/paths.hpp"
#include "engine/audit/note.hpp"
#include "workflows/yaml_reader.hpp"

namespace pathways::config {
namespace {

using workflows::YamlReader;

const std::vector<std::string> kRoles = {"counsellor", "administrator", "auditor",
                                         "partner",    "team_lead",     "consultant"};

class ConfigReader : YamlReader {
 public:
  explicit ConfigReader(const std::string& file) : YamlReader(file), dir_(DirOf(file)) {}

  ConfigResult Read() {
    ConfigResult out;
    ServerConfig& c = out.config;
    c.file = file();
    std::string text;
    if (!workflows::ReadWholeFile(file(), text)) {
      out.diagnostics.push_back({file(), 1, 1, "cannot read the file"});
      return out;
    }
    YAML::Node root = Parse(text);
    if (!HasErrors() && !root.IsMap()) Error(root.Mark(), "the config file is a mapping");
    if (!HasErrors()) ReadRoot(root, c);
    out.diagnostics = TakeDiagnostics();
    if (out.diagnostics.empty() && !c.users_file.empty()) {
      ReadUsers(c, out.diagnostics);
    }
    return out;
  }

 private:
  void ReadWorkspace(const YAML::Node& w, WorkspaceConfig& c) {
    if (!CheckMap(w, "workspace",
                  {"idle_minutes", "session_hours", "failures_per_user", "failures_per_address",
                   "throttle_minutes", "origin"})) {
      return;
    }
    auto get = [&](const char* key, std::int64_t lo, std::int64_t hi, int& out) {
      if (w[key])
        out = static_cast<int>(Bounded(w[key], std::string("workspace.") + key, lo, hi, out));
    };
    get("idle_minutes", 1, 24 * 60, c.idle_minutes);
    get("session_hours", 1, 24 * 7, c.session_hours);
    get("failures_per_user", 1, 1000, c.failures_per_user);
    get("failures_per_address", 1, 100'000, c.failures_per_address);
    get("throttle_minutes", 1, 24 * 60, c.throttle_minutes);
    if (w["origin"]) {
      const std::string origin = Str(w["origin"], "workspace.origin").value_or("");
      const bool scheme = origin.starts_with("http://") || origin.starts_with("https://");
      const std::size_t host = origin.find("://") + 3;
      if (!scheme || origin.size() <= host || origin.find('/', host) != std::string::npos) {
        Error(w["origin"].Mark(),
              "workspace.origin `" + origin +
                  "` must be a scheme and host, like https://pathways.example.dk (no path)");
      } else {
        c.origin = origin;
      }
    }
  }

  void ReadRoot(const YAML::Node& root, ServerConfig& c) {
    CheckMap(root, "the config file",
             {"listen", "data", "master_key", "workflows", "users", "tokens", "passwords",
              "backups", "notifications", "reports", "clock", "clock_start", "threads", "limits",
              "tls", "workspace", "checkpoints", "demo"});
    if (root["listen"]) {
      if (auto listen = Str(root["listen"], "listen")) ParseListen(*listen, root["listen"], c);
    }
    if (!root["data"]) {
      Error(root.Mark(), "the config file needs `data`: the store's directory");
    } else if (auto d = Str(root["data"], "data")) {
      c.data_dir = Resolve(dir_, *d);
    }
    if (root["master_key"])
      c.master_key = Resolve(dir_, Str(root["master_key"], "master_key").value_or(""));
    if (!root["workflows"]) {
      Error(root.Mark(), "the config file needs `workflows`: definition files or directories");
    } else {
      for (auto& [w, mark] : List(root["workflows"], "workflows"))
        c.workflows.push_back(Resolve(dir_, w));
    }
    if (root["users"]) c.users_file = Resolve(dir_, Str(root["users"], "users").value_or(""));
    if (root["tokens"]) c.tokens_file = Resolve(dir_, Str(root["tokens"], "tokens").value_or(""));
    if (c.tokens_file.empty() && !c.data_dir.empty()) c.tokens_file = c.data_dir + ".tokens.json";
    if (root["passwords"]) {
      c.passwords_file = Resolve(dir_, Str(root["passwords"], "passwords").value_or(""));
    }
    if (c.passwords_file.empty() && !c.data_dir.empty()) {
      c.passwords_file = c.data_dir + ".passwords.json";
    }
    if (root["backups"]) c.backup_dir = Resolve(dir_, Str(root["backups"], "backups").value_or(""));
    if (c.backup_dir.empty() && !c.data_dir.empty()) c.backup_dir = c.data_dir + ".backups";
    if (root["reports"]) {
      c.reports_file = Resolve(dir_, Str(root["reports"], "reports").value_or(""));
    }
    if (root["notifications"]) {
      c.notifications_file =
          Resolve(dir_, Str(root["notifications"], "notifications").value_or(""));
    }
    if (root["clock"]) {
      auto clock = Str(root["clock"], "clock");
      if (clock && *clock != "system" && *clock != "manual") {
        Error(root["clock"].Mark(), "clock `" + *clock + "` must be `system` or `manual`");
      }
      c.manual_clock = clock && *clock == "manual";
    }
    if (root["clock_start"]) c.clock_start = Str(root["clock_start"], "clock_start").value_or("");
    if (root["threads"])
      c.threads = static_cast<int>(Bounded(root["threads"], "threads", 1, 64, c.threads));
    if (const YAML::Node limits = root["limits"]) {
      if (CheckMap(limits, "limits",
                   {"body_bytes", "header_bytes", "read_timeout_ms", "write_timeout_ms",
                    "idle_timeout_ms", "connections", "queue"})) {
        auto get = [&](const char* key, std::int64_t lo, std::int64_t hi, std::int64_t dflt) {
          return limits[key] ? Bounded(limits[key], std::string("limits.") + key, lo, hi, dflt)
                             : dflt;
        };
        c.body_bytes = static_cast<std::size_t>(
            get("body_bytes", 1024, 1 << 30, static_cast<std::int64_t>(c.body_bytes)));
        c.header_bytes = static_cast<std::size_t>(
            get("header_bytes", 1024, 1 << 20, static_cast<std::int64_t>(c.header_bytes)));
        c.read_timeout_ms =
            static_cast<int>(get("read_timeout_ms", 100, 3'600'000, c.read_timeout_ms));
        c.write_timeout_ms =
            static_cast<int>(get("write_timeout_ms", 100, 3'600'000, c.write_timeout_ms));
        c.idle_timeout_ms =
            static_cast<int>(get("idle_timeout_ms", 100, 3'600'000, c.idle_timeout_ms));
        c.connections = static_cast<std::size_t>(
            get("connections", 1, 1'000'000, static_cast<std::int64_t>(c.connections)));
        c.queue = static_cast<std::size_t>(
            get("queue", 1, 10'000'000, static_cast<std::int64_t>(c.queue)));
      }
    }
    if (const YAML::Node tls = root["tls"]) {
      if (CheckMap(tls, "tls", {"certificate", "private_key"})) {
        if (tls["certificate"])
          c.tls_certificate =
              Resolve(dir_, Str(tls["certificate"], "tls.certificate").value_or(""));
        if (tls["private_key"])
          c.tls_private_key =
              Resolve(dir_, Str(tls["private_key"], "tls.private_key").value_or(""));
        if (c.tls_certificate.empty() != c.tls_private_key.empty()) {
          Error(tls.Mark(), "tls needs both `certificate` and `private_key`");
        }
      }
    }
    if (const YAML::Node w = root["workspace"]) ReadWorkspace(w, c.workspace);
    if (const YAML::Node k = root["checkpoints"]) {
      if (CheckMap(k, "checkpoints", {"key", "origin", "every_minutes"})) {
        if (k["key"])
          c.checkpoints.key = Resolve(dir_, Str(k["key"], "checkpoints.key").value_or(""));
        if (k["origin"]) {
          c.checkpoints.origin = Str(k["origin"], "checkpoints.origin").value_or("");
          if (!audit::note::IsValidKeyName(c.checkpoints.origin)) {
            Error(k["origin"].Mark(), "checkpoints.origin `" + c.checkpoints.origin +
                                          "` must be a name without spaces or `+`, like "
                                          "pathways.example.dk/amigo");
          }
        }
        if (k["every_minutes"]) {
          c.checkpoints.every_minutes = static_cast<int>(
              Bounded(k["every_minutes"], "checkpoints.every_minutes", 0, 7 * 24 * 60, 60));
        }
      }
    }
    if (c.checkpoints.key.empty() && !c.data_dir.empty()) {
      c.checkpoints.key = c.data_dir + ".checkpoint-key";
    }
    if (const YAML::Node demo = root["demo"]) {
      if (CheckMap(demo, "demo", {"participants"}) && demo["participants"]) {
        c.demo_participants =
            static_cast<int>(Bounded(demo["participants"], "demo.participants", 0, 100000, 0));
      }
    }
  }

  void ParseListen(const std::string& listen, const YAML::Node& node, ServerConfig& c) {
    const std::size_t colon = listen.rfind(':');
    std::int64_t port = -1;
    if (colon != std::string::npos && colon + 1 < listen.size() && colon + 6 >= listen.size()) {
      try {
        std::size_t used = 0;
        port = std::stoll(listen.substr(colon + 1), &used);
        if (used != listen.size() - colon - 1) port = -1;
      } catch (const std::exception&) {
        port = -1;
      }
    }
    if (colon == 0 || colon == std::string::npos || port < 0 || port > 65535) {
      Error(node.Mark(), "listen `" + listen + "` must be HOST:PORT, e.g. 127.0.0.1:8080");
      return;
    }
    c.host = listen.substr(0, colon);
    if (c.host.size() > 2 && c.host.front() == '[' && c.host.back() == ']') {
      c.host = c.host.substr(1, c.host.size() - 2);  // [::1]:8080
    }
    c.port = static_cast<std::uint16_t>(port);
  }

  std::int64_t Bounded(const YAML::Node& node, const std::string& what, std::int64_t lo,
                       std::int64_t hi, std::int64_t fallback) {
    auto v = Int(node, what);
    if (!v) return fallback;
    if (*v < lo || *v > hi) {
      Error(node.Mark(),
            what + " must be between " + std::to_string(lo) + " and " + std::to_string(hi));
      return fallback;
    }
    return *v;
  }

  void ReadUsers(ServerConfig& c, std::vector<workflows::Diagnostic>& diagnostics) {
    YamlReader r(c.users_file);
    std::string text;
    if (!workflows::ReadWholeFile(c.users_file, text)) {
      diagnostics.push_back({c.users_file, 1, 1, "cannot read the users file"});
      return;
    }
    YAML::Node root = r.Parse(text);
    if (!r.HasErrors() && r.CheckMap(root, "the users file", {"schools", "users"})) {
      YamlReader::Keys school_ids;
      if (root["schools"]) {
        r.ForEachEntry(root["schools"], "schools", school_ids,
                       [&](const std::string& id, const YAML::Mark&, const YAML::Node& n) {
                         if (!r.CheckMap(n, "school " + id, {"name"})) return;
                         School school{id, n["name"] ? r.Str(n["name"], "name").value_or("") : ""};
                         if (school.name.empty())
                           r.Error(n.Mark(), "school " + id + " needs a `name`");
                         c.schools[id] = std::move(school);
                       });
      }
      YamlReader::Keys ids;
      r.ForEachEntry(
          root["users"], "users", ids,
          [&](const std::string& id, const YAML::Mark&, const YAML::Node& n) {
            User u;
            u.id = id;
            if (!r.CheckMap(n, "user " + id,
                            {"name", "role", "organisation", "school", "email", "phone"})) {
              return;
            }
            if (n["name"]) u.name = r.Str(n["name"], "name").value_or("");
            if (!n["role"]) {
              r.Error(n.Mark(), "user " + id + " needs a `role`");
            } else if (auto role = r.Str(n["role"], "role")) {
              auto it = std::find(kRoles.begin(), kRoles.end(), *role);
              if (it == kRoles.end()) {
                r.Error(n["role"].Mark(),
                        "role `" + *role +
                            "` is not one of counsellor, consultant, team_lead, administrator, "
                            "auditor, partner" +
                            workflows::DidYouMean(*role, kRoles));
              } else {
                u.role = static_cast<Role>(it - kRoles.begin());
              }
            }
            if (n["organisation"])
              u.organisation = r.Str(n["organisation"], "organisation").value_or("");
            if (n["email"]) u.email = r.Str(n["email"], "email").value_or("");
            if (n["phone"]) u.phone = r.Str(n["phone"], "phone").value_or("");
            CheckSchool(r, c, n, u);
            c.users[id] = std::move(u);
          });
    }
    for (auto& d : r.TakeDiagnostics()) diagnostics.push_back(std::move(d));
  }

  // Staff of a school belong to one: counsellors, consultants and team leads always (when the
  // partnership has schools), an administrator when they administer one school only. Auditors and
  // partners see across schools, so they have none.
  static void CheckSchool(YamlReader& r, const ServerConfig& c, const YAML::Node& n, User& u) {
    if (n["school"]) {
      u.school = r.Str(n["school"], "school").value_or("");
      if (!c.schools.count(u.school)) {
        std::vector<std::string> known;
        for (const auto& [id, s] : c.schools) known.push_back(id);
        r.Error(n["school"].Mark(), "school `" + u.school + "` is not one of the `schools`" +
                                        workflows::DidYouMean(u.school, known));
      } else if (u.role == Role::kAuditor || u.role == Role::kPartner) {
        r.Error(n["school"].Mark(),
                std::string(u.role == Role::kAuditor ? "an auditor" : "a partner") +
                    " sees every school: leave out `school`");
      }
    } else if (!c.schools.empty() && (u.role == Role::kCounsellor || u.role == Role::kTeamLead ||
                                      u.role == Role::kConsultant)) {
      r.Error(n.Mark(),
              "user " + u.id + " is a " + std::string(RoleName(u.role)) + " and needs a `school`");
    }
  }

  std::string dir_;
};

}  // namespace

std::string_view RoleName(Role r) { return kRoles[static_cast<std::size_t>(r)]; }

ConfigResult LoadServerConfig(const std::string& path) { return ConfigReader(path).Read(); }

}  // namespace pathways::config

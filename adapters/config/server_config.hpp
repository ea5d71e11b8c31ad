#pragma once
// The server's config file (config/pathways.yaml; docs/operations.md documents every key) and
// the users file it names. Relative paths in a file are relative to that file's directory.
// Every problem is reported as FILE:LINE:COL like a pathway definition's.
//
// Thread-safe: free functions.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "workflows/diagnostics.hpp"

namespace pathways::config {

// A team lead oversees their school's counsellors: their caseloads and overdue tasks, the
// escalations, handing a caseload over.
// A consultant (virksomhedskonsulent) keeps a school's dialogue with companies: they see the
// school's company records, not its participants.
enum class Role { kCounsellor, kAdministrator, kAuditor, kPartner, kTeamLead, kConsultant };
std::string_view RoleName(Role r);

struct User {
  std::string id;  // also the contact-person id of a counsellor
  std::string name;
  Role role = Role::kCounsellor;
  std::string organisation;
  std::string email;  // how participants' partners reach a counsellor (signs their notices)
  std::string phone;
  // The school of the partnership the user works at; empty for partnership-wide roles (an
  // administrator of every school, auditors, partners).
  std::string school;
};

// A school (organisation) of the partnership: pathways and staff belong to one.
struct School {
  std::string id;  // lower_snake_case
  std::string name;
};

// The web workspace's sign-in (docs/operations.md, `workspace:`).
struct WorkspaceConfig {
  int idle_minutes = 30;      // a session without a request ends after this
  int session_hours = 10;     // and at the latest this long after signing in
  int failures_per_user = 5;  // failed sign-ins within `throttle_minutes` before a wait
  int failures_per_address = 20;
  int throttle_minutes = 15;
  // The workspace's address as browsers reach it (through a proxy: the proxy's), which every
  // form must be posted from; empty: this server's scheme and the request's Host.
  std::string origin;
};

// The log's signed checkpoints (docs/formats/merkle.md).
struct CheckpointConfig {
  std::string key;         // the signing key file; empty: DIR.checkpoint-key beside the store
  std::string origin;      // the log's name when the key is made; empty: <host>/pathways/<dir>
  int every_minutes = 60;  // 0: only at the start and when asked
};

struct ServerConfig {
  std::string file;  // where it was read from
  std::string host = "127.0.0.1";
  std::uint16_t port = 8080;
  std::string data_dir;
  std::string master_key;  // empty: beside the store
  std::vector<std::string> workflows;
  std::string users_file;
  std::string tokens_file;
  std::string passwords_file;      // the workspace's sign-in: Argon2id hashes (adapters/auth)
  std::string backup_dir;          // POST /v1/admin/backup writes here
  std::string notifications_file;  // parties' channels (notify_config.hpp); empty: none
  std::string reports_file;        // the funder's indicators (report_config.hpp); empty: none
  bool manual_clock = false;
  std::string clock_start;  // ISO 8601; manual clock only; empty: the wall clock at start
  int threads = 2;
  std::size_t body_bytes = 1024 * 1024;
  std::size_t header_bytes = 16 * 1024;
  int read_timeout_ms = 10'000;
  int write_timeout_ms = 10'000;
  int idle_timeout_ms = 60'000;
  std::size_t connections = 1024;
  std::size_t queue = 10'000;  // commands waiting for the writer before 429
  std::string tls_certificate;
  std::string tls_private_key;
  WorkspaceConfig workspace;
  CheckpointConfig checkpoints;
  int demo_participants = 0;              // synthetic participants seeded into an empty store
  std::map<std::string, User> users;      // from users_file
  std::map<std::string, School> schools;  // from users_file; empty: one organisation
};

struct ConfigResult {
  ServerConfig config;
  std::vector<workflows::Diagnostic> diagnostics;  // non-empty: do not start
};

// Reads the config file and its users file.
ConfigResult LoadServerConfig(const std::string& path);

}  // namespace pathways::config

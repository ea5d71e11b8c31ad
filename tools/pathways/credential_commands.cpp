// The users' credentials. `pathways token issue|list|revoke`: bearer tokens for the API. A
// token is printed once, when issued; only its hash is stored (in the tokens file the config
// names), so these work while the server runs and it picks the change up within a second.
// `pathways user set-password USER`: a password for the workspace's sign-in, read without echo
// and stored only as its Argon2id hash.

#include <termios.h>
#include <unistd.h>

#include <cstdio>
#include <iostream>

#include "adapters/api/tokens.hpp"
#include "adapters/auth/passwords.hpp"
#include "adapters/config/server_config.hpp"
#include "adapters/platform/system_clock.hpp"
#include "engine/codec/event_json.hpp"
#include "tools/pathways/cli_common.hpp"

namespace pathways::cli {
namespace {

// The config (for the users and the credential files), or nullopt after printing why not and
// setting the usage exit code.
std::optional<config::ServerConfig> Config(const std::string& path) {
  if (path.empty()) {
    std::fprintf(stderr, "pathways: error: give the server config file: --config FILE\n");
    ExitCode() = kExitUsage;
    return std::nullopt;
  }
  config::ConfigResult r = config::LoadServerConfig(path);
  for (const auto& d : r.diagnostics) std::fprintf(stderr, "%s\n", d.ToString().c_str());
  if (!r.diagnostics.empty()) {
    ExitCode() = kExitUsage;
    return std::nullopt;
  }
  return std::move(r.config);
}

// A line from the terminal without echo (prompted on stderr), or from stdin as it is when it
// is no terminal (a script); nullopt at the end of input.
std::optional<std::string> ReadSecret(const char* prompt) {
  const bool tty = ::isatty(STDIN_FILENO) != 0;
  termios saved{};
  if (tty) {
    std::fprintf(stderr, "%s", prompt);
    ::tcgetattr(STDIN_FILENO, &saved);
    termios quiet = saved;
    quiet.c_lflag &= static_cast<tcflag_t>(~ECHO);
    ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
  }
  std::string line;
  const bool got = static_cast<bool>(std::getline(std::cin, line));
  if (tty) {
    ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
    std::fprintf(stderr, "\n");
  }
  if (!got) return std::nullopt;
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

}  // namespace

void AddUserCommands(Command app) {
  Command user_cmd = app.Sub("user", "the users' passwords for the workspace");
  user_cmd.RequireSubcommand();
  auto config = std::make_shared<std::string>();
  user_cmd.Add("--config", *config, "server config file (required)");
  Command set = user_cmd.Sub(
      "set-password", "set USER's password (read without echo; from stdin when it is no terminal)");
  auto user = std::make_shared<std::string>();
  set.Add("USER", *user, "a user of the users file").Required();
  set.Add("--config", *config, "server config file (required)");
  set.OnRun([config, user] {
    auto cfg = Config(*config);
    if (!cfg) return;
    auto known = cfg->users.find(*user);
    if (known == cfg->users.end() || known->second.role == config::Role::kPartner) {
      std::fprintf(stderr, "pathways user set-password: error: no user `%s` in %s who signs in\n",
                   user->c_str(), cfg->users_file.c_str());
      ExitCode() = kExitUsage;
      return;
    }
    std::optional<std::string> password = ReadSecret("Password: ");
    if (password && ::isatty(STDIN_FILENO) != 0) {
      std::optional<std::string> again = ReadSecret("The same again: ");
      if (!again || *again != *password) {
        std::fprintf(stderr, "pathways user set-password: error: the two did not match\n");
        ExitCode() = kExitUsage;
        return;
      }
    }
    if (!password) {
      std::fprintf(stderr, "pathways user set-password: error: no password given\n");
      ExitCode() = kExitUsage;
      return;
    }
    if (Status st = auth::CheckPassword(*password); !st.ok()) {
      std::fprintf(stderr, "pathways user set-password: error: %s\n", st.message().c_str());
      ExitCode() = kExitUsage;
      return;
    }
    Status st = auth::PasswordFile(cfg->passwords_file)
                    .Set(*user, *password, adapters::SystemClock().NowMs());
    if (!st.ok()) {
      ExitCode() = Fail("user set-password", st);
      return;
    }
    std::printf("password set for %s (Argon2id, in %s)\n", user->c_str(),
                cfg->passwords_file.c_str());
  });
}

void AddTokenCommands(Command app) {
  Command token = app.Sub("token", "bearer tokens for the server's users");
  token.RequireSubcommand();
  // --config may come before issue/list/revoke or after it (and shows in each one's help).
  auto config = std::make_shared<std::string>();
  const char* config_help = "server config file (required)";
  token.Add("--config", *config, config_help);

  Command issue = token.Sub("issue", "issue a token for USER and print it once");
  auto user = std::make_shared<std::string>();
  issue.Add("USER", *user, "a user of the users file").Required();
  issue.Add("--config", *config, config_help);
  issue.OnRun([config, user] {
    auto cfg = Config(*config);
    if (!cfg) return;
    if (!cfg->users.count(*user)) {
      std::fprintf(stderr, "pathways token issue: error: no user `%s` in %s\n", user->c_str(),
                   cfg->users_file.c_str());
      ExitCode() = kExitUsage;
      return;
    }
    api::TokenStore tokens(cfg->tokens_file);
    auto issued = tokens.Issue(*user, adapters::SystemClock().NowMs());
    if (!issued.ok()) {
      ExitCode() = Fail("token issue", issued.status());
      return;
    }
    std::printf("%s\n", issued->c_str());
  });

  Command list = token.Sub("list", "list tokens (ids and users, never the tokens)");
  list.Add("--config", *config, config_help);
  list.OnRun([config] {
    auto cfg = Config(*config);
    if (!cfg) return;
    auto all = api::TokenStore(cfg->tokens_file).List();
    if (!all.ok()) {
      ExitCode() = Fail("token list", all.status());
      return;
    }
    for (const auto& t : *all) {
      std::printf("%s  %-16s  issued %s%s\n", t.id.c_str(), t.user.c_str(),
                  codec::FormatIso8601(t.created_at).c_str(),
                  t.revoked_at ? ("  revoked " + codec::FormatIso8601(t.revoked_at)).c_str() : "");
    }
  });

  Command revoke = token.Sub("revoke", "revoke a token by its id");
  auto id = std::make_shared<std::string>();
  revoke.Add("ID", *id, "the token's id (from `token list`)").Required();
  revoke.Add("--config", *config, config_help);
  revoke.OnRun([config, id] {
    auto cfg = Config(*config);
    if (!cfg) return;
    Status st = api::TokenStore(cfg->tokens_file).Revoke(*id, adapters::SystemClock().NowMs());
    if (!st.ok()) {
      ExitCode() = Fail("token revoke", st);
      return;
    }
    std::printf("revoked %s\n", id->c_str());
  });
}

}  // namespace pathways::cli

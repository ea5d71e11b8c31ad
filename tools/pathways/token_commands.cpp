// pathways token issue|list|revoke: bearer tokens for the server's users. A token is printed
// once, when issued; only its hash is stored (in the tokens file the config names), so these
// work while the server runs and it picks the change up within a second.

#include <cstdio>

#include "adapters/api/tokens.hpp"
#include "adapters/config/server_config.hpp"
#include "adapters/platform/system_clock.hpp"
#include "engine/codec/event_json.hpp"
#include "tools/pathways/cli_common.hpp"

namespace pathways::cli {
namespace {

// The config (for the users and the tokens file), or nullopt after printing why not and
// setting the usage exit code.
std::optional<config::ServerConfig> Config(const std::string& path) {
  if (path.empty()) {
    std::fprintf(stderr, "pathways token: error: give the server config file: --config FILE\n");
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

}  // namespace

void AddTokenCommands(CLI::App& app) {
  auto* token = app.add_subcommand("token", "bearer tokens for the server's users");
  token->require_subcommand(1);
  // --config may come before issue/list/revoke or after it (and shows in each one's help).
  auto config = std::make_shared<std::string>();
  const char* config_help = "server config file (required)";
  token->add_option("--config", *config, config_help);

  auto* issue = token->add_subcommand("issue", "issue a token for USER and print it once");
  auto user = std::make_shared<std::string>();
  issue->add_option("USER", *user, "a user of the users file")->required();
  issue->add_option("--config", *config, config_help);
  issue->callback([config, user] {
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

  auto* list = token->add_subcommand("list", "list tokens (ids and users, never the tokens)");
  list->add_option("--config", *config, config_help);
  list->callback([config] {
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

  auto* revoke = token->add_subcommand("revoke", "revoke a token by its id");
  auto id = std::make_shared<std::string>();
  revoke->add_option("ID", *id, "the token's id (from `token list`)")->required();
  revoke->add_option("--config", *config, config_help);
  revoke->callback([config, id] {
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

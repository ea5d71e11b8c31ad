#pragma once
// The workspace: the web pages counsellors, team leads, administrators and auditors work in
// (docs/workspace.md), served by `pathways serve` under `/` beside the JSON API under `/v1`.
// Server-rendered HTML that works without JavaScript (POST, then redirect); the design
// system's files are embedded (assets.hpp). It maps requests onto the application layer
// (adapters/app) as the API does, and has no access rule or command logic of its own.
//
// Sign-in: a password (adapters/auth), then a session cookie (HttpOnly, SameSite=Strict,
// Secure under TLS, a new id at every sign-in); failed sign-ins are throttled per user and
// address; sign-ins, failures and sign-outs are recorded in `$sessions`. Every form carries a
// CSRF token and every POST must come from the workspace's own origin. Every page is sent with
// a Content-Security-Policy that allows no inline script or style and no framing.
//
// Thread-safe: Handle() is called from the server's threads.

#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "adapters/auth/links.hpp"
#include "adapters/config/report_config.hpp"
#include "adapters/config/server_config.hpp"
#include "adapters/http/http_message.hpp"
#include "adapters/web/sessions.hpp"
#include "engine/clock.hpp"
#include "engine/definition/catalog.hpp"
#include "engine/ports/store.hpp"

namespace pathways::app {
class CheckpointSigner;
}  // namespace pathways::app

namespace pathways::notify {
class Dispatcher;
class WitnessPublisher;
}  // namespace pathways::notify

namespace pathways::web {

struct WebOptions {
  Store* store = nullptr;                                        // required
  std::shared_ptr<const definition::DefinitionCatalog> catalog;  // required
  const Clock* clock = nullptr;                                  // required: the pathways'
  const Clock* wall_clock = nullptr;  // sessions and throttling; null: `clock`
  const std::map<std::string, config::User>* users = nullptr;      // required; outlives this
  const std::map<std::string, config::School>* schools = nullptr;  // optional; outlives this
  std::string passwords_file;                                      // required
  SessionLimits sessions;
  ThrottleLimits throttle;
  bool tls = false;  // cookies are Secure
  // The workspace's origin as browsers see it ("https://pathways.example.dk"), which every
  // POST must come from; empty: the scheme and the request's Host.
  std::string origin;
  // Dead letters, endpoints and the parties' `confirm` links (optional; not owned).
  notify::Dispatcher* notifier = nullptr;
  // Verifies the links partners confirm by (/confirm/…); null: every link is refused.
  const auth::LinkSigner* links = nullptr;
  // The funder's reports (/reports); null: no reports file, no report pages. Outlives this.
  const config::ReportConfig* reports = nullptr;
  // The log's checkpoints signed on demand and its key (/audit/proofs); null: only those kept
  // are shown. Not owned.
  app::CheckpointSigner* checkpoints = nullptr;
  // The witnesses of the checkpoints and their keys; null: none. Not owned.
  const notify::WitnessPublisher* witnesses = nullptr;
};

class Web {
 public:
  explicit Web(WebOptions options);
  ~Web();
  Web(const Web&) = delete;
  Web& operator=(const Web&) = delete;

  // Whether `path` is the workspace's: everything but the API (/v1/…) and the health and
  // metrics endpoints.
  static bool Serves(std::string_view path);
  void Handle(http::Request request, http::Responder respond);

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace pathways::web

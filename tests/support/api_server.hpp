#pragma once
// Test support: the API over a real server on 127.0.0.1 with a real store on the AMIGO
// definition and a manual clock, a token per user, and the problem+json check the API tests
// share. REQUIRES: the test target defines PATHWAYS_SOURCE_DIR and links http_server,
// adapters and workflows.

#include <doctest/doctest.h>

#include <fstream>
#include <string>

#include "adapters/api/api.hpp"
#include "adapters/app/checkpoint_signer.hpp"
#include "adapters/http/server.hpp"
#include "engine/storage/backup.hpp"
#include "tests/support/amigo_store.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/temp_store.hpp"
#include "workflows/definition_set.hpp"
#include "workflows/yaml_reader.hpp"

namespace pathways::testing {

inline const char* kUsers = R"(users:
  anne: {name: Anne, role: counsellor, organisation: school}
  bo: {name: Bo, role: counsellor, organisation: school}
  karin: {name: Karin, role: consultant, organisation: school}
  admin: {name: Admin, role: administrator, organisation: school}
  revisor: {name: Revisor, role: auditor, organisation: fund}
  jobcenter: {name: Jobcenter, role: partner, organisation: jc}
)";

// A server with the AMIGO and company definitions on a manual clock, and a token per user.
class TestServer {
 public:
  explicit TestServer(http::ServerOptions so = {}, api::LiveFeedOptions live = {},
                      const char* users = kUsers)
      : clock_(testing::kTestEpochMs) {
    std::filesystem::create_directories(tmp_ / "workflows");
    std::filesystem::copy_file(testing::AmigoPath(), tmp_ / "workflows/amigo.yaml");
    std::filesystem::copy_file(std::string(PATHWAYS_SOURCE_DIR) + "/config/workflows/company.yaml",
                               tmp_ / "workflows/company.yaml");
    std::ofstream(tmp_ / "users.yaml") << users;
    std::ofstream(tmp_ / "pathways.yaml")
        << "data: store\nworkflows: [workflows]\nusers: users.yaml\ntokens: tokens.json\n";
    config::ConfigResult cfg = config::LoadServerConfig(tmp_ / "pathways.yaml");
    REQUIRE(cfg.diagnostics.empty());
    config_ = cfg.config;
    workflows::DefinitionSet set = workflows::LoadDefinitionSet(config_.workflows);
    REQUIRE(set.diagnostics.empty());
    catalog_ = std::make_shared<definition::DefinitionCatalog>();
    catalog_->Merge(set.definitions);
    store_ = testing::OpenWithDefinitions(config_.data_dir, clock_, catalog_);
    tokens_ = std::make_unique<api::TokenStore>(config_.tokens_file);
    for (const auto& [id, user] : config_.users) {
      auto token = tokens_->Issue(id, clock_.NowMs());
      REQUIRE(token.ok());
      token_of_[id] = *token;
    }
    REQUIRE(tokens_->Reload().ok());
    scheduler_ = std::make_unique<runtime::TimerScheduler>(*store_, *store_, clock_);
    scheduler_->Start();
    api::ApiOptions ao;
    ao.store = store_.get();
    ao.catalog = catalog_;
    ao.clock = &clock_;
    ao.manual_clock = &clock_;
    ao.scheduler = scheduler_.get();
    ao.tokens = tokens_.get();
    ao.users = config_.users;
    ao.schools = config_.schools;
    ao.max_queue = 10'000;
    ao.live = live;
    ao.backup_dir = tmp_ / "backups";
    config::ReportConfigResult reports = config::LoadReportConfig(
        std::string(PATHWAYS_SOURCE_DIR) + "/config/reports.yaml", *catalog_);
    REQUIRE(reports.diagnostics.empty());
    reports_ = reports.config;
    ao.reports = &reports_;
    CryptoRandom random;
    Result<audit::note::Signer> key = audit::note::GenerateSigner("test.example/log", random);
    REQUIRE(key.ok());
    checkpoints_ = std::make_unique<app::CheckpointSigner>(*store_, std::move(*key), 0);
    ao.checkpoints = checkpoints_.get();
    std::vector<std::string> paths = config_.workflows;
    ao.reload = [this, paths](std::vector<std::string>& added, std::size_t& unchanged) {
      workflows::ReloadReport r = workflows::ReloadDefinitions(*catalog_, paths);
      for (const auto& d : r.added) added.push_back(d->id);
      unchanged = r.unchanged;
      return r.diagnostics;
    };
    api_ = std::make_unique<api::Api>(std::move(ao));
    so.host = "127.0.0.1";
    so.port = 0;
    server_ = std::make_unique<http::Server>(so, [this](http::Request r, http::Responder done) {
      api_->Handle(std::move(r), std::move(done));
    });
    REQUIRE(server_->Start().ok());
  }
  ~TestServer() {
    server_->Stop();
    server_->Wait(5000);
    scheduler_->Stop();
  }

  HttpReply As(const std::string& user, const std::string& method, const std::string& target,
               const std::string& body = "", std::map<std::string, std::string> headers = {}) {
    headers["Authorization"] = "Bearer " + token_of_.at(user);
    return testing::Request(server_->port(), method, target, body, headers);
  }
  // Registers a lead for `counsellor` and returns its pathway id.
  std::string Lead(const std::string& counsellor) {
    HttpReply r = As(counsellor, "POST", "/v1/pathways",
                     R"({"referral_source":"jobcenter","personal":{"identity":{"name":"N N"}}})");
    REQUIRE_MESSAGE(r.status == 201, r.body);
    return r.Json()["pathway_id"];
  }

  std::map<std::string, std::string> Auth(const std::string& user) const {
    return {{"Authorization", "Bearer " + token_of_.at(user)}};
  }
  std::uint16_t port() const { return server_->port(); }
  http::ServerStats server_stats() const { return server_->Stats(); }
  storage::RocksEventStore& store() { return *store_; }
  ManualClock& clock() { return clock_; }
  const std::string& dir() const { return tmp_.path(); }

 private:
  testing::TempDir tmp_;
  ManualClock clock_;
  config::ServerConfig config_;
  config::ReportConfig reports_;
  std::shared_ptr<definition::DefinitionCatalog> catalog_;
  std::unique_ptr<storage::RocksEventStore> store_;
  std::unique_ptr<api::TokenStore> tokens_;
  std::unique_ptr<runtime::TimerScheduler> scheduler_;
  std::unique_ptr<app::CheckpointSigner> checkpoints_;  // signs on demand only
  std::unique_ptr<api::Api> api_;
  std::unique_ptr<http::Server> server_;
  std::map<std::string, std::string> token_of_;
};

inline const char* kSchoolUsers = R"(schools:
  amigo_skolen: {name: AMIGO-skolen}
  teknisk_skole: {name: Teknisk Skole}
users:
  anne: {name: Anne, role: counsellor, school: amigo_skolen}
  bo: {name: Bo, role: counsellor, school: amigo_skolen}
  carl: {name: Carl, role: counsellor, school: teknisk_skole}
  tove: {name: Tove, role: team_lead, school: amigo_skolen}
  sara: {name: Sara, role: administrator, school: teknisk_skole}
  admin: {name: Admin, role: administrator}
)";

inline bool IsProblem(const HttpReply& r, int status, const std::string& type) {
  const auto j = r.Json();
  return r.status == status && r.headers.count("content-type") &&
         r.headers.at("content-type") == "application/problem+json" && j.is_object() &&
         j.value("type", "") == "https://pathways.example/problems/" + type &&
         j.value("status", 0) == status && !j.value("detail", "").empty();
}

}  // namespace pathways::testing

#pragma once
// Test support: a store on the AMIGO definition with the notification adapters over it, and
// the receivers' ends (webhook keys, mail written to files) the dispatcher tests share.
// REQUIRES: the test target defines PATHWAYS_SOURCE_DIR and links adapters and workflows.

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "adapters/config/notify_config.hpp"
#include "adapters/notify/dispatcher.hpp"
#include "adapters/notify/webhook_signature.hpp"
#include "adapters/platform/system_clock.hpp"
#include "tests/support/amigo_store.hpp"
#include "tests/support/temp_store.hpp"
#include "tests/support/webhook_receiver.hpp"

namespace pathways::testing {

// The receivers verify with the old secret; Pathways signs with both while rotating.
inline constexpr const char* kOldSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
inline constexpr const char* kNewSecret = "whsec_bmV3LXNlY3JldC1mb3ItdGhlLXRlc3RzLTEyMzQ1Ng==";

inline std::string OldKey() { return *notify::ParseWebhookSecret(kOldSecret); }

inline config::WebhookTarget Hook(const WebhookReceiver& r, const std::string& path) {
  config::WebhookTarget t;
  t.url = r.url(path);
  t.secrets = {kNewSecret, kOldSecret};
  return t;
}

// A store on the AMIGO definition and the adapters over it.
class NotifyRig {
 public:
  NotifyRig() : clock_(kTestEpochMs) {
    catalog_ = AmigoCatalog();
    store_ = OpenWithDefinitions(tmp_ / "store", clock_, catalog_);
  }
  ~NotifyRig() {
    if (dispatcher_) dispatcher_->Stop();
  }

  void Start(config::NotifyConfig c) {
    c.timeout = std::chrono::milliseconds(2000);
    notify::DispatcherOptions o;
    o.UseStore(*store_);
    o.catalog = catalog_;
    o.clock = &wall_;
    o.config = std::move(c);
    o.team_leads = team_leads;
    o.contact_persons = contact_persons;
    dispatcher_ = std::make_unique<notify::Dispatcher>(std::move(o));
    REQUIRE(dispatcher_->Start().ok());
  }
  void Restart() {
    config::NotifyConfig c = *dispatcher_->config();
    dispatcher_->Stop();
    dispatcher_.reset();
    Start(std::move(c));
  }

  AppendResult Do(const std::string& pathway, runtime::Command command,
                  const std::string& user = "anne") {
    CommandRequest r;
    r.pathway_id = pathway;
    r.participant_id = "participant-" + pathway;
    r.command_id = pathway + "-" + std::to_string(++commands_);
    r.actor = {user, "counsellor"};
    r.command = std::move(command);
    auto done = store_->Execute(std::move(r));
    REQUIRE_MESSAGE(done.ok(), done.status().ToString());
    return *done;
  }

  // A lead with its contact person, then the intake, which tells the referring authority.
  void Intake(const std::string& id) {
    Do(id, runtime::RegisterLead{"jobcenter", nlohmann::json::object(), {}, "anne"});
    Do(id, runtime::FireTrigger{"hold_intake", {{"age_at_entry", 30}}});
  }

  // A participant aged 22 from lead to dropout on the AMU track: the referring authority, the
  // partner school, the employer and (under 25) KUI are told along the way.
  void YoungDropout(const std::string& id) {
    using runtime::FireTrigger;
    Do(id, runtime::RegisterLead{
               "jobcenter",
               {{"unemployed", false}},
               {{PersonalScope::kIdentity, {{"name", "Maja Jensen"}, {"email", "maja@x.dk"}}},
                {PersonalScope::kGuidance, {{"barriers", {"reading", "financial"}}}}},
               "anne"});
    Do(id, FireTrigger{"hold_intake", {{"age_at_entry", 22}}});
    Do(id, FireTrigger{"request_rkv", nlohmann::json::object()});
    Do(id, FireTrigger{"complete_rkv", {{"track", "AMU"}}});
    Do(id, FireTrigger{"agree_plan", nlohmann::json::object()});
    Do(id, FireTrigger{"enrol", nlohmann::json::object()});
    Do(id, FireTrigger{"start_amu", nlohmann::json::object()});
    Do(id, FireTrigger{"drop_out", {{"reason", "work"}}});
  }

  std::vector<RecordedEvent> History(const std::string& id) {
    auto page = store_->ReadStream(id, 1, 1000);
    REQUIRE(page.ok());
    return page->events;
  }
  std::vector<RecordedEvent> OfType(const std::string& id, const std::string& type) {
    std::vector<RecordedEvent> out;
    for (auto& e : History(id)) {
      if (e.type == type) out.push_back(std::move(e));
    }
    return out;
  }

  void Idle(std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    // Idle: nothing in flight, and no retry due within the next minute.
    const bool idle = dispatcher_->WaitIdle(timeout, 60'000);
    REQUIRE_MESSAGE(idle, "not idle: " << dispatcher_->Metrics());
  }

  notify::Dispatcher& dispatcher() { return *dispatcher_; }
  storage::RocksEventStore& store() { return *store_; }
  ManualClock& clock() { return clock_; }
  const TempDir& tmp() const { return tmp_; }

  // For the next Start.
  std::map<std::string, std::vector<std::string>> team_leads;
  std::map<std::string, notify::ContactPerson> contact_persons;

 private:
  TempDir tmp_;
  ManualClock clock_;
  adapters::SystemClock wall_;
  std::shared_ptr<definition::DefinitionCatalog> catalog_;
  std::unique_ptr<storage::RocksEventStore> store_;
  std::unique_ptr<notify::Dispatcher> dispatcher_;
  int commands_ = 0;
};

inline nlohmann::json DataOf(const RecordedEvent& e) { return nlohmann::json::parse(e.data); }

// Every .eml file in `dir`, whole.
inline std::vector<std::string> Mails(const std::string& dir) {
  std::vector<std::string> out;
  if (!std::filesystem::exists(dir)) return out;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    if (e.path().extension() != ".eml") continue;
    std::ifstream in(e.path());
    out.emplace_back(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  return out;
}

inline config::NotifyConfig MailToFiles(const std::string& dir) {
  config::NotifyConfig c;
  c.smtp = config::SmtpSettings{};
  c.smtp->directory = dir;
  c.smtp->from = "pathways@skole.example";
  return c;
}

}  // namespace pathways::testing

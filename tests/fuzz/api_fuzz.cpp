// libFuzzer target: any request, as the server would hand it over, through the API onto a real
// store. The input is a small text format so the seed corpus stays readable:
//
//   <user>                       anne | bo | admin | revisor | jobcenter | - (no token)
//   <METHOD> <target>
//   <Header>: <value>            any number
//                                a blank line
//   <body>
//
// What must hold for every input: exactly one answer; never a 500; every error is problem+json
// with its status, title and detail; a JSON success is JSON; and an error writes nothing (the
// log's head does not move). Violations abort, which libFuzzer reports with the input.

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <future>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "adapters/api/api.hpp"
#include "engine/definition/catalog.hpp"
#include "engine/storage/rocks_event_store.hpp"
#include "workflows/loader.hpp"

namespace pathways {
namespace {

[[noreturn]] void Fail(const std::string& what, const http::Request& req, const http::Response& r) {
  std::fprintf(stderr, "fuzz invariant broken: %s\n  request: %s %s\n  answer: %d %s\n",
               what.c_str(), req.method.c_str(), req.target.c_str(), r.status, r.body.c_str());
  std::abort();
}

const char* kUsers[] = {"anne", "bo", "admin", "revisor", "jobcenter"};

struct World {
  std::string dir;
  ManualClock clock{1772438400000};  // 2026-03-02T08:00:00Z
  std::shared_ptr<definition::DefinitionCatalog> catalog;
  std::unique_ptr<storage::RocksEventStore> store;
  std::unique_ptr<api::TokenStore> tokens;
  std::unique_ptr<api::Api> api;
  std::map<std::string, std::string> token_of;

  World() {
    char pattern[] = "/tmp/pathways-fuzz-XXXXXX";
    if (::mkdtemp(pattern) == nullptr) std::abort();
    dir = pattern;
    auto loaded = workflows::LoadDefinitionFile(std::string(PATHWAYS_SOURCE_DIR) +
                                                "/config/workflows/amigo.yaml");
    if (!loaded.definition) std::abort();
    catalog = std::make_shared<definition::DefinitionCatalog>();
    catalog->Add(loaded.definition);
    storage::StoreOptions o;
    o.dir = dir + "/store";
    o.create_if_missing = true;
    o.clock = &clock;
    o.definitions = catalog;
    auto opened = storage::RocksEventStore::Open(o);
    if (!opened.ok()) std::abort();
    store = std::move(*opened);
    tokens = std::make_unique<api::TokenStore>(dir + "/tokens.json");
    api::ApiOptions ao;
    for (const char* id : kUsers) {
      config::User u{id, id, config::Role::kCounsellor, "school", "", ""};
      const std::string name = id;
      if (name == "admin") u.role = config::Role::kAdministrator;
      if (name == "revisor") u.role = config::Role::kAuditor;
      if (name == "jobcenter") u.role = config::Role::kPartner;
      ao.users[id] = u;
      auto token = tokens->Issue(id, clock.NowMs());
      if (!token.ok()) std::abort();
      token_of[id] = *token;
    }
    if (!tokens->Reload().ok()) std::abort();
    ao.store = store.get();
    ao.catalog = catalog;
    ao.clock = &clock;
    ao.manual_clock = &clock;
    ao.tokens = tokens.get();
    api = std::make_unique<api::Api>(std::move(ao));
    // A pathway the corpus names: Anne's, with a task once its first timer has fired.
    Handle(
        "anne\nPOST /v1/pathways\nIdempotency-Key: seed\n\n"
        R"({"pathway_id":"pw-fuzz","referral_source":"jobcenter"})");
  }
  ~World() {
    api.reset();
    store.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }

  // Parses the input format into a request; the user line picks the token.
  http::Request Parse(const std::string& input) {
    http::Request req;
    std::size_t at = 0;
    auto line = [&]() {
      const std::size_t nl = input.find('\n', at);
      std::string l = input.substr(at, nl == std::string::npos ? std::string::npos : nl - at);
      at = nl == std::string::npos ? input.size() : nl + 1;
      return l;
    };
    const std::string user = line();
    const std::string request_line = line();
    const std::size_t space = request_line.find(' ');
    req.method = request_line.substr(0, space);
    req.target = space == std::string::npos ? "/" : request_line.substr(space + 1);
    if (token_of.count(user)) req.headers["authorization"] = "Bearer " + token_of[user];
    const std::size_t blank = input.find("\n\n", at == 0 ? 0 : at - 1);
    const std::size_t head_end = blank == std::string::npos ? input.size() : blank + 1;
    req.body = blank == std::string::npos ? "" : input.substr(blank + 2);
    while (at < head_end) {
      const std::string h = line();
      const std::size_t colon = h.find(':');
      if (colon == std::string::npos) continue;
      std::string name = h.substr(0, colon);
      for (char& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      std::size_t v = colon + 1;
      while (v < h.size() && h[v] == ' ') ++v;
      req.headers[name] = h.substr(v);
    }
    return req;
  }

  void Handle(const std::string& input) {
    http::Request req = Parse(input);
    if (!http::ParseTarget(req.target, req)) return;  // the server answers 400 itself
    const std::uint64_t head_before = store->Head().position;
    auto answered = std::make_shared<std::promise<http::Response>>();
    auto calls = std::make_shared<std::atomic<int>>(0);
    const http::Request copy = req;
    api->Handle(std::move(req), [answered, calls](http::Response r) {
      if (calls->fetch_add(1) == 0) answered->set_value(std::move(r));
    });
    auto future = answered->get_future();
    if (future.wait_for(std::chrono::seconds(20)) != std::future_status::ready) {
      Fail("no answer within 20 s", copy, {});
    }
    http::Response r = future.get();
    if (r.stream) {  // a live stream: the head is the answer; end it
      if (r.stream->cancel) r.stream->cancel();
    }
    if (calls->load() != 1) Fail("answered more than once", copy, r);
    if (r.status < 200 || r.status > 599 || r.status == 500) Fail("bad status", copy, r);
    if (r.status >= 400) {
      if (r.content_type != "application/problem+json") Fail("error without problem+json", copy, r);
      auto j = nlohmann::json::parse(r.body, nullptr, false);
      if (!j.is_object() || !j["type"].is_string() || !j["title"].is_string() ||
          !j["detail"].is_string() || j["detail"].get<std::string>().empty() ||
          j["status"] != r.status) {
        Fail("malformed problem", copy, r);
      }
      if (store->Head().position != head_before) Fail("an error wrote events", copy, r);
    } else if (r.content_type == "application/json" && !r.stream) {
      if (nlohmann::json::parse(r.body, nullptr, false).is_discarded()) {
        Fail("a success that is not JSON", copy, r);
      }
    }
  }
};

World* the_world = nullptr;

World& TheWorld() {
  if (the_world == nullptr) {
    the_world = new World();
    std::atexit([] { delete the_world; });  // removes the temporary store
  }
  return *the_world;
}

}  // namespace
}  // namespace pathways

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > 64 * 1024) return -1;  // the server's own limits are tested elsewhere
  pathways::TheWorld().Handle(std::string(reinterpret_cast<const char*>(data), size));
  return 0;
}

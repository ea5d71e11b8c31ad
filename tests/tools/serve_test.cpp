// `pathways serve` as an operator runs it: tokens from the CLI, SIGHUP reloads (a broken file
// keeps the old set), SIGTERM finishes and exits 0, and SIGKILL at any moment loses no
// acknowledged write; a full disk is answered 503 and writing resumes when space returns.

#include <doctest/doctest.h>
#include <sys/mount.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <mutex>
#include <random>
#include <thread>

#include "tests/support/http_client.hpp"
#include "tests/support/server_process.hpp"
#include "tests/support/temp_store.hpp"
#include "workflows/yaml_reader.hpp"

namespace pathways {
namespace {

using testing::HttpReply;

std::string Run(const std::string& args) {
  std::string out;
  std::FILE* p = ::popen((std::string(PATHWAYS_BIN) + " " + args).c_str(), "r");
  REQUIRE(p != nullptr);
  char buf[4096];
  for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, p)) > 0;) out.append(buf, n);
  ::pclose(p);
  return out;
}

// A config in `dir` on the AMIGO definition, a manual clock, and a token for anne and admin.
struct Setup {
  explicit Setup(const testing::TempDir& dir) : config(dir / "pathways.yaml") {
    std::filesystem::create_directories(dir / "workflows");
    std::filesystem::copy_file(std::string(PATHWAYS_SOURCE_DIR) + "/config/workflows/amigo.yaml",
                               dir / "workflows/amigo.yaml");
    std::ofstream(dir / "users.yaml")
        << "users:\n  anne: {role: counsellor}\n  admin: {role: administrator}\n";
    std::ofstream(config) << "data: store\nworkflows: [workflows]\nusers: users.yaml\n"
                             "tokens: tokens.json\nclock: manual\n"
                             "clock_start: 2026-03-02T08:00:00Z\n";
    anne = Run("token --config " + config + " issue anne");
    admin = Run("token --config " + config + " issue admin");
    anne.pop_back();  // the newline
    admin.pop_back();
    REQUIRE(anne.rfind("pw_", 0) == 0);
  }
  std::map<std::string, std::string> As(const std::string& token) const {
    return {{"Authorization", "Bearer " + token}};
  }
  std::string config;
  std::string anne;
  std::string admin;
};

TEST_CASE("serve: tokens from the CLI, SIGHUP keeps the old definitions when a file breaks") {
  testing::TempDir dir;
  Setup setup(dir);
  testing::ServerProcess server(PATHWAYS_BIN, {"--config", setup.config});
  HttpReply lead = testing::Request(server.port(), "POST", "/v1/pathways",
                                    R"({"referral_source":"jobcenter"})", setup.As(setup.anne));
  REQUIRE_MESSAGE(lead.status == 201, lead.body);

  // A broken file: the reload is refused (the metric says so once SIGHUP is handled), and
  // the running definitions keep serving.
  auto metric_shows = [&](const std::string& line) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (std::chrono::steady_clock::now() < deadline) {
      if (testing::Request(server.port(), "GET", "/metrics").body.find(line) != std::string::npos)
        return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));  // polls a condition
    }
    return false;
  };
  auto definitions = [&] {
    return testing::Request(server.port(), "GET", "/v1/definitions", "", setup.As(setup.admin))
        .Json()["definitions"]
        .size();
  };
  std::ofstream(dir / "workflows/amigo-5.yaml") << "id: amigo\nversion: 5\nstates: [\n";
  server.Signal(SIGHUP);
  REQUIRE(metric_shows("pathways_definition_reloads_total{result=\"refused\"} 1"));
  CHECK(definitions() == 1);
  CHECK(testing::Request(server.port(), "POST", "/v1/pathways",
                         R"({"referral_source":"jobcenter"})", setup.As(setup.anne))
            .status == 201);
  // Mended, the next SIGHUP loads it: a server that ignored SIGHUP fails here.
  std::string amigo;
  REQUIRE(workflows::ReadWholeFile(
      std::string(PATHWAYS_SOURCE_DIR) + "/config/workflows/amigo.yaml", amigo));
  const std::size_t version = amigo.find("\nversion: ");
  amigo.replace(version, amigo.find('\n', version + 1) - version, "\nversion: 5");
  std::ofstream(dir / "workflows/amigo-5.yaml", std::ios::trunc) << amigo;
  server.Signal(SIGHUP);
  REQUIRE(metric_shows("pathways_definition_reloads_total{result=\"applied\"} 1"));
  CHECK(definitions() == 2);

  // Revoked from the CLI while the server runs: refused within a second or so.
  const std::string list = Run("token --config " + setup.config + " list");
  const std::string anne_id = setup.anne.substr(3, setup.anne.find('_', 3) - 3);
  CHECK(list.find(anne_id) != std::string::npos);
  Run("token --config " + setup.config + " revoke " + anne_id);
  int status = 0;
  for (int i = 0; i < 40 && status != 401; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    status = testing::Request(server.port(), "GET", "/v1/tasks", "", setup.As(setup.anne)).status;
  }
  CHECK(status == 401);

  server.Signal(SIGTERM);
  CHECK(server.Wait() == 0);
  CHECK(Run("verify --data " + (dir / "store")).find("ok:") != std::string::npos);
}

TEST_CASE("serve: SIGKILL at a random moment loses no acknowledged write") {
  testing::TempDir dir;
  Setup setup(dir);
  std::mt19937 rng(20261127);
  std::map<std::string, int> acknowledged;  // idempotency key -> pathway version answered
  std::string pathway;
  for (int round = 0; round < 3; ++round) {
    testing::ServerProcess server(PATHWAYS_BIN, {"--config", setup.config});
    if (pathway.empty()) {
      HttpReply lead = testing::Request(server.port(), "POST", "/v1/pathways",
                                        R"({"referral_source":"jobcenter"})", setup.As(setup.anne));
      REQUIRE(lead.status == 201);
      pathway = lead.Json()["pathway_id"];
    }
    std::mutex mu;
    std::atomic<bool> stop{false};
    std::vector<std::thread> writers;
    for (int w = 0; w < 4; ++w) {
      writers.emplace_back([&, w] {
        for (int i = 0; !stop && i < 2000; ++i) {
          const std::string key =
              "r" + std::to_string(round) + "-w" + std::to_string(w) + "-" + std::to_string(i);
          auto headers = setup.As(setup.anne);
          headers["Idempotency-Key"] = key;
          HttpReply r =
              testing::Request(server.port(), "POST", "/v1/pathways/" + pathway + "/contacts",
                               R"({"channel":"phone"})", headers);
          if (r.status != 200) break;  // the server is gone
          std::lock_guard lock(mu);
          acknowledged[key] = r.Json()["version"];
        }
      });
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(150 + rng() % 400));
    server.Signal(SIGKILL);
    stop = true;
    for (auto& t : writers) t.join();
    CHECK(server.Wait() == -SIGKILL);
  }
  REQUIRE(acknowledged.size() > 10);

  // After a restart every acknowledged request is there: repeating it is a duplicate.
  testing::ServerProcess server(PATHWAYS_BIN, {"--config", setup.config});
  int lost = 0;
  for (const auto& [key, version] : acknowledged) {
    auto headers = setup.As(setup.anne);
    headers["Idempotency-Key"] = key;
    HttpReply r = testing::Request(server.port(), "POST", "/v1/pathways/" + pathway + "/contacts",
                                   R"({"channel":"phone"})", headers);
    if (r.status != 200 || r.Json()["duplicate"] != true || r.Json()["version"] != version) ++lost;
  }
  CHECK(lost == 0);
  server.Signal(SIGTERM);
  CHECK(server.Wait() == 0);
  CHECK(Run("verify --data " + (dir / "store")).find("ok:") != std::string::npos);
}

// A tmpfs of its own, unmounted at the end. Mounting needs root, which CI has.
class SmallFileSystem {
 public:
  SmallFileSystem(const std::string& at, const char* size) : at_(at) {
    std::filesystem::create_directories(at);
    const std::string options = std::string("size=") + size;
    mounted_ = ::mount("tmpfs", at.c_str(), "tmpfs", 0, options.c_str()) == 0;
    if (!mounted_) error_ = std::strerror(errno);
  }
  ~SmallFileSystem() {
    if (mounted_) ::umount2(at_.c_str(), MNT_DETACH);
  }
  bool mounted() const { return mounted_; }
  const std::string& error() const { return error_; }

 private:
  std::string at_;
  bool mounted_ = false;
  std::string error_;
};

// Writes `path` until the file system has no space left.
void FillUp(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  REQUIRE(f != nullptr);
  const std::string chunk(64 * 1024, 'x');
  while (std::fwrite(chunk.data(), 1, chunk.size(), f) == chunk.size() && std::fflush(f) == 0) {
  }
  std::fclose(f);
}

TEST_CASE("serve: a full disk answers 503 storage-full, and writing resumes when space returns") {
  testing::TempDir dir;
  Setup setup(dir);
  SmallFileSystem disk(dir / "disk", "16m");
  if (!disk.mounted()) {
    // Only root may mount; CI runs as root, so there it must work.
    if (std::getenv("CI") != nullptr) FAIL("cannot mount a tmpfs: " << disk.error());
    MESSAGE("skipped: cannot mount a tmpfs here (" << disk.error() << ")");
    return;
  }
  {
    std::ifstream in(setup.config);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    text.replace(text.find("data: store"), 11, "data: disk/store");
    std::ofstream(setup.config) << text;
  }
  testing::ServerProcess server(PATHWAYS_BIN, {"--config", setup.config});
  HttpReply lead = testing::Request(server.port(), "POST", "/v1/pathways",
                                    R"({"referral_source":"jobcenter"})", setup.As(setup.anne));
  REQUIRE(lead.status == 201);
  const std::string pathway = lead.Json()["pathway_id"];
  const std::string contacts = "/v1/pathways/" + pathway + "/contacts";

  FillUp(dir / "disk/filler");
  std::vector<std::string> acknowledged;
  HttpReply full;
  for (int i = 0; i < 5000 && full.status != 503; ++i) {
    auto headers = setup.As(setup.anne);
    headers["Idempotency-Key"] = "k" + std::to_string(i);
    full = testing::Request(server.port(), "POST", contacts, R"({"channel":"phone"})", headers);
    if (full.status == 200) acknowledged.push_back(headers["Idempotency-Key"]);
  }
  REQUIRE(full.status == 503);
  CHECK(full.Json()["type"] == "https://pathways.example/problems/storage-full");
  CHECK(full.headers.count("retry-after") == 1);
  CHECK(full.body.find(dir.path()) == std::string::npos);  // no internal paths
  HttpReply ready = testing::Request(server.port(), "GET", "/readyz", "", {});
  CHECK(ready.status == 503);
  CHECK(ready.Json()["store"] == "full");
  HttpReply metrics = testing::Request(server.port(), "GET", "/metrics", "", setup.As(setup.admin));
  CHECK(metrics.body.find("pathways_store_state{state=\"full\"} 1") != std::string::npos);
  // Reads go on.
  CHECK(testing::Request(server.port(), "GET", "/v1/pathways/" + pathway, "", setup.As(setup.anne))
            .status == 200);

  std::filesystem::remove(dir / "disk/filler");
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (testing::Request(server.port(), "GET", "/readyz", "", {}).status != 200 &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  REQUIRE(testing::Request(server.port(), "GET", "/readyz", "", {}).status == 200);
  HttpReply after = testing::Request(server.port(), "POST", contacts, R"({"channel":"phone"})",
                                     setup.As(setup.anne));
  CHECK(after.status == 200);

  // Every acknowledged write is there: repeating it is a duplicate.
  for (const std::string& key : acknowledged) {
    auto headers = setup.As(setup.anne);
    headers["Idempotency-Key"] = key;
    HttpReply r =
        testing::Request(server.port(), "POST", contacts, R"({"channel":"phone"})", headers);
    CHECK(r.Json()["duplicate"] == true);
  }
  server.Signal(SIGTERM);
  CHECK(server.Wait() == 0);
  CHECK(Run("verify --data " + (dir / "disk/store")).find("ok:") != std::string::npos);
}

}  // namespace
}  // namespace pathways

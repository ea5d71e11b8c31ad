// The demo as `tools/run.sh` starts it: the shipped config/ (copied, so its ../var lands in a
// temporary directory), seeded participants, and every notification delivered — the partners'
// as Danish emails in var/mail, none a dead letter.

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

#include "tests/support/http_client.hpp"
#include "tests/support/server_process.hpp"
#include "tests/support/temp_store.hpp"

namespace pathways {
namespace {

// The value of a metric line (with its labels) in a Prometheus text, or -1.
double Metric(const std::string& text, const std::string& series) {
  const std::size_t at = text.find("\n" + series + " ");
  if (at == std::string::npos) return -1;
  return std::stod(text.substr(at + series.size() + 2));
}

std::string ReadAll(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

TEST_CASE("the demo: seeded participants, their notices as Danish emails, no dead letter") {
  testing::TempDir dir;
  std::filesystem::copy(std::string(PATHWAYS_SOURCE_DIR) + "/config", dir / "config",
                        std::filesystem::copy_options::recursive);
  std::filesystem::create_directories(dir / "var");  // as tools/run.sh does
  testing::ServerProcess server(PATHWAYS_BIN, {"--config", dir / "config/pathways.yaml"});

  // Wait until every adapter has routed the log and nothing waits or is in flight.
  std::string metrics;
  bool settled = false;
  for (int i = 0; i < 600 && !settled; ++i) {
    metrics = testing::Request(server.port(), "GET", "/metrics").body;
    settled = Metric(metrics, "pathways_notify_delivered_total{adapter=\"email\"}") > 0;
    for (const char* adapter : {"webhook", "email", "inbox"}) {
      const std::string a = std::string("{adapter=\"") + adapter + "\"}";
      settled = settled && Metric(metrics, "pathways_notify_lag_events" + a) == 0 &&
                Metric(metrics, "pathways_notify_waiting" + a) == 0 &&
                Metric(metrics, "pathways_notify_in_flight" + a) == 0;
    }
    if (!settled) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  INFO(metrics);
  REQUIRE(settled);
  for (const char* adapter : {"webhook", "email", "inbox"}) {
    CHECK(Metric(metrics, std::string("pathways_notify_dead_lettered_total{adapter=\"") + adapter +
                              "\"}") == 0);
  }

  // The partners' emails, one file each, in Danish, nothing left of a template or an id.
  std::size_t mails = 0;
  std::size_t links = 0;
  for (const auto& f : std::filesystem::directory_iterator(dir / "var/mail")) {
    if (f.path().extension() != ".eml") continue;
    ++mails;
    const std::string mail = ReadAll(f.path());
    INFO(f.path().string());
    CHECK(mail.find("From: <pathways@amigo-skolen.example>\r\n") != std::string::npos);
    CHECK(mail.find("Content-Type: multipart/alternative") != std::string::npos);
    // The plain-text part, as 8-bit text in a file: readable with `less`.
    const std::size_t part =
        mail.find("text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: 8bit");
    REQUIRE(part != std::string::npos);
    const std::size_t start = mail.find("\r\n\r\n", part) + 4;
    const std::string text = mail.substr(start, mail.find("\r\n--", start) - start);
    CHECK(text.rfind("Til ", 0) == 0);
    CHECK(text.find("Reference: forløb demo-") != std::string::npos);
    CHECK(text.find("{{") == std::string::npos);
    // The employer's emails carry a link to confirm by; its token is no word to read.
    const std::regex link("http://127\\.0\\.0\\.1:[0-9]+/confirm/[A-Za-z0-9_.-]+");
    links += std::regex_search(text, link) ? 1 : 0;
    CHECK_FALSE(
        std::regex_search(std::regex_replace(text, link, "LINK"), std::regex("[a-z]+_[a-z]+")));
  }
  CHECK(mails > 10);
  CHECK(links > 0);
  CHECK(mails == static_cast<std::size_t>(
                     Metric(metrics, "pathways_notify_delivered_total{adapter=\"email\"}")));
}

}  // namespace pathways

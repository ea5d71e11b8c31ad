// The notifications file's witnesses: each a directory, an email, a webhook or a tlog-witness
// (which needs its key), and every mistake named by file, line and column.

#include <doctest/doctest.h>

#include <fstream>

#include "adapters/config/notify_config.hpp"
#include "tests/support/temp_store.hpp"

namespace pathways {
namespace {

constexpr const char* kWitnessKey =
    "witness.test/w1+ffb5432e+BF0cAabixKwj0YfO9TYjaYYiofQmsIIplxiKfuy9BWBi";

TEST_CASE("witnesses config: one channel each, a tlog-witness with its key, mistakes located") {
  testing::TempDir tmp;
  const std::string good = tmp / "good.yaml";
  std::ofstream(good) << "smtp: {directory: mail, from: p@skole.example}\n"
                         "witnesses:\n"
                         "  arkiv: {directory: checkpoints}\n"
                         "  revisor: {email: [revisor@fonden.example]}\n"
                         "  tilsyn: {url: \"https://witness.example/\", key: \""
                      << kWitnessKey << "\"}\n";
  config::NotifyConfigResult ok = config::LoadNotifyConfig(good);
  REQUIRE_MESSAGE(ok.diagnostics.empty(), ok.diagnostics[0].ToString());
  REQUIRE(ok.config.witnesses.size() == 3);
  CHECK(ok.config.witnesses[0].directory == tmp / "checkpoints");
  CHECK(ok.config.witnesses[1].email == std::vector<std::string>{"revisor@fonden.example"});
  CHECK(ok.config.witnesses[2].url == "https://witness.example/");
  CHECK(ok.config.witnesses[2].key == kWitnessKey);

  const std::string bad = tmp / "bad.yaml";
  std::ofstream(bad) << "witnesses:\n"
                        "  begge: {directory: d, email: [a@b.example]}\n"
                        "  blind: {url: \"https://w.example\"}\n"
                        "  noegle: {key: \"w.example+00000000+AAAA\"}\n"
                        "  tom: {}\n";
  config::NotifyConfigResult r = config::LoadNotifyConfig(bad);
  std::vector<std::string> lines;
  for (const auto& d : r.diagnostics) lines.push_back(d.ToString());
  REQUIRE(lines.size() == 5);
  CHECK(lines[0] ==
        bad + ":2:3: error: witness begge: give one of `directory`, `email`, `webhook` or `url`");
  CHECK(lines[1] == bad + ":2:32: error: witness begge is told by email: configure `smtp`");
  CHECK(lines[2] ==
        bad + ":3:10: error: witness blind: a tlog-witness at `url` cosigns: give its `key`");
  CHECK(lines[3].starts_with(bad + ":4:"));
  CHECK(lines[3].find("witness noegle:") != std::string::npos);
  CHECK(lines[4] == bad +
                        ":5:3: error: witness tom needs a `directory`, `email`, `webhook` or "
                        "`url`, or a `key`");
}

}  // namespace
}  // namespace pathways

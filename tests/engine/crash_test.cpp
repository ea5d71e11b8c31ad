// A writer process killed with SIGKILL at a random moment loses no acknowledged append, and
// the chain still verifies. Repeated on the same store.

#include <doctest/doctest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <random>
#include <sstream>
#include <thread>

#include "tests/support/temp_store.hpp"

namespace pathways {
namespace {

struct Ack {
  std::uint64_t position;
  std::string command_id;
};

// Starts crash_writer, kills it after `delay`, and returns what it acknowledged.
std::vector<Ack> RunAndKill(const std::string& dir, int run, std::chrono::milliseconds delay) {
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    ::dup2(fds[1], STDOUT_FILENO);
    ::close(fds[0]);
    ::close(fds[1]);
    const std::string run_text = std::to_string(run);
    ::execl(PATHWAYS_CRASH_WRITER, PATHWAYS_CRASH_WRITER, dir.c_str(), run_text.c_str(),
            static_cast<char*>(nullptr));
    std::_Exit(127);
  }
  ::close(fds[1]);
  std::string output;
  std::thread reader([&] {
    char buf[4096];
    for (ssize_t n; (n = ::read(fds[0], buf, sizeof buf)) > 0;) output.append(buf, n);
  });
  std::this_thread::sleep_for(delay);
  REQUIRE(::kill(pid, SIGKILL) == 0);
  int status = 0;
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  reader.join();
  ::close(fds[0]);
  CHECK(WIFSIGNALED(status));
  CHECK(WTERMSIG(status) == SIGKILL);

  std::vector<Ack> acks;
  std::istringstream in(output);
  std::string line;
  while (std::getline(in, line)) {
    // A line cut by the kill was never complete: its write() was not finished.
    if (line.empty() || in.eof()) continue;
    std::istringstream fields(line);
    Ack a;
    fields >> a.position >> a.command_id;
    acks.push_back(a);
  }
  return acks;
}

TEST_CASE("SIGKILL at a random moment loses no acknowledged append") {
  testing::TempDir tmp;
  const std::string dir = tmp / "store";
  std::mt19937 random(std::random_device{}());
  std::uint64_t total_acks = 0;
  // Five kills at least; on a loaded machine (the browser tests beside) the writer may not
  // get to acknowledge anything that soon, so more runs follow, each waiting longer, until it
  // has (at most 12).
  for (int run = 0; run < 12 && (run < 5 || total_acks == 0); ++run) {
    const auto delay = std::chrono::milliseconds(150 + random() % 350 + (run < 5 ? 0 : run * 300));
    std::vector<Ack> acks = RunAndKill(dir, run, delay);
    total_acks += acks.size();
    INFO("run " << run << " after " << delay.count() << " ms, " << acks.size() << " acks");

    // Killed while the first run was still creating the store: a store appears whole or not
    // at all, and nothing was acknowledged, so nothing can be missing.
    if (!std::filesystem::exists(dir + "/CURRENT")) {
      CHECK(acks.empty());
      continue;
    }
    auto store = testing::OpenReadOnly(dir, false);
    auto report = store->Verify();
    REQUIRE(report.ok());
    CHECK_MESSAGE(report->ok, report->problem);
    for (const Ack& a : acks) {
      auto page = store->ReadAll(a.position, 1);
      REQUIRE(page.ok());
      REQUIRE_MESSAGE(page->events.size() == 1, "acknowledged event " << a.position << " lost");
      CHECK(page->events[0].command_id == a.command_id);
    }
  }
  CHECK(total_acks > 0);  // the writer did get to work before being killed
}

}  // namespace
}  // namespace pathways

#pragma once
// The command line as the subcommands declare it: the part of CLI11 they use, behind a header
// that does not include CLI11. CLI11 2.1 is header-only, and its non-template functions were
// compiled again in every command file that included it (about 5 s of each file's build);
// command_line.cpp is now the one file that does.

#include <functional>
#include <initializer_list>
#include <string>
#include <vector>

namespace CLI {
class App;
class Option;
}  // namespace CLI

namespace pathways::cli {

// One option of a command; each setter returns the option so they chain.
class Option {
 public:
  explicit Option(CLI::Option* option) : option_(option) {}
  Option& Required();
  Option& Positive();                      // a number > 0
  Option& Range(int low, int high);        // a whole number in [low, high]
  Option& Range(double low, double high);  // a number in [low, high]
  Option& OneOf(std::initializer_list<const char*> values);
  Option& ValueText(const std::string& text);  // what --help shows for the value
  Option& OneValueEach();                      // repeatable, one value per occurrence

 private:
  CLI::Option* option_;
};

// A command or a group of subcommands: a handle on what main() parses, cheap to copy.
class Command {
 public:
  explicit Command(CLI::App* app) : app_(app) {}

  Command Sub(const std::string& name, const std::string& description);
  void RequireSubcommand();  // exactly one
  void OnRun(std::function<void()> run);

  // NAME is `--flag` or a positional (no dashes); the value lands in `into` when given.
  Option Add(const std::string& name, std::string& into, const std::string& description);
  Option Add(const std::string& name, std::vector<std::string>& into,
             const std::string& description);
  Option Add(const std::string& name, int& into, const std::string& description);
  Option Add(const std::string& name, unsigned& into, const std::string& description);
  Option Add(const std::string& name, unsigned long& into, const std::string& description);
  Option Add(const std::string& name, double& into, const std::string& description);
  Option Flag(const std::string& name, bool& into, const std::string& description);

 private:
  CLI::App* app_;
};

// Builds the `pathways` command line with `add_commands`, parses argv and runs the command
// chosen. Returns the process's exit code: help and --version 0, a bad command line 2,
// otherwise what the command set (ExitCode()).
int RunCommandLine(int argc, char** argv, const std::function<void(Command)>& add_commands);

}  // namespace pathways::cli

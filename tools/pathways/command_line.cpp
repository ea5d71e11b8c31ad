// The command line over CLI11: the one file that includes it (command_line.hpp says why).

#include "tools/pathways/command_line.hpp"

#include <CLI/CLI.hpp>
#include <cstdio>
#include <exception>

#include "tools/pathways/cli_common.hpp"

namespace pathways::cli {

Option& Option::Required() {
  option_->required();
  return *this;
}

Option& Option::Positive() {
  option_->check(CLI::PositiveNumber);
  return *this;
}

Option& Option::Range(int low, int high) {
  option_->check(CLI::Range(low, high));
  return *this;
}

Option& Option::Range(double low, double high) {
  option_->check(CLI::Range(low, high));
  return *this;
}

Option& Option::OneOf(std::initializer_list<const char*> values) {
  option_->check(CLI::IsMember(std::vector<std::string>(values.begin(), values.end())));
  return *this;
}

Option& Option::ValueText(const std::string& text) {
  option_->option_text(text);
  return *this;
}

Option& Option::OneValueEach() {
  option_->allow_extra_args(false);
  return *this;
}

Command Command::Sub(const std::string& name, const std::string& description) {
  return Command(app_->add_subcommand(name, description));
}

void Command::RequireSubcommand() { app_->require_subcommand(1); }

void Command::OnRun(std::function<void()> run) { app_->callback(std::move(run)); }

Option Command::Add(const std::string& name, std::string& into, const std::string& description) {
  return Option(app_->add_option(name, into, description));
}

Option Command::Add(const std::string& name, std::vector<std::string>& into,
                    const std::string& description) {
  return Option(app_->add_option(name, into, description));
}

Option Command::Add(const std::string& name, int& into, const std::string& description) {
  return Option(app_->add_option(name, into, description));
}

Option Command::Add(const std::string& name, unsigned& into, const std::string& description) {
  return Option(app_->add_option(name, into, description));
}

Option Command::Add(const std::string& name, unsigned long& into, const std::string& description) {
  return Option(app_->add_option(name, into, description));
}

Option Command::Add(const std::string& name, double& into, const std::string& description) {
  return Option(app_->add_option(name, into, description));
}

Option Command::Flag(const std::string& name, bool& into, const std::string& description) {
  return Option(app_->add_flag(name, into, description));
}

int RunCommandLine(int argc, char** argv, const std::function<void(Command)>& add_commands) {
  CLI::App app{"Pathways: participants' pathways as hash-chained events", "pathways"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "pathways 0.1.0");
  add_commands(Command(&app));
  // CLI11 would only say that a subcommand is required: name the one it does not know.
  if (argc > 1 && argv[1][0] != '-' &&
      app.get_subcommands([&](CLI::App* sub) { return sub->check_name(argv[1]); }).empty()) {
    std::fprintf(stderr, "pathways: unknown command `%s`; `pathways --help` lists them\n", argv[1]);
    return kExitUsage;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return kExitUsage;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "pathways: unexpected error: %s\n", e.what());
    return kExitError;
  }
  return ExitCode();
}

}  // namespace pathways::cli

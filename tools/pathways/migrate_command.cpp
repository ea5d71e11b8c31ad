// pathways migrate: moves pathways from one version of their definition to another, with an
// explicit state mapping; --dry-run lists what would move (and what would be refused)
// without writing anything. Writes, so it needs the store to itself until the server offers
// the same through its admin API.

#include <cstdio>
#include <map>

#include "adapters/platform/system_clock.hpp"
#include "engine/runtime/processor.hpp"
#include "tools/pathways/cli_common.hpp"
#include "workflows/definition_set.hpp"

namespace pathways::cli {

void AddMigrateCommand(Command app) {
  Command cmd = app.Sub("migrate", "move pathways to another definition version");
  struct Args {
    StoreFlags store;
    std::vector<std::string> workflows;
    std::string definition;
    std::uint32_t from = 0;
    std::uint32_t to = 0;
    std::string pathway;
    std::vector<std::string> map;
    bool same_names = false;
    bool dry_run = false;
  };
  auto a = std::make_shared<Args>();
  a->store.AddTo(cmd);
  cmd.Add("--workflow", a->workflows,
          "definition files or directories: both the version pathways run on and the target")
      .Required();
  cmd.Add("--definition", a->definition, "definition id (default: the first file's)");
  cmd.Add("--from-version", a->from, "the version the pathways run on").Required();
  cmd.Add("--to-version", a->to, "the version to move them to").Required();
  cmd.Add("--pathway", a->pathway, "one pathway (default: all on --from-version)");
  cmd.Add("--map", a->map, "OLD=NEW, one per state of the old version");
  cmd.Flag("--map-same-names", a->same_names,
           "map each old state to the target state of the same id (explicit --map wins)");
  cmd.Flag("--dry-run", a->dry_run, "list what would move and what would be refused");
  cmd.OnRun([a] {
    auto catalog = LoadCatalog(a->workflows);
    if (catalog == nullptr) return;
    if (a->definition.empty()) a->definition = catalog->Newest()->id;
    auto from = catalog->Find(a->definition, a->from);
    auto to = catalog->Find(a->definition, a->to);
    if (!from || !to) {
      std::fprintf(stderr,
                   "pathways migrate: error: load both %s version %u and %u with --workflow\n",
                   a->definition.c_str(), a->from, a->to);
      ExitCode() = kExitUsage;
      return;
    }
    std::map<std::string, std::string> mapping;
    if (a->same_names) {
      for (const auto& s : from->states) {
        if (to->FindState(s.id) != nullptr) mapping[s.id] = s.id;
      }
    }
    for (const std::string& m : a->map) {
      const std::size_t eq = m.find('=');
      if (eq == std::string::npos) {
        std::fprintf(stderr, "pathways migrate: error: --map `%s` is not OLD=NEW\n", m.c_str());
        ExitCode() = kExitUsage;
        return;
      }
      mapping[m.substr(0, eq)] = m.substr(eq + 1);
    }

    adapters::SystemClock clock;
    storage::StoreOptions o = a->store.Options();
    o.clock = &clock;
    o.definitions = catalog;
    auto store = storage::RocksEventStore::Open(o);
    if (!store.ok()) {
      ExitCode() = Fail("migrate", store.status());
      return;
    }
    std::vector<runtime::PathwayState> pathways;
    if (!a->pathway.empty()) {
      auto one = (*store)->LoadPathway(a->pathway);
      if (!one.ok() || !one->has_value()) {
        ExitCode() =
            Fail("migrate", one.ok() ? Status::NotFound("no pathway " + a->pathway) : one.status());
        return;
      }
      pathways.push_back(**one);
    } else {
      auto all = (*store)->PathwaysOn(a->definition, a->from);
      if (!all.ok()) {
        ExitCode() = Fail("migrate", all.status());
        return;
      }
      pathways = std::move(*all);
    }

    std::size_t moved = 0;
    std::size_t refused = 0;
    const runtime::MigratePathway command{a->to, mapping};
    const Actor actor{"cli", "administrator"};
    for (const runtime::PathwayState& p : pathways) {
      // The dry run asks the same processor the writer will, without committing.
      const runtime::ProcessContext ctx{
          *catalog, actor, clock.NowMs(), p.pathway_id, p.participant_id, p.definition_id};
      Status decided =
          p.definition_version == a->from
              ? runtime::Process(p, command, ctx).status()
              : Status::Rejected("runs on version " + std::to_string(p.definition_version));
      if (decided.ok() && !a->dry_run) {
        CommandRequest r;
        r.pathway_id = p.pathway_id;
        r.command_id = "migrate:" + p.pathway_id + ":" + std::to_string(a->from) + "->" +
                       std::to_string(a->to);
        r.actor = actor;
        r.command = command;
        r.expected = ExpectedVersion::Exact(p.version);
        decided = (*store)->Execute(std::move(r)).status();
      }
      if (decided.ok()) {
        ++moved;
        std::printf("%s %s: %s -> %s\n", a->dry_run ? "would move" : "moved", p.pathway_id.c_str(),
                    p.state.c_str(), mapping.at(p.state).c_str());
      } else {
        ++refused;
        std::printf("refused %s: %s\n", p.pathway_id.c_str(), decided.message().c_str());
      }
    }
    std::printf("%s %zu pathway%s from %s version %u to %u; %zu refused\n",
                a->dry_run ? "would move" : "moved", moved, moved == 1 ? "" : "s",
                a->definition.c_str(), a->from, a->to, refused);
    if (refused > 0) ExitCode() = kExitError;
  });
}

}  // namespace pathways::cli

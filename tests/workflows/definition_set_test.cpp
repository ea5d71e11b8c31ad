// Definition sets and reloads: all files or none, and a running catalog only ever gains new
// versions; a broken or altered file leaves it exactly as it was.

#include "workflows/definition_set.hpp"

#include <doctest/doctest.h>

#include <fstream>
#include <latch>
#include <thread>

#include "tests/support/temp_store.hpp"
#include "workflows/loader.hpp"
#include "workflows/yaml_reader.hpp"

namespace pathways::workflows {
namespace {

std::string Shipped() {
  std::string text;
  REQUIRE(ReadWholeFile(std::string(PATHWAYS_SOURCE_DIR) + "/config/workflows/amigo.yaml", text));
  return text;
}

// AMIGO with another version number and, optionally, another title.
std::string AmigoVersion(int version, const std::string& title_en = "") {
  std::string text = Shipped();
  const std::size_t at = text.find("\nversion: ");
  REQUIRE(at != std::string::npos);
  text.replace(at, text.find('\n', at + 1) - at, "\nversion: " + std::to_string(version));
  if (!title_en.empty()) {
    const std::size_t t = text.find("\ntitle:");
    REQUIRE(t != std::string::npos);
    text.insert(t + 1, "# " + title_en + "\n");
    // A comment changes nothing; change a label the hash covers.
    const std::size_t label = text.find("en: ", t);
    REQUIRE(label != std::string::npos);
    text.insert(label + 4, title_en + " ");
  }
  return text;
}

// The shipped pathway as version 1, the base of these tests.
std::string Amigo() { return AmigoVersion(1); }

void Write(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  REQUIRE(out.good());
}

bool Mentions(const std::vector<Diagnostic>& ds, const std::string& needle) {
  for (const Diagnostic& d : ds) {
    if (d.ToString().find(needle) != std::string::npos) return true;
  }
  return false;
}

TEST_CASE("a directory loads as one set, and one broken file keeps every file out") {
  testing::TempDir dir;
  Write(dir / "amigo-1.yaml", Amigo());
  Write(dir / "amigo-2.yml", AmigoVersion(2));
  Write(dir / "notes.txt", "not a definition");

  DefinitionSet set = LoadDefinitionSet({dir.path()});
  REQUIRE(set.diagnostics.empty());
  REQUIRE(set.definitions.size() == 2);
  CHECK(set.definitions[0]->version == 1);
  CHECK(set.definitions[1]->version == 2);

  Write(dir / "amigo-3.yaml", "id: amigo\nversion: 3\nstates: [\n");
  set = LoadDefinitionSet({dir.path()});
  CHECK(set.definitions.empty());
  CHECK(Mentions(set.diagnostics, "amigo-3.yaml:"));
}

TEST_CASE("the same id and version in two files is a problem") {
  testing::TempDir dir;
  Write(dir / "a.yaml", Amigo());
  Write(dir / "b.yaml", Amigo());
  DefinitionSet set = LoadDefinitionSet({dir.path()});
  CHECK(set.definitions.empty());
  CHECK(Mentions(set.diagnostics, "b.yaml:1:1: error: amigo version 1 is also defined in"));
}

TEST_CASE("an empty directory is a problem, not an empty server") {
  testing::TempDir dir;
  DefinitionSet set = LoadDefinitionSet({dir.path()});
  CHECK(set.definitions.empty());
  CHECK(Mentions(set.diagnostics, "no pathway definition found"));
}

TEST_CASE("reloading adds new versions and keeps the old ones") {
  testing::TempDir dir;
  Write(dir / "amigo-1.yaml", Amigo());
  definition::DefinitionCatalog catalog;
  ReloadReport first = ReloadDefinitions(catalog, {dir.path()});
  REQUIRE(first.diagnostics.empty());
  CHECK(first.added.size() == 1);
  const std::string v1_hash = catalog.Find("amigo", 1)->hash;

  Write(dir / "amigo-2.yaml", AmigoVersion(2));
  ReloadReport second = ReloadDefinitions(catalog, {dir.path()});
  REQUIRE(second.diagnostics.empty());
  CHECK(second.added.size() == 1);
  CHECK(second.unchanged == 1);
  CHECK(catalog.Newest("amigo")->version == 2);

  // Removing the file of version 1 does not unload it: pathways may still run on it.
  std::filesystem::remove(dir / "amigo-1.yaml");
  ReloadReport third = ReloadDefinitions(catalog, {dir.path()});
  CHECK(third.diagnostics.empty());
  REQUIRE(catalog.Find("amigo", 1) != nullptr);
  CHECK(catalog.Find("amigo", 1)->hash == v1_hash);
}

TEST_CASE("a reload with a broken or altered file changes nothing") {
  testing::TempDir dir;
  Write(dir / "amigo-1.yaml", Amigo());
  definition::DefinitionCatalog catalog;
  REQUIRE(ReloadDefinitions(catalog, {dir.path()}).diagnostics.empty());
  const std::string v1_hash = catalog.Find("amigo", 1)->hash;

  SUBCASE("a broken new file: the good new one beside it stays out too") {
    Write(dir / "amigo-2.yaml", AmigoVersion(2));
    Write(dir / "amigo-3.yaml", AmigoVersion(3) + "\nbogus_key: 1\n");
    ReloadReport r = ReloadDefinitions(catalog, {dir.path()});
    CHECK(Mentions(r.diagnostics, "amigo-3.yaml:"));
    CHECK(Mentions(r.diagnostics, "unknown key `bogus_key`"));
    CHECK(r.added.empty());
    CHECK(catalog.Find("amigo", 2) == nullptr);
  }
  SUBCASE("a loaded version edited in place") {
    Write(dir / "amigo-1.yaml", AmigoVersion(1, "Changed"));
    Write(dir / "amigo-2.yaml", AmigoVersion(2));
    ReloadReport r = ReloadDefinitions(catalog, {dir.path()});
    CHECK(Mentions(r.diagnostics,
                   "amigo-1.yaml:1:1: error: amigo version 1 is already loaded "
                   "with other content"));
    CHECK(Mentions(r.diagnostics, "give the changed definition a new version"));
    CHECK(catalog.Find("amigo", 2) == nullptr);
  }
  CHECK(catalog.Find("amigo", 1)->hash == v1_hash);
  CHECK(catalog.All().size() == 1);
}

TEST_CASE("merging into the catalog checks and adds in one step, and never overwrites") {
  auto v1 = LoadDefinition(Amigo(), "amigo-1.yaml").definition;
  auto v1_changed = LoadDefinition(AmigoVersion(1, "Changed"), "amigo-1b.yaml").definition;
  auto v2 = LoadDefinition(AmigoVersion(2), "amigo-2.yaml").definition;
  REQUIRE(v1 != nullptr);
  REQUIRE(v1_changed != nullptr);
  REQUIRE(v2 != nullptr);
  definition::DefinitionCatalog catalog;
  CHECK(catalog.Merge({v1}).added.size() == 1);
  // Version 1 with other content refuses the whole merge: version 2 beside it stays out.
  definition::DefinitionCatalog::MergeResult refused = catalog.Merge({v2, v1_changed});
  CHECK(refused.conflicts == std::vector<std::size_t>{1});
  CHECK(refused.added.empty());
  CHECK(catalog.Find("amigo", 2) == nullptr);
  CHECK(catalog.Find("amigo", 1)->hash == v1->hash);
  definition::DefinitionCatalog::MergeResult merged = catalog.Merge({v1, v2});
  CHECK(merged.added.size() == 1);
  CHECK(merged.unchanged == 1);
}

TEST_CASE("reloads at once (SIGHUP and the API) add each new version once") {
  testing::TempDir dir;
  Write(dir / "amigo-1.yaml", Amigo());
  definition::DefinitionCatalog catalog;
  REQUIRE(ReloadDefinitions(catalog, {dir.path()}).diagnostics.empty());
  for (int version = 2; version <= 4; ++version) {
    Write(dir / ("amigo-" + std::to_string(version) + ".yaml"), AmigoVersion(version));
    std::latch start(2);
    ReloadReport reports[2];
    auto reload = [&](int i) {
      start.arrive_and_wait();
      reports[i] = ReloadDefinitions(catalog, {dir.path()});
    };
    std::thread a(reload, 0);
    std::thread b(reload, 1);
    a.join();
    b.join();
    CHECK(reports[0].diagnostics.empty());
    CHECK(reports[1].diagnostics.empty());
    CHECK(reports[0].added.size() + reports[1].added.size() == 1);
    CHECK(catalog.Newest("amigo")->version == static_cast<std::uint32_t>(version));
  }
}

}  // namespace
}  // namespace pathways::workflows

#pragma once
// Test support: stores that run commands on the shipped AMIGO definition.
// REQUIRES: the test target defines PATHWAYS_SOURCE_DIR and links workflows.

#include <doctest/doctest.h>

#include <memory>
#include <string>

#include "engine/definition/catalog.hpp"
#include "engine/storage/rocks_event_store.hpp"
#include "workflows/loader.hpp"
#include "workflows/yaml_reader.hpp"

namespace pathways::testing {

inline std::string AmigoPath() {
  return std::string(PATHWAYS_SOURCE_DIR) + "/config/workflows/amigo.yaml";
}

// The shipped definition's text as another version of the same pathway (the same content, a
// different hash), for tests of versions, reloads and migration.
inline std::string AmigoAsVersion(int version) {
  std::string text;
  REQUIRE(workflows::ReadWholeFile(AmigoPath(), text));
  const std::size_t at = text.find("\nversion: ");
  REQUIRE(at != std::string::npos);
  const std::size_t end = text.find('\n', at + 1);
  text.replace(at, end - at, "\nversion: " + std::to_string(version));
  return text;
}

inline std::shared_ptr<definition::DefinitionCatalog> AmigoCatalog() {
  auto loaded = workflows::LoadDefinitionFile(AmigoPath());
  REQUIRE(loaded.definition != nullptr);
  auto catalog = std::make_shared<definition::DefinitionCatalog>();
  catalog->Add(loaded.definition);
  return catalog;
}

inline std::unique_ptr<storage::RocksEventStore> OpenWithDefinitions(
    const std::string& dir, const Clock& clock,
    std::shared_ptr<definition::DefinitionCatalog> catalog = AmigoCatalog()) {
  storage::StoreOptions o;
  o.dir = dir;
  o.create_if_missing = true;
  o.clock = &clock;
  o.definitions = std::move(catalog);
  auto store = storage::RocksEventStore::Open(o);
  REQUIRE_MESSAGE(store.ok(), store.status().ToString());
  return std::move(*store);
}

}  // namespace pathways::testing

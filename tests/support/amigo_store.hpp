#pragma once
// Test support: stores that run commands on the shipped AMIGO definition.
// REQUIRES: the test target defines PATHWAYS_SOURCE_DIR and links workflows.

#include <doctest/doctest.h>

#include <memory>
#include <string>

#include "engine/definition/catalog.hpp"
#include "engine/storage/rocks_event_store.hpp"
#include "workflows/loader.hpp"

namespace pathways::testing {

inline std::string AmigoPath() {
  return std::string(PATHWAYS_SOURCE_DIR) + "/config/workflows/amigo.yaml";
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

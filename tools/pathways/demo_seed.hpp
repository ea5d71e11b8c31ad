#pragma once
// The demo data `pathways serve --demo` seeds into an empty store: participants spread along
// the AMIGO route, each with an employer and a municipality, and the schools' company records
// at every stage of the dialogue, kept by their consultants.

#include "adapters/config/server_config.hpp"
#include "engine/definition/catalog.hpp"
#include "engine/ports/store.hpp"

namespace pathways::cli {

// Company records first (when a company definition is loaded and a school has a consultant),
// then the participants (only when the definition is AMIGO and there is a counsellor).
Status SeedDemo(Store& store, const config::ServerConfig& cfg,
                const definition::DefinitionCatalog& catalog);

}  // namespace pathways::cli

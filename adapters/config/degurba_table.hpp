#pragma once
// The degree of urbanisation of each municipality (config/degurba.yaml), which ESF+'s EECO17
// counts participants from rural areas by. Every problem as FILE:LINE:COL.

#include <string>
#include <vector>

#include "adapters/config/report_config.hpp"
#include "workflows/diagnostics.hpp"

namespace pathways::config {

// Reads the table at `path`; problems go to `diagnostics`.
DegurbaTable LoadDegurbaTable(const std::string& path,
                              std::vector<workflows::Diagnostic>& diagnostics);

}  // namespace pathways::config

#pragma once
// What both imports read before they check a row: the CSV file's bytes, and the users file of
// `--config` (when given) that names the users and schools the rows may name.

#include <string>

#include "adapters/app/lead_import.hpp"
#include "adapters/config/server_config.hpp"

namespace pathways::cli {

struct ImportInputs {
  std::string text;
  config::ConfigResult cfg;
  app::ImportDirectory directory;  // points into cfg: keep the inputs where they are
};

// False, with the problem printed and the exit code set, when either cannot be read.
bool ReadImportInputs(const char* command, const std::string& file, const std::string& config,
                      ImportInputs& in);

}  // namespace pathways::cli

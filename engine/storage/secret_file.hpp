#pragma once
// Files that hold a secret beside the store (the master key, the checkpoint signing key): mode
// 0600, refused when group or others may read them, written once and never overwritten.

#include <string>

#include "engine/result.hpp"

namespace pathways::storage {

// The file's text. NotFound when it does not exist; FailedPrecondition when group or others
// may read it. `what` names the file in messages ("master key file").
Result<std::string> ReadSecretFile(const std::string& path, const std::string& what);

// Creates the file with mode 0600 holding `text`, synced. Conflict rather than overwrite an
// existing file; nothing is left behind when writing fails.
Status CreateSecretFile(const std::string& path, const std::string& text, const std::string& what);

}  // namespace pathways::storage

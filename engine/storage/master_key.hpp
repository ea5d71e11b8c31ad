#pragma once
// The master key file: 32 random bytes as 64 hex digits and a newline, mode 0600, kept
// outside the store directory (default: DIR.master-key beside DIR). It wraps every
// participant's data keys, so a copy of the store directory alone reveals no personal data.

#include <string>

#include "engine/audit/aead.hpp"
#include "engine/random.hpp"
#include "engine/result.hpp"

namespace pathways::storage {

// "DIR.master-key" for a store at DIR (a trailing slash is ignored).
std::string DefaultMasterKeyPath(const std::string& store_dir);

// Reads a master key file. NotFound when it does not exist; FailedPrecondition when group or
// others may read it or its content is not 64 hex digits.
Result<audit::Key256> LoadMasterKey(const std::string& path);

// Creates a new master key file with mode 0600. Fails (Conflict) rather than overwrite an
// existing file.
Result<audit::Key256> CreateMasterKey(const std::string& path, RandomSource& random);

}  // namespace pathways::storage

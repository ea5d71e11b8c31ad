#pragma once
// The checkpoint signing key file: the log's Ed25519 signer key as Go's sumdb/note writes it
// (PRIVATE+KEY+name+id+base64) and a newline, mode 0600, beside the store like the master key
// (default: DIR.checkpoint-key). Its key name is the log's origin in every checkpoint.

#include <string>

#include "engine/audit/note.hpp"
#include "engine/random.hpp"
#include "engine/result.hpp"

namespace pathways::storage {

// "DIR.checkpoint-key" for a store at DIR (a trailing slash is ignored).
std::string DefaultCheckpointKeyPath(const std::string& store_dir);

// The origin a new key is named by when none is configured: "<host>/pathways/<store dir's
// name>", without spaces or `+`.
std::string DefaultOrigin(const std::string& store_dir);

// NotFound when the file does not exist; FailedPrecondition when group or others may read it
// or it holds no signer key.
Result<audit::note::Signer> LoadCheckpointKey(const std::string& path);

// A new key named `origin` in a new file. Conflict rather than overwrite one.
Result<audit::note::Signer> CreateCheckpointKey(const std::string& path, const std::string& origin,
                                                RandomSource& random);

// The key at `path`, made (named `origin`) when there is none yet.
Result<audit::note::Signer> LoadOrCreateCheckpointKey(const std::string& path,
                                                      const std::string& origin,
                                                      RandomSource& random);

}  // namespace pathways::storage

#pragma once
// Converts rocksdb::Status to the engine's Status at the storage edge.

#include <rocksdb/status.h>

#include <string_view>

#include "engine/result.hpp"

namespace pathways::storage {

inline Status FromRocks(const rocksdb::Status& s, std::string_view doing) {
  std::string message = std::string(doing) + ": " + s.ToString();
  if (s.ok()) return Status::Ok();
  if (s.IsNotFound()) return Status::NotFound(std::move(message));
  if (s.IsCorruption()) return Status::Corruption(std::move(message));
  if (s.IsNotSupported()) return Status::Unsupported(std::move(message));
  if (s.IsInvalidArgument()) return Status::InvalidArgument(std::move(message));
  if (s.IsBusy() || s.IsTimedOut() || s.IsTryAgain()) {
    return Status::FailedPrecondition(std::move(message));
  }
  if (s.IsIOError() && s.ToString().find("lock") != std::string::npos) {
    return Status::FailedPrecondition(
        std::string(doing) +
        ": the store is in use by another process (is a server running?): " + s.ToString());
  }
  return Status::IOError(std::move(message));
}

}  // namespace pathways::storage

#include "engine/result.hpp"

namespace pathways {

std::string_view StatusCodeName(StatusCode code) {
  switch (code) {
    case StatusCode::kOk: return "ok";
    case StatusCode::kNotFound: return "not found";
    case StatusCode::kInvalidArgument: return "invalid argument";
    case StatusCode::kWrongExpectedVersion: return "wrong expected version";
    case StatusCode::kConflict: return "conflict";
    case StatusCode::kCorruption: return "corruption";
    case StatusCode::kIOError: return "I/O error";
    case StatusCode::kUnsupported: return "unsupported";
    case StatusCode::kFailedPrecondition: return "failed precondition";
    case StatusCode::kClosed: return "closed";
    case StatusCode::kRejected: return "rejected";
    case StatusCode::kPermissionDenied: return "permission denied";
    case StatusCode::kStorageFull: return "storage full";
    case StatusCode::kStorageFailed: return "storage failed";
  }
  return "unknown";
}

std::string Status::ToString() const {
  if (ok()) return "ok";
  std::string out(StatusCodeName(code_));
  out += ": ";
  out += message_;
  return out;
}

}  // namespace pathways

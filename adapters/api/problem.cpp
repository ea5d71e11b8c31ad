#include "adapters/api/problem.hpp"

#include <spdlog/spdlog.h>

#include "adapters/http/http_message.hpp"

namespace pathways::api {

http::Response Problem(int status, const std::string& type, const std::string& detail,
                       nlohmann::json extra) {
  extra["type"] = "https://pathways.example/problems/" + type;
  extra["title"] = std::string(http::ReasonPhrase(status));
  extra["status"] = status;
  extra["detail"] = detail;
  http::Response r;
  r.status = status;
  r.content_type = "application/problem+json";
  r.body = extra.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return r;
}

http::Response ProblemFor(const Status& status) {
  switch (status.code()) {
    case StatusCode::kRejected: return Problem(409, "rejected", status.message());
    case StatusCode::kNotFound: return Problem(404, "not-found", status.message());
    case StatusCode::kPermissionDenied: return Problem(403, "forbidden", status.message());
    case StatusCode::kInvalidArgument: return Problem(400, "invalid-request", status.message());
    case StatusCode::kWrongExpectedVersion:
      return Problem(412, "version-mismatch", status.message());
    case StatusCode::kConflict: return Problem(422, "idempotency-key-reused", status.message());
    case StatusCode::kFailedPrecondition: return Problem(409, "precondition", status.message());
    case StatusCode::kClosed: return Problem(503, "unavailable", status.message());
    // Stable types for what an operator must act on; the messages name no files.
    case StatusCode::kStorageFull:
      return Problem(503, "storage-full", status.message()).With("Retry-After", "10");
    case StatusCode::kStorageFailed: return Problem(503, "storage-failed", status.message());
    default:
      // The cause (an I/O error with its file, a corrupt row) is for the operator's log, not
      // for the client.
      spdlog::error("api: answered 500 internal: {}", status.ToString());
      return Problem(500, "internal",
                     "the server could not complete the request; its log has the cause");
  }
}

http::Response BodyProblemFor(const Status& status) {
  if (status.code() == StatusCode::kInvalidArgument) {
    return Problem(400, "invalid-body", status.message());
  }
  return ProblemFor(status);
}

http::Response Json(int status, const nlohmann::json& body) {
  http::Response r;
  r.status = status;
  r.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return r;
}

}  // namespace pathways::api

#pragma once
// RFC 9457 problem details: every error the API answers, with a stable `type` a client can
// branch on, a `title`, and a `detail` a person can act on.

#include <nlohmann/json.hpp>
#include <string>

#include "adapters/http/http_message.hpp"
#include "engine/result.hpp"

namespace pathways::api {

// `type` is the last segment of https://pathways.example/problems/<type>.
http::Response Problem(int status, const std::string& type, const std::string& detail,
                       nlohmann::json extra = nlohmann::json::object());

// An engine status as a problem: Rejected 409, NotFound 404, InvalidArgument 400,
// WrongExpectedVersion 412, Conflict 422, FailedPrecondition 409, Closed 503, else 500.
http::Response ProblemFor(const Status& status);
// As ProblemFor, but a malformed request is a problem with its body (`invalid-body`).
http::Response BodyProblemFor(const Status& status);

http::Response Json(int status, const nlohmann::json& body);

}  // namespace pathways::api

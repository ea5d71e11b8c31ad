#pragma once
// The audit export as a streamed download (GET /v1/audit/export and the auditor's page): the
// log in global order, JSON lines or CSV, personal data sealed, read in chunks on a background
// thread so the server's threads never wait for the disk. `X-Pathways-Export-Last` names the
// last position it will hold: an export cut short (a failed read) ends before it, which is how
// a client tells a whole one.
//
// Thread-safe: each response owns its cursor.

#include <functional>

#include "adapters/http/http_message.hpp"
#include "engine/ports/store_admin.hpp"

namespace pathways::api {

// Runs a job off the server's threads (BackgroundJobs::Run).
using RunInBackground = std::function<void(std::function<void()>)>;

// `store` outlives the response; so does whatever `run` runs jobs on.
http::Response ExportResponse(const StoreAdmin& store, const ExportOptions& options,
                              RunInBackground run);

}  // namespace pathways::api

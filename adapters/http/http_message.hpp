#pragma once
// The HTTP request and response as the API sees them: plain structs, so only the server's own
// file includes Beast (it is the costliest header set to compile) and handlers stay testable
// without a socket.

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pathways::http {

struct Request {
  std::string method;  // "GET", "POST", ...
  std::string target;  // as sent: path and query
  std::string path;    // as sent (percent-encoded), without the query; see PathSegments
  std::vector<std::pair<std::string, std::string>> query;  // decoded, in order
  std::map<std::string, std::string> headers;              // names lower-cased
  std::string body;
  std::string remote;  // peer address, for logs

  // The header's value, or "" when absent.
  const std::string& Header(const std::string& lower_name) const;
  // The first query parameter of that name, or nullptr.
  const std::string* Query(std::string_view name) const;
};

// A response body produced over time (Server-Sent Events, exports): the server calls `next`
// whenever the previous chunk is written; `next` answers with the next chunk via `emit`
// (an empty chunk with last == true ends the stream). `emit` may be called from any thread,
// and must be called once for every `next`, at the latest after `cancel`: until then it holds
// the connection open.
struct Stream {
  using Emit = std::function<void(std::string chunk, bool last)>;
  std::function<void(Emit emit)> next;
  // Called once when the client goes away or the server stops, from the server's thread.
  std::function<void()> cancel;
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::shared_ptr<Stream> stream;  // set: body is ignored and chunks follow

  Response& With(std::string name, std::string value) {
    headers.emplace_back(std::move(name), std::move(value));
    return *this;
  }
};

// Fills `out.path` (still percent-encoded) and `out.query` (decoded) from a request target;
// false when the target is not an origin-form URL (a path, optionally with a query).
bool ParseTarget(std::string_view target, Request& out);

// The fields of an application/x-www-form-urlencoded body (`+` is a space), in order; nullopt
// when it is not one.
std::optional<std::vector<std::pair<std::string, std::string>>> ParseForm(std::string_view body);

// The path's segments, each percent-decoded on its own after the split, so `%2F` stays inside
// its segment; a trailing slash adds none. nullopt when the path is not a valid
// percent-encoded absolute path.
std::optional<std::vector<std::string>> PathSegments(std::string_view path);

// The status line's reason phrase ("Not Found").
std::string_view ReasonPhrase(int status);

// Answers a request; may be called from any thread, exactly once.
using Responder = std::function<void(Response)>;
using Handler = std::function<void(Request, Responder)>;

}  // namespace pathways::http

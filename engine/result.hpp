#pragma once
// Status and Result<T>: how the engine reports expected failures.
//
// Expected failures (a wrong expected version, a corrupted record, a missing key) are return
// values; no exception crosses the engine's API. Ignoring a Status is explicit and greppable:
// call IgnoreError(status, "why").

#include <cassert>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace pathways {

enum class StatusCode {
  kOk,
  kNotFound,              // the thing asked for does not exist
  kInvalidArgument,       // the caller sent something malformed
  kWrongExpectedVersion,  // optimistic concurrency: the stream is at another version
  kConflict,              // the request contradicts what is stored (e.g. command id reused)
  kCorruption,            // stored bytes are not what was written
  kIOError,               // the file system or RocksDB failed
  kUnsupported,           // e.g. a store written by a newer format version
  kFailedPrecondition,    // e.g. missing or wrong master key, store locked
  kClosed,                // the store was closed while the call waited
  kRejected,              // the pathway's rules refuse the command (the message says why)
  kPermissionDenied,      // the acting user's role may not do this
  kStorageFull,           // the store's disk is full: writes wait for space (reads go on)
  kStorageFailed,         // a write could not be made durable: no writes until a restart
};

std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return {}; }
  static Status NotFound(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
  static Status InvalidArgument(std::string m) {
    return {StatusCode::kInvalidArgument, std::move(m)};
  }
  static Status WrongExpectedVersion(std::string m) {
    return {StatusCode::kWrongExpectedVersion, std::move(m)};
  }
  static Status Conflict(std::string m) { return {StatusCode::kConflict, std::move(m)}; }
  static Status Corruption(std::string m) { return {StatusCode::kCorruption, std::move(m)}; }
  static Status IOError(std::string m) { return {StatusCode::kIOError, std::move(m)}; }
  static Status Unsupported(std::string m) { return {StatusCode::kUnsupported, std::move(m)}; }
  static Status FailedPrecondition(std::string m) {
    return {StatusCode::kFailedPrecondition, std::move(m)};
  }
  static Status Closed(std::string m) { return {StatusCode::kClosed, std::move(m)}; }
  static Status Rejected(std::string m) { return {StatusCode::kRejected, std::move(m)}; }
  static Status PermissionDenied(std::string m) {
    return {StatusCode::kPermissionDenied, std::move(m)};
  }
  static Status StorageFull(std::string m) { return {StatusCode::kStorageFull, std::move(m)}; }
  static Status StorageFailed(std::string m) { return {StatusCode::kStorageFailed, std::move(m)}; }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // "corruption: event 17: hash mismatch"
  std::string ToString() const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

// Drops a status on purpose. `why` documents the decision at the call site.
inline void IgnoreError(const Status& /*status*/, const char* /*why*/) {}

// Either a value or a non-ok Status.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}        // NOLINT(google-explicit-constructor)
  Result(Status status) : v_(std::move(status)) {  // NOLINT(google-explicit-constructor)
    assert(!std::get<Status>(v_).ok() && "a Result holding a Status must hold an error");
  }

  bool ok() const { return std::holds_alternative<T>(v_); }
  explicit operator bool() const { return ok(); }

  // REQUIRES: ok()
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  // Ok() when a value is held.
  Status status() const { return ok() ? Status::Ok() : std::get<Status>(v_); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace pathways

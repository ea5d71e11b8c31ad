#pragma once
// The workspace's sign-in sessions and the throttle on failed sign-ins.
//
// A session id is 256 random bits, handed to the browser once in a cookie; the server keeps
// only its SHA-256, so neither a memory dump nor a log line holds a usable id. Each session
// carries its own CSRF token. Sessions end at sign-out, after `idle_ms` without a request and
// at the latest `lifetime_ms` after sign-in; they live in memory, so a restart signs everyone
// out (the safe direction).
//
// Thread-safe: every method locks.

#include <cstddef>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "engine/clock.hpp"

namespace pathways::web {

struct SessionLimits {
  TimestampMs idle_ms = 30 * 60'000;         // signed out after this without a request
  TimestampMs lifetime_ms = 10 * 3'600'000;  // and at the latest this long after signing in
  std::size_t max_sessions = 10'000;  // past this, the ended are swept, then the least recent
};

struct Session {
  std::string user;
  std::string csrf;  // the token every form of this session carries
  TimestampMs signed_in_at = 0;
  TimestampMs last_seen = 0;
  std::string purpose;  // why personal data is read, asked once per session
};

class SessionStore {
 public:
  SessionStore(const Clock& clock, SessionLimits limits) : clock_(clock), limits_(limits) {}

  // How a session ended without its user signing out, and whose it was.
  struct Ended {
    std::string user;
    std::string reason;  // idle | expired | evicted (the least recent, with the store full)
  };
  // A new session for `user`: its id (for the cookie), or "" when there is no randomness. With
  // the store full, the sessions that have ended by time are swept first, then the least
  // recently used one goes; `ended` gets each.
  std::string Create(const std::string& user, std::vector<Ended>* ended = nullptr);
  // The live session with this id, its idle time restarted; nullopt when unknown or ended.
  // When it ended just now by time, `ended` says how ("idle" or "expired") and whose it was.
  std::optional<Session> Touch(const std::string& id, std::optional<Ended>* ended = nullptr);
  // Ends it (sign-out); the user it was of, or "" when there was none.
  std::string End(const std::string& id);
  void SetPurpose(const std::string& id, const std::string& purpose);

 private:
  // "expired" or "idle" when `s` has ended by time at `now`; null while it lives.
  const char* EndedBy(const Session& s, TimestampMs now) const;

  const Clock& clock_;
  SessionLimits limits_;
  std::mutex mu_;
  std::unordered_map<std::string, Session> by_hash_;  // hex(SHA-256(id)) -> session
};

// Failed sign-ins counted per user name and per network address over a sliding window; past
// the limit, sign-in is refused (even with the right password) until the window has passed.
struct ThrottleLimits {
  std::size_t per_user = 5;
  std::size_t per_address = 20;
  TimestampMs window_ms = 15 * 60'000;
};

class SignInThrottle {
 public:
  SignInThrottle(const Clock& clock, ThrottleLimits limits) : clock_(clock), limits_(limits) {}

  // 0 when a sign-in may be tried; otherwise the milliseconds until it may.
  TimestampMs Wait(const std::string& user, const std::string& address);
  void Failed(const std::string& user, const std::string& address);
  // A good sign-in forgets the user's failures (not the address's).
  void Succeeded(const std::string& user);

 private:
  using Times = std::vector<TimestampMs>;
  TimestampMs WaitFor(Times& failures, std::size_t limit, TimestampMs now) const;

  const Clock& clock_;
  ThrottleLimits limits_;
  std::mutex mu_;
  std::map<std::string, Times> by_user_;
  std::map<std::string, Times> by_address_;
};

}  // namespace pathways::web

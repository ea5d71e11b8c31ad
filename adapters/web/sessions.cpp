#include "adapters/web/sessions.hpp"

#include <algorithm>

#include "adapters/api/tokens.hpp"

namespace pathways::web {

const char* SessionStore::EndedBy(const Session& s, TimestampMs now) const {
  if (now - s.signed_in_at >= limits_.lifetime_ms) return "expired";
  if (now - s.last_seen >= limits_.idle_ms) return "idle";
  return nullptr;
}

std::string SessionStore::Create(const std::string& user, std::vector<Ended>* ended) {
  std::string id = api::RandomHex(32);
  if (id.empty()) return id;
  std::string csrf = api::RandomHex(32);
  if (csrf.empty()) return csrf;
  const TimestampMs now = clock_.NowMs();
  std::lock_guard lock(mu_);
  if (by_hash_.size() >= limits_.max_sessions) {
    std::erase_if(by_hash_, [&](const auto& kv) {
      const char* reason = EndedBy(kv.second, now);
      if (reason != nullptr && ended != nullptr) ended->push_back({kv.second.user, reason});
      return reason != nullptr;
    });
  }
  if (!by_hash_.empty() && by_hash_.size() >= limits_.max_sessions) {
    auto oldest = std::min_element(
        by_hash_.begin(), by_hash_.end(),
        [](const auto& a, const auto& b) { return a.second.last_seen < b.second.last_seen; });
    if (ended != nullptr) ended->push_back({oldest->second.user, "evicted"});
    by_hash_.erase(oldest);
  }
  by_hash_[api::TokenHash(id)] = Session{user, std::move(csrf), now, now, ""};
  return id;
}

std::optional<Session> SessionStore::Touch(const std::string& id, std::optional<Ended>* ended) {
  if (id.empty()) return std::nullopt;
  const std::string hash = api::TokenHash(id);
  const TimestampMs now = clock_.NowMs();
  std::lock_guard lock(mu_);
  auto it = by_hash_.find(hash);
  if (it == by_hash_.end()) return std::nullopt;
  Session& s = it->second;
  if (const char* reason = EndedBy(s, now); reason != nullptr) {
    if (ended != nullptr) *ended = Ended{s.user, reason};
    by_hash_.erase(it);
    return std::nullopt;
  }
  s.last_seen = now;
  return s;
}

std::string SessionStore::End(const std::string& id) {
  if (id.empty()) return {};
  std::lock_guard lock(mu_);
  auto it = by_hash_.find(api::TokenHash(id));
  if (it == by_hash_.end()) return {};
  std::string user = std::move(it->second.user);
  by_hash_.erase(it);
  return user;
}

void SessionStore::SetPurpose(const std::string& id, const std::string& purpose) {
  std::lock_guard lock(mu_);
  if (auto it = by_hash_.find(api::TokenHash(id)); it != by_hash_.end()) {
    it->second.purpose = purpose;
  }
}

TimestampMs SignInThrottle::WaitFor(Times& failures, std::size_t limit, TimestampMs now) const {
  std::erase_if(failures, [&](TimestampMs t) { return now - t >= limits_.window_ms; });
  if (failures.size() < limit) return 0;
  // Allowed again once enough of the failures have left the window.
  return failures[failures.size() - limit] + limits_.window_ms - now;
}

TimestampMs SignInThrottle::Wait(const std::string& user, const std::string& address) {
  const TimestampMs now = clock_.NowMs();
  std::lock_guard lock(mu_);
  TimestampMs wait = 0;
  if (auto it = by_user_.find(user); it != by_user_.end()) {
    wait = WaitFor(it->second, limits_.per_user, now);
  }
  if (auto it = by_address_.find(address); it != by_address_.end()) {
    wait = std::max(wait, WaitFor(it->second, limits_.per_address, now));
  }
  return wait;
}

void SignInThrottle::Failed(const std::string& user, const std::string& address) {
  const TimestampMs now = clock_.NowMs();
  std::lock_guard lock(mu_);
  // Names and addresses are the client's to choose: forget the ones whose failures have all
  // left the window before the maps grow large.
  for (auto* map : {&by_user_, &by_address_}) {
    if (map->size() < 10'000) continue;
    std::erase_if(*map, [&](const auto& kv) {
      return kv.second.empty() || now - kv.second.back() >= limits_.window_ms;
    });
  }
  by_user_[user].push_back(now);
  by_address_[address].push_back(now);
}

void SignInThrottle::Succeeded(const std::string& user) {
  std::lock_guard lock(mu_);
  by_user_.erase(user);
}

}  // namespace pathways::web

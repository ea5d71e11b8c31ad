#pragma once
// Signed links: how a party without an account (a small employer) confirms something on one
// pathway. A notice's email carries `/confirm/<token>`; the token names the link, the party
// and the pathway and when it expires, and is signed with HMAC-SHA256 under a key only the
// server has (`DATA.link-key`, mode 0600, made at the first start). Which triggers a link may
// fire is the notifications file's (`confirm.triggers`), read when it is used; that it is used
// once is the command id's (`link:<party>:<id>`), which the engine keeps unique.
//
// Thread-safe: a LinkSigner is immutable.

#include <string>
#include <string_view>

#include "engine/clock.hpp"
#include "engine/result.hpp"

namespace pathways::auth {

struct LinkClaims {
  std::string id;  // the link's own: random, and the same for every attempt at one delivery
  std::string party;
  std::string pathway_id;
  TimestampMs expires_at = 0;

  // The command id its confirmation is recorded under: a second use finds it taken.
  std::string CommandId() const { return "link:" + party + ":" + id; }
};

class LinkSigner {
 public:
  // `key`: at least 32 bytes.
  explicit LinkSigner(std::string key) : key_(std::move(key)) {}

  // The key in `path` (hex), made from 32 random bytes when the file does not exist yet.
  // IOError when it cannot be read or made; InvalidArgument when it is not a key.
  static Result<LinkSigner> Open(const std::string& path);

  // The token: base64url of the claims, ".", base64url of their MAC.
  std::string Sign(const LinkClaims& claims) const;

  // The claims of a token this key signed. InvalidArgument: not a link of ours (malformed,
  // altered, or signed with another key); FailedPrecondition: expired at `now`, the claims
  // given in `expired` so the page can say whom to ask instead.
  Result<LinkClaims> Verify(std::string_view token, TimestampMs now,
                            LinkClaims* expired = nullptr) const;

 private:
  std::string key_;
};

}  // namespace pathways::auth

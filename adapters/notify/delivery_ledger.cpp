#include "adapters/notify/delivery_ledger.hpp"

#include "engine/codec/bytes.hpp"

namespace pathways::notify {
namespace {

constexpr std::uint8_t kLedgerValueFormat = 1;
constexpr char kCheckpointTag = 'c';
constexpr char kDeliveryTag = 'd';
constexpr char kQueueTag = 'q';
constexpr char kDeadTag = 'x';
constexpr char kEndpointTag = 'e';

std::string DeliveryKey(std::uint64_t id) {
  std::string k(1, kDeliveryTag);
  codec::PutBigU64(k, id);
  return k;
}
std::string QueuePrefix(Channel c) { return {kQueueTag, static_cast<char>(c)}; }
std::string QueueKey(Channel c, TimestampMs due, std::uint64_t id) {
  std::string k = QueuePrefix(c);
  codec::PutBigU64(k, static_cast<std::uint64_t>(due));
  codec::PutBigU64(k, id);
  return k;
}
std::string DeadKey(TimestampMs at, std::uint64_t id) {
  std::string k(1, kDeadTag);
  codec::PutBigU64(k, static_cast<std::uint64_t>(at));
  codec::PutBigU64(k, id);
  return k;
}

std::string Versioned(const nlohmann::json& j) {
  std::string v(1, static_cast<char>(kLedgerValueFormat));
  v += j.dump();
  return v;
}
Result<nlohmann::json> Unversioned(std::string_view value, std::string_view what) {
  if (value.empty() || static_cast<std::uint8_t>(value[0]) != kLedgerValueFormat) {
    return Status::Corruption(std::string(what) + " has an unknown value format");
  }
  nlohmann::json j = nlohmann::json::parse(value.substr(1), nullptr, false);
  if (!j.is_object()) return Status::Corruption(std::string(what) + " is not a JSON object");
  return j;
}

// A dead letters cursor: "<dead_at>.<id>" of the last one listed.
std::string Cursor(const Delivery& d) {
  return std::to_string(d.dead_at) + "." + std::to_string(d.id);
}
std::optional<std::string> CursorKey(const std::string& cursor) {
  const std::size_t dot = cursor.find('.');
  if (dot == std::string::npos) return std::nullopt;
  try {
    std::size_t used = 0;
    const std::uint64_t at = std::stoull(cursor.substr(0, dot), &used);
    if (used != dot) return std::nullopt;
    const std::uint64_t id = std::stoull(cursor.substr(dot + 1), &used);
    if (used != cursor.size() - dot - 1) return std::nullopt;
    return DeadKey(static_cast<TimestampMs>(at), id);
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

// Runs `changes` through the lifecycle from the delivery's status; FailedPrecondition, in
// words, when the table refuses one.
Status Lifecycle(const Delivery& d, std::initializer_list<DeliveryChange> changes) {
  std::optional<DeliveryStatus> at = d.status();
  for (DeliveryChange c : changes) {
    std::optional<DeliveryStatus> next = NextDeliveryStatus(*at, c);
    if (!next) {
      return Status::FailedPrecondition(
          "delivery " + std::to_string(d.id) + " is " + std::string(DeliveryStatusName(*at)) +
          (c == DeliveryChange::kReplay ? ", not a dead letter"
                                        : ": the delivery lifecycle has no such change"));
    }
    at = next;
  }
  return Status::Ok();
}

}  // namespace

DeliveryStatus Delivery::status() const {
  if (dead) return DeliveryStatus::kDeadLetter;
  return attempts == 0 ? DeliveryStatus::kPending : DeliveryStatus::kWaiting;
}

std::string_view ChannelName(Channel c) {
  switch (c) {
    case Channel::kNone: return "none";
    case Channel::kWebhook: return "webhook";
    case Channel::kEmail: return "email";
    case Channel::kInbox: return "inbox";
  }
  return "unknown";
}

std::optional<Channel> ChannelNamed(std::string_view name) {
  for (Channel c : {Channel::kNone, Channel::kWebhook, Channel::kEmail, Channel::kInbox}) {
    if (ChannelName(c) == name) return c;
  }
  return std::nullopt;
}

nlohmann::json Delivery::ToJson() const {
  return {{"id", id},
          {"channel", ChannelName(channel)},
          {"dead", dead},
          {"attempts", attempts},
          {"replays", replays},
          {"created_at", created_at},
          {"next_at", next_at},
          {"dead_at", dead_at},
          {"last_error", last_error},
          {"endpoint", endpoint},
          {"notification", notification}};
}

Result<Delivery> Delivery::FromJson(const nlohmann::json& j) {
  try {
    Delivery d;
    d.id = j.at("id").get<std::uint64_t>();
    auto channel = ChannelNamed(j.at("channel").get<std::string>());
    if (!channel) return Status::Corruption("a delivery has an unknown channel");
    d.channel = *channel;
    d.dead = j.at("dead").get<bool>();
    d.attempts = j.at("attempts").get<std::uint32_t>();
    d.replays = j.at("replays").get<std::uint32_t>();
    d.created_at = j.at("created_at").get<TimestampMs>();
    d.next_at = j.at("next_at").get<TimestampMs>();
    d.dead_at = j.at("dead_at").get<TimestampMs>();
    d.last_error = j.at("last_error").get<std::string>();
    d.endpoint = j.at("endpoint").get<std::string>();
    d.notification = j.at("notification");
    return d;
  } catch (const nlohmann::json::exception& e) {
    return Status::Corruption(std::string("a delivery row is malformed: ") + e.what());
  }
}

nlohmann::json EndpointHealth::ToJson() const {
  return {{"name", name},
          {"failing_since", failing_since},
          {"last_delivered_at", last_delivered_at},
          {"disabled_at", disabled_at},
          {"disabled_reason", disabled_reason}};
}

DeliveryLedger::DeliveryLedger(Outbox& outbox) : outbox_(outbox) {}

Result<std::uint64_t> DeliveryLedger::Checkpoint(const std::string& adapter) const {
  Result<std::optional<std::string>> value =
      outbox_.ReadState(std::string(1, kCheckpointTag) + adapter);
  if (!value.ok()) return value.status();
  if (!value->has_value()) return std::uint64_t{0};
  if ((*value)->size() != 8) {
    return Status::Corruption("adapter checkpoint " + adapter + " is malformed");
  }
  return codec::GetBigU64((*value)->data());
}

Status DeliveryLedger::Enqueue(const std::string& adapter, std::uint64_t checkpoint,
                               const std::vector<Delivery>& deliveries) {
  AdapterStateWrite write;
  for (const Delivery& d : deliveries) {
    write.Put(DeliveryKey(d.id), Versioned(d.ToJson()));
    write.Put(d.dead ? DeadKey(d.dead_at, d.id) : QueueKey(d.channel, d.next_at, d.id), {});
  }
  if (!adapter.empty()) {
    write.Put(std::string(1, kCheckpointTag) + adapter, codec::BigU64(checkpoint));
  }
  return outbox_.WriteState(write);
}

Result<std::vector<Delivery>> DeliveryLedger::Due(Channel channel, TimestampMs now,
                                                  std::size_t max) const {
  const std::string prefix = QueuePrefix(channel);
  std::vector<std::uint64_t> ids;
  Status scan = outbox_.ScanState(prefix, {}, [&](std::string_view key, std::string_view) {
    const std::string_view rest = key.substr(prefix.size());
    if (ids.size() >= max || rest.size() != 16) return false;
    const auto due = static_cast<TimestampMs>(codec::GetBigU64(rest.data()));
    if (due > now) return false;
    ids.push_back(codec::GetBigU64(rest.data() + 8));
    return true;
  });
  if (!scan.ok()) return scan;
  std::vector<Delivery> out;
  for (std::uint64_t id : ids) {
    Result<std::optional<Delivery>> d = Get(id);
    if (!d.ok()) return d.status();
    if (!d->has_value()) {
      return Status::Corruption("queued delivery " + std::to_string(id) + " has no row");
    }
    out.push_back(std::move(**d));
  }
  return out;
}

Result<std::optional<TimestampMs>> DeliveryLedger::NextDueAfter(Channel channel,
                                                                TimestampMs after) const {
  const std::string prefix = QueuePrefix(channel);
  std::string start = prefix;
  codec::PutBigU64(start, static_cast<std::uint64_t>(after) + 1);
  std::optional<TimestampMs> next;
  Status scan = outbox_.ScanState(prefix, start, [&](std::string_view key, std::string_view) {
    if (key.size() == prefix.size() + 16) {
      next = static_cast<TimestampMs>(codec::GetBigU64(key.data() + prefix.size()));
    }
    return false;
  });
  if (!scan.ok()) return scan;
  return next;
}

Result<std::uint64_t> DeliveryLedger::Count(const std::string& prefix) const {
  std::uint64_t n = 0;
  Status scan = outbox_.ScanState(prefix, {}, [&](std::string_view, std::string_view) {
    ++n;
    return true;
  });
  if (!scan.ok()) return scan;
  return n;
}

Result<std::uint64_t> DeliveryLedger::CountWaiting(Channel channel) const {
  return Count(QueuePrefix(channel));
}

Result<std::uint64_t> DeliveryLedger::CountDead() const { return Count(std::string(1, kDeadTag)); }

Status DeliveryLedger::Finish(const Delivery& d) {
  if (Status st = Lifecycle(d, {DeliveryChange::kSend, DeliveryChange::kSucceed}); !st.ok())
    return st;
  AdapterStateWrite write;
  write.Delete(DeliveryKey(d.id));
  write.Delete(QueueKey(d.channel, d.next_at, d.id));
  return outbox_.WriteState(write);
}

Status DeliveryLedger::Reschedule(Delivery& d, TimestampMs next_at, std::string error) {
  if (Status st = Lifecycle(d, {DeliveryChange::kSend, DeliveryChange::kFail}); !st.ok()) return st;
  Delivery next = d;
  ++next.attempts;
  next.next_at = next_at;
  next.last_error = std::move(error);
  return Move(d, std::move(next), QueueKey(d.channel, next_at, d.id), "rescheduling");
}

Status DeliveryLedger::Bury(Delivery& d, TimestampMs at, std::string error) {
  if (Status st = Lifecycle(d, {DeliveryChange::kSend, DeliveryChange::kGiveUp}); !st.ok())
    return st;
  Delivery dead = d;
  ++dead.attempts;
  dead.dead = true;
  dead.dead_at = at;
  dead.last_error = std::move(error);
  return Move(d, std::move(dead), DeadKey(at, d.id), "burying");
}

Status DeliveryLedger::Move(Delivery& d, Delivery next, const std::string& index_key,
                            const char* doing) {
  AdapterStateWrite write;
  write.Delete(QueueKey(d.channel, d.next_at, d.id));
  write.Put(DeliveryKey(d.id), Versioned(next.ToJson()));
  write.Put(index_key, {});
  if (Status st = outbox_.WriteState(write); !st.ok()) {
    return Status(st.code(),
                  std::string(doing) + " delivery " + std::to_string(d.id) + ": " + st.message());
  }
  d = std::move(next);
  return Status::Ok();
}

Result<std::optional<Delivery>> DeliveryLedger::Get(std::uint64_t id) const {
  Result<std::optional<std::string>> value = outbox_.ReadState(DeliveryKey(id));
  if (!value.ok()) return value.status();
  if (!value->has_value()) return std::optional<Delivery>();
  Result<nlohmann::json> j = Unversioned(**value, "delivery " + std::to_string(id));
  if (!j.ok()) return j.status();
  Result<Delivery> d = Delivery::FromJson(*j);
  if (!d.ok()) return d.status();
  return std::optional<Delivery>(std::move(*d));
}

Result<DeadLetterPage> DeliveryLedger::DeadLetters(const std::string& after,
                                                   std::size_t max) const {
  const std::string prefix(1, kDeadTag);
  std::string start;
  if (!after.empty()) {
    std::optional<std::string> key = CursorKey(after);
    if (!key) return Status::InvalidArgument("`after` is not a dead letters cursor");
    start = *key + '\0';  // just past it
  }
  DeadLetterPage page;
  std::vector<std::uint64_t> ids;
  Status scan = outbox_.ScanState(prefix, start, [&](std::string_view key, std::string_view) {
    if (key.size() != 17) return false;
    ids.push_back(codec::GetBigU64(key.data() + 9));
    return ids.size() <= max;  // one more than a page: whether there is a next one
  });
  if (!scan.ok()) return scan;
  for (std::uint64_t id : ids) {
    if (page.letters.size() == max) {
      page.next = Cursor(page.letters.back());
      break;
    }
    Result<std::optional<Delivery>> d = Get(id);
    if (!d.ok()) return d.status();
    if (!d->has_value()) return Status::Corruption("a dead letter has no delivery row");
    page.letters.push_back(std::move(**d));
  }
  return page;
}

Result<Delivery> DeliveryLedger::Revive(std::uint64_t id, TimestampMs now) {
  std::lock_guard lock(revive_mu_);
  Result<std::optional<Delivery>> found = Get(id);
  if (!found.ok()) return found.status();
  if (!found->has_value()) return Status::NotFound("no delivery " + std::to_string(id));
  Delivery d = std::move(**found);
  if (Status st = Lifecycle(d, {DeliveryChange::kReplay}); !st.ok()) return st;
  AdapterStateWrite write;
  write.Delete(DeadKey(d.dead_at, d.id));
  d.dead = false;
  d.dead_at = 0;
  d.attempts = 0;
  ++d.replays;
  d.next_at = now;
  write.Put(DeliveryKey(d.id), Versioned(d.ToJson()));
  write.Put(QueueKey(d.channel, now, d.id), {});
  if (Status st = outbox_.WriteState(write); !st.ok()) return st;
  return d;
}

Result<std::optional<EndpointHealth>> DeliveryLedger::Endpoint(const std::string& name) const {
  Result<std::optional<std::string>> value = outbox_.ReadState(std::string(1, kEndpointTag) + name);
  if (!value.ok()) return value.status();
  if (!value->has_value()) return std::optional<EndpointHealth>();
  Result<nlohmann::json> j = Unversioned(**value, "endpoint " + name);
  if (!j.ok()) return j.status();
  EndpointHealth h;
  h.name = name;
  h.failing_since = j->value("failing_since", TimestampMs{0});
  h.last_delivered_at = j->value("last_delivered_at", TimestampMs{0});
  h.disabled_at = j->value("disabled_at", TimestampMs{0});
  h.disabled_reason = j->value("disabled_reason", "");
  return std::optional<EndpointHealth>(std::move(h));
}

Result<std::vector<EndpointHealth>> DeliveryLedger::Endpoints() const {
  const std::string prefix(1, kEndpointTag);
  std::vector<std::string> names;
  Status scan = outbox_.ScanState(prefix, {}, [&](std::string_view key, std::string_view) {
    names.emplace_back(key.substr(prefix.size()));
    return true;
  });
  if (!scan.ok()) return scan;
  std::vector<EndpointHealth> out;
  for (const std::string& name : names) {
    Result<std::optional<EndpointHealth>> h = Endpoint(name);
    if (!h.ok()) return h.status();
    if (h->has_value()) out.push_back(std::move(**h));
  }
  return out;
}

Status DeliveryLedger::PutEndpoint(const EndpointHealth& h) {
  AdapterStateWrite write;
  write.Put(std::string(1, kEndpointTag) + h.name, Versioned(h.ToJson()));
  return outbox_.WriteState(write);
}

}  // namespace pathways::notify

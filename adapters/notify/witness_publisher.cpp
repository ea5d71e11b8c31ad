#include "adapters/notify/witness_publisher.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "adapters/app/cosignatures.hpp"
#include "adapters/config/private_file.hpp"
#include "adapters/notify/curl_easy.hpp"
#include "adapters/notify/email_sender.hpp"
#include "adapters/notify/webhook_sender.hpp"
#include "engine/audit/checkpoint.hpp"
#include "engine/audit/note.hpp"
#include "engine/codec/event_json.hpp"

namespace pathways::notify {

namespace note = audit::note;

struct WitnessPublisher::Witness {
  const config::WitnessTarget* target = nullptr;
  std::optional<note::Verifier> key;
  std::optional<WebhookEndpoint> webhook;
  WitnessState state;
  std::optional<StoredCheckpoint> waiting;
  TimestampMs due = 0;
  std::uint64_t cosigned = 0;  // the size a tlog-witness last cosigned, as far as we know
  std::unique_ptr<WebhookSender> webhooks;
  std::unique_ptr<EmailSender> mail;
  std::unique_ptr<CurlEasy> http;
};

namespace {

std::string ChannelOf(const config::WitnessTarget& t) {
  if (!t.directory.empty()) return "directory";
  if (!t.email.empty()) return "email";
  if (t.webhook) return "webhook";
  if (!t.url.empty()) return "tlog-witness";
  return "key";
}

std::size_t Collect(char* data, std::size_t size, std::size_t n, void* user) {
  static_cast<std::string*>(user)->append(data, size * n);
  return size * n;
}

struct Answer {
  long status = 0;
  std::string body;
  std::string content_type;
  std::string error;  // the transport's, when there was no answer
};

// A plain POST of `body`, the answer kept: the tlog-witness protocol's add-checkpoint.
Answer Post(CurlEasy& curl, const std::string& url, const std::string& body,
            const std::string& ca_file, std::chrono::milliseconds timeout) {
  Answer a;
  CURL* c = curl.Fresh();
  if (c == nullptr) {
    a.error = "libcurl could not be initialised";
    return a;
  }
  struct curl_slist* headers = curl_slist_append(nullptr, "Content-Type: text/plain");
  headers = curl_slist_append(headers, "Expect:");
  SetPost(c, url, body, headers, "pathways-checkpoints/1", timeout, ca_file);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, &Collect);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &a.body);
  const CURLcode code = curl_easy_perform(c);
  curl_slist_free_all(headers);
  if (code != CURLE_OK) {
    a.error = curl_easy_strerror(code);
    return a;
  }
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &a.status);
  char* type = nullptr;
  curl_easy_getinfo(c, CURLINFO_CONTENT_TYPE, &type);
  if (type != nullptr) a.content_type = type;
  return a;
}

std::string DirectoryDelivery(const std::string& dir, const StoredCheckpoint& c) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return "cannot create " + dir + ": " + ec.message();
  const std::filesystem::path d(dir);
  for (const std::string& name :
       std::vector<std::string>{std::to_string(c.size) + ".checkpoint", "latest.checkpoint"}) {
    if (Status st = config::ReplaceFile((d / name).string(), c.note, 0644); !st.ok()) {
      return st.message();
    }
  }
  return "";
}

std::string CheckpointEmailText(const audit::Checkpoint& cp, const StoredCheckpoint& c,
                                const std::string& log_key) {
  return "Pathways har underskrevet et nyt kontrolpunkt for loggen " + cp.origin + ": " +
         std::to_string(c.size) +
         " hændelser.\n"
         "Gem det. Med det kan I senere kræve bevis for, at loggen kun er vokset siden, og at "
         "en deltagers hændelser står i den (pathways verify-proof).\n\n"
         "Pathways signed a new checkpoint of the log " +
         cp.origin + ": " + std::to_string(c.size) +
         " events.\n"
         "Keep it: with it you can later demand proof that the log only grew since, and that a "
         "participant's events are in it (pathways verify-proof).\n\n"
         "Loggens nøgle / the log's key:\n" +
         log_key + "\n\nKontrolpunkt / checkpoint:\n\n" + c.note;
}

}  // namespace

WitnessPublisher::WitnessPublisher(WitnessPublisherOptions options) : o_(std::move(options)) {
  for (const config::WitnessTarget& t : o_.routing->config.witnesses) {
    auto w = std::make_unique<Witness>();
    w->target = &t;
    w->state.name = t.name;
    w->state.channel = ChannelOf(t);
    w->state.key = t.key;
    if (!t.key.empty()) {
      if (Result<note::Verifier> v = note::DecodeVerifier(t.key); v.ok()) {
        w->key = *v;
        keys_.push_back(*v);
      }
    }
    if (t.webhook) {
      WebhookEndpoint e = EndpointOf(*t.webhook);
      e.timeout = o_.routing->config.timeout;
      w->webhook = std::move(e);
      w->webhooks = std::make_unique<WebhookSender>();
    }
    if (!t.email.empty()) w->mail = std::make_unique<EmailSender>();
    if (!t.url.empty()) w->http = std::make_unique<CurlEasy>();
    witnesses_.push_back(std::move(w));
  }
}

WitnessPublisher::~WitnessPublisher() { Stop(); }

void WitnessPublisher::Start() {
  if (witnesses_.empty()) return;
  thread_ = std::thread([this] { Run(); });
}

void WitnessPublisher::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void WitnessPublisher::Publish(const StoredCheckpoint& checkpoint) {
  {
    std::lock_guard lock(mu_);
    for (auto& w : witnesses_) {
      if (w->state.channel == "key" || checkpoint.size <= w->state.delivered) continue;
      if (w->waiting && w->waiting->size >= checkpoint.size) continue;
      w->waiting = checkpoint;
      w->state.waiting = checkpoint.size;
      w->state.failures = 0;
      w->due = 0;
    }
  }
  wake_.notify_all();
}

std::vector<WitnessState> WitnessPublisher::States() const {
  std::lock_guard lock(mu_);
  std::vector<WitnessState> out;
  for (const auto& w : witnesses_) out.push_back(w->state);
  return out;
}

void WitnessPublisher::Run() {
  RandomSource& random = o_.random != nullptr ? *o_.random : system_random_;
  std::unique_lock lock(mu_);
  while (!stopping_) {
    const TimestampMs now = o_.clock->NowMs();
    TimestampMs next = now + 3'600'000;  // the wall clock may jump: look again within the hour
    Witness* due = nullptr;
    for (auto& w : witnesses_) {
      if (!w->waiting) continue;
      if (w->due <= now) {
        due = w.get();
        break;
      }
      next = std::min(next, w->due);
    }
    if (due == nullptr) {
      wake_.wait_for(lock, std::chrono::milliseconds(next - now));
      continue;
    }
    const StoredCheckpoint c = *due->waiting;
    lock.unlock();
    std::string error = Deliver(*due, c);
    lock.lock();
    WitnessState& s = due->state;
    if (error.empty()) {
      s.delivered = std::max(s.delivered, c.size);
      s.delivered_at = o_.clock->NowMs();
      s.last_error.clear();
      if (due->waiting && due->waiting->size == c.size) {
        due->waiting.reset();
        s.waiting = 0;
        s.failures = 0;
      }
      spdlog::info("checkpoints: {} has checkpoint {}", s.name, c.size);
      continue;
    }
    s.last_error = error;
    if (!due->waiting || due->waiting->size != c.size) continue;  // a newer one came meanwhile
    ++s.failures;
    const auto delay = o_.routing->policy.NextDelay(s.failures, random);
    if (!delay) {
      spdlog::error("checkpoints: gave up giving {} checkpoint {}: {}", s.name, c.size, error);
      due->waiting.reset();
      s.waiting = 0;
      continue;
    }
    spdlog::warn("checkpoints: {} did not take checkpoint {}: {}", s.name, c.size, error);
    due->due = o_.clock->NowMs() + delay->count();
  }
}

std::string WitnessPublisher::Deliver(Witness& w, const StoredCheckpoint& c) {
  const config::WitnessTarget& t = *w.target;
  Result<note::Note> n = note::Parse(c.note);
  if (!n.ok()) return n.status().message();
  Result<audit::Checkpoint> cp = audit::ParseCheckpoint(n->text);
  if (!cp.ok()) return cp.status().message();
  if (!t.directory.empty()) return DirectoryDelivery(t.directory, c);
  if (w.webhook) {
    nlohmann::json body = {{"type", "checkpoint.signed"},
                           {"timestamp", codec::FormatIso8601(o_.clock->NowMs())},
                           {"data",
                            {{"origin", cp->origin},
                             {"size", c.size},
                             {"root", audit::HashBase64(cp->root)},
                             {"checkpoint", c.note},
                             {"key", o_.log_key}}}};
    const WebhookMessage m{"checkpoint_" + std::to_string(c.size), o_.clock->NowMs() / 1000,
                           body.dump()};
    const DeliveryResult r = w.webhooks->Send(*w.webhook, m);
    return r.outcome == DeliveryOutcome::kDelivered ? "" : r.error;
  }
  if (!t.email.empty()) {
    for (const std::string& to : t.email) {
      EmailMessage m;
      m.to = to;
      m.subject = "Kontrolpunkt for " + cp->origin + ": " + std::to_string(c.size) + " hændelser";
      m.text = CheckpointEmailText(*cp, c, o_.log_key);
      m.message_id = "checkpoint-" + std::to_string(c.size) + "." + t.name + "@pathways";
      const EmailResult r = w.mail->Send(o_.routing->smtp, m);
      if (!r.sent) return to + ": " + r.error;
    }
    return "";
  }
  return DeliverToWitness(w, c);
}

// C2SP tlog-witness add-checkpoint: "old N", the consistency proof from N, a blank line, the
// checkpoint. A 409 tells the size the witness holds: asked again from there, once.
std::string WitnessPublisher::DeliverToWitness(Witness& w, const StoredCheckpoint& c) {
  if (!w.key) return "no key to verify its cosignatures with";  // the config requires one
  std::string url = w.target->url;
  while (url.ends_with('/')) url.pop_back();
  url += "/add-checkpoint";
  for (int round = 0; round < 2; ++round) {
    const std::uint64_t old = std::min(w.cosigned, c.size);
    std::string body = "old " + std::to_string(old) + "\n";
    if (old > 0) {
      Result<std::vector<Hash256>> proof = o_.log->ConsistencyProof(old, c.size);
      if (!proof.ok()) return proof.status().message();
      for (const Hash256& h : *proof) {
        body += audit::HashBase64(h) + "\n";
      }
    }
    body += "\n" + c.note;
    const Answer a = Post(*w.http, url, body, w.target->ca_file, o_.routing->config.timeout);
    if (!a.error.empty()) return a.error;
    if (a.status == 409 && a.content_type.starts_with("text/x.tlog.size")) {
      std::uint64_t held = 0;
      const char* end = a.body.data() + a.body.size();
      if (std::from_chars(a.body.data(), end, held).ec != std::errc()) {
        return "answered 409 without a size";
      }
      if (held > c.size) {
        return "the witness holds " + std::to_string(held) + " events of this log, more than " +
               std::to_string(c.size) + ": it saw another log under this name";
      }
      w.cosigned = held;
      continue;
    }
    if (a.status != 200) {
      return "answered " + std::to_string(a.status) +
             (a.body.empty() ? "" : ": " + a.body.substr(0, 200));
    }
    // The answer is signature lines: with the checkpoint's text, a note to keep them from.
    Result<note::Note> ours = note::Parse(c.note);
    if (!ours.ok()) return ours.status().message();
    Result<app::KeptCosignatures> kept =
        app::KeepCosignatures(*o_.log, ours->text + "\n" + a.body, {*w.key});
    if (!kept.ok()) return "its answer: " + kept.status().message();
    w.cosigned = c.size;
    return "";
  }
  return "the witness changed its size twice while asked";
}

}  // namespace pathways::notify

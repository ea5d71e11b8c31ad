// pathways dead-letters list | show | replay: the notification adapters' dead letters, offline.
// list and show open the store read-only (beside a running server); replay writes, so it needs
// the store to itself, and the server sends the letter when it next starts. A running server
// offers the same over its API (GET /v1/admin/dead-letters, POST .../deliveries/{id}/replay).

#include <cstdio>
#include <nlohmann/json.hpp>

#include "adapters/notify/delivery_ledger.hpp"
#include "adapters/notify/dispatcher.hpp"
#include "adapters/platform/system_clock.hpp"
#include "engine/codec/event_json.hpp"
#include "tools/pathways/cli_common.hpp"

namespace pathways::cli {

void AddDeadLetterCommands(Command app) {
  Command group = app.Sub("dead-letters", "list, inspect and replay dead letters");
  group.RequireSubcommand();
  static adapters::SystemClock clock;

  Command list = group.Sub("list", "dead letters, oldest first");
  auto list_flags = std::make_shared<StoreFlags>();
  auto limit = std::make_shared<std::size_t>(100);
  auto after = std::make_shared<std::string>();
  auto json = std::make_shared<bool>(false);
  list_flags->AddTo(list);
  list.Add("--limit", *limit, "at most this many (default 100)").Range(1, 100000);
  list.Add("--after", *after, "continue after this cursor (printed at the end)");
  list.Flag("--json", *json, "one JSON object per line");
  list.OnRun([=] {
    auto store = OpenForReading(*list_flags, "dead-letters list");
    if (store == nullptr) return;
    notify::DeliveryLedger ledger(*store);
    auto page = ledger.DeadLetters(*after, *limit);
    if (!page.ok()) {
      ExitCode() = Fail("dead-letters list", page.status());
      return;
    }
    for (const auto& d : page->letters) {
      if (*json) {
        std::printf("%s\n", notify::DescribeDelivery(d, /*with_notification=*/true).dump().c_str());
        continue;
      }
      std::printf("%llu  %s  %s  %s  %u attempt(s)  %s\n", static_cast<unsigned long long>(d.id),
                  codec::FormatIso8601(d.dead_at).c_str(), d.endpoint.c_str(),
                  d.notification.value("notification_id", "").c_str(), d.attempts,
                  d.last_error.c_str());
    }
    if (!page->next.empty()) std::fprintf(stderr, "more: --after %s\n", page->next.c_str());
  });

  Command show = group.Sub("show", "one waiting or dead delivery as JSON");
  auto show_flags = std::make_shared<StoreFlags>();
  auto show_id = std::make_shared<std::uint64_t>(0);
  show.Add("ID", *show_id, "the delivery's id").Required();
  show_flags->AddTo(show);
  show.OnRun([=] {
    auto store = OpenForReading(*show_flags, "dead-letters show");
    if (store == nullptr) return;
    auto d = notify::DeliveryLedger(*store).Get(*show_id);
    if (!d.ok()) {
      ExitCode() = Fail("dead-letters show", d.status());
      return;
    }
    if (!d->has_value()) {
      ExitCode() =
          Fail("dead-letters show",
               Status::NotFound("no delivery " + std::to_string(*show_id) + " is waiting or dead"));
      return;
    }
    std::printf("%s\n", notify::DescribeDelivery(**d, /*with_notification=*/true).dump(2).c_str());
  });

  Command replay = group.Sub(
      "replay", "send a dead letter again (when the server next starts; it needs the store)");
  auto replay_flags = std::make_shared<StoreFlags>();
  auto replay_id = std::make_shared<std::uint64_t>(0);
  replay.Add("ID", *replay_id, "the dead letter's id").Required();
  replay_flags->AddTo(replay);
  replay.OnRun([=] {
    auto store = OpenForWriting(*replay_flags, clock, "dead-letters replay");
    if (store == nullptr) return;
    auto d = notify::DeliveryLedger(*store).Revive(*replay_id, clock.NowMs());
    if (!d.ok()) {
      ExitCode() = Fail("dead-letters replay", d.status());
      return;
    }
    std::printf("delivery %llu (%s) waits again; the server sends it when it starts\n",
                static_cast<unsigned long long>(d->id), d->endpoint.c_str());
  });
}

}  // namespace pathways::cli

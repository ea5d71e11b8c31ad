#pragma once
// A notification's delivery lifecycle, held in a Boost.MSM transition table
// (delivery_lifecycle.cpp): pending → sending → delivered | waiting to retry → sending … ;
// giving up (last attempt failed, or the endpoint is gone) → dead letter; a dead letter
// replayed by an administrator → pending. The delivery ledger runs every change it records
// through it.
//
// Thread-safe: pure functions.

#include <cstdint>
#include <optional>
#include <string_view>

namespace pathways::notify {

enum class DeliveryStatus : std::uint8_t { kPending, kSending, kDelivered, kWaiting, kDeadLetter };
enum class DeliveryChange : std::uint8_t { kSend, kSucceed, kFail, kGiveUp, kReplay };

// The status after `change`, or nullopt when the lifecycle does not allow it from `from`.
std::optional<DeliveryStatus> NextDeliveryStatus(DeliveryStatus from, DeliveryChange change);

std::string_view DeliveryStatusName(DeliveryStatus s);

}  // namespace pathways::notify

#pragma once
// The engine's fixed lifecycles, held in Boost.MSM transition tables (lifecycles.cpp, the only
// file that includes MSM): a pathway's status, a counsellor's task and a notification's
// delivery. The administrators' graphs are data, interpreted by Decide; these never change
// with configuration.
//
// Thread-safe: pure functions.

#include <cstdint>
#include <optional>
#include <string_view>

#include "engine/runtime/pathway_state.hpp"

namespace pathways::runtime {

// active ⇄ paused → closed
enum class StatusChange : std::uint8_t { kPause, kResume, kClose };
// The status after `change`, or nullopt when the lifecycle does not allow it from `from`.
std::optional<PathwayStatus> NextStatus(PathwayStatus from, StatusChange change);

// open → acknowledged → done | cancelled | escalated (escalated → done | cancelled);
// reassigned to someone else, an open, acknowledged or escalated task is open again.
enum class TaskStatus : std::uint8_t { kOpen, kAcknowledged, kDone, kCancelled, kEscalated };
enum class TaskChange : std::uint8_t { kAcknowledge, kComplete, kCancel, kEscalate, kReassign };
std::optional<TaskStatus> NextTaskStatus(TaskStatus from, TaskChange change);

std::string_view TaskStatusName(TaskStatus s);

// A notification's delivery: pending → sending → delivered | waiting to retry → sending … ;
// giving up (last attempt failed, or the endpoint is gone) → dead letter; a dead letter
// replayed by an administrator → pending.
enum class DeliveryStatus : std::uint8_t { kPending, kSending, kDelivered, kWaiting, kDeadLetter };
enum class DeliveryChange : std::uint8_t { kSend, kSucceed, kFail, kGiveUp, kReplay };
std::optional<DeliveryStatus> NextDeliveryStatus(DeliveryStatus from, DeliveryChange change);

std::string_view DeliveryStatusName(DeliveryStatus s);

}  // namespace pathways::runtime

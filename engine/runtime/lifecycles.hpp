#pragma once
// The engine's fixed lifecycles, held in Boost.MSM transition tables (lifecycles.cpp): a
// pathway's status and a counsellor's task (a notification's delivery is the adapters':
// adapters/notify/delivery_lifecycle.hpp). The administrators' graphs are data, interpreted by
// Decide; these never change with configuration.
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

}  // namespace pathways::runtime

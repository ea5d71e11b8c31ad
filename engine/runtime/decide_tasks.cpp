// The decider's tasks (acknowledged, completed, cancelled, reassigned, escalated) and the
// deliveries of notifications.

#include <algorithm>
#include <charconv>

#include "engine/runtime/calendar.hpp"
#include "engine/runtime/decider.hpp"
#include "engine/runtime/lifecycles.hpp"

namespace pathways::runtime::internal {

Status Decider::Handle(const AcknowledgeTask& c) {
  return TaskChangeTo(c.task_id, TaskChange::kAcknowledge,
                      events::TaskAcknowledged{c.task_id, ctx_.actor.user});
}

Status Decider::Handle(const CompleteTask& c) {
  return TaskChangeTo(c.task_id, TaskChange::kComplete,
                      events::TaskCompleted{c.task_id, ctx_.actor.user});
}

Status Decider::Handle(const CancelTask& c) {
  return TaskChangeTo(c.task_id, TaskChange::kCancel,
                      events::TaskCancelled{c.task_id, ctx_.actor.user, c.reason});
}

Status Decider::Handle(const ReassignTask& c) {
  if (c.assignee.empty()) return Status::InvalidArgument("a task needs someone to go to");
  auto it = s_.open_tasks.find(c.task_id);
  if (it != s_.open_tasks.end() && it->second.assignee == c.assignee) {
    return Status::Rejected("task " + c.task_id + " is " + c.assignee + "'s already");
  }
  const std::string from = it == s_.open_tasks.end() ? "" : it->second.assignee;
  return TaskChangeTo(
      c.task_id, TaskChange::kReassign,
      events::TaskReassigned{c.task_id, ctx_.actor.user, from, c.assignee, c.reason});
}

// A task past its due date goes to the team lead (when the definition has that party); the
// assignee keeps it.
Status Decider::EscalateTask(const FireTimer& c) {
  const std::string task_id = c.timer_id.substr(kTaskTimerPrefix.size());
  auto it = s_.open_tasks.find(task_id);
  if (it == s_.open_tasks.end() || it->second.due_at != c.due_at ||
      it->second.status == "escalated") {
    return Status::Rejected("task " + task_id +
                            " is not overdue at that time (done, reassigned or escalated "
                            "already)");
  }
  const std::string assignee = it->second.assignee;
  Status st = TaskChangeTo(task_id, TaskChange::kEscalate,
                           events::TaskEscalated{task_id, ctx_.actor.user, assignee, c.due_at});
  if (!st.ok()) return st;
  for (const auto& p : ctx_.definition.parties) {
    if (p.id == kTeamLeadParty) {
      return Notify(p.id, {"status"}, "task " + task_id + " overdue (" + assignee + ")");
    }
  }
  return Status::Ok();
}

Status Decider::Handle(const RecordDelivery& c) {
  const std::string prefix = ctx_.pathway_id + ":n";
  std::uint64_t n = 0;
  bool ours = c.notification_id.starts_with(prefix);
  if (ours) {
    const char* first = c.notification_id.data() + prefix.size();
    const char* last = c.notification_id.data() + c.notification_id.size();
    auto [end, error] = std::from_chars(first, last, n);
    ours = error == std::errc() && end == last && n >= 1 && n <= s_.sequence;
  }
  if (!ours) {
    return Status::InvalidArgument("notification " + c.notification_id +
                                   " was not requested by pathway " + ctx_.pathway_id);
  }
  if (c.party.empty() || c.channel.empty())
    return Status::InvalidArgument("a delivery names its party and channel");
  if (c.delivered) {
    return Emit(events::NotificationDelivered{c.notification_id, c.party, c.channel, c.attempts,
                                              c.message_id, c.recipient, c.categories, c.personal});
  }
  return Emit(events::NotificationDeadLettered{c.notification_id, c.party, c.channel, c.attempts,
                                               c.message_id, c.recipient, c.categories, c.personal,
                                               c.last_error});
}

// `event` names the task and the actor; it is emitted when the task's lifecycle allows it.
Status Decider::TaskChangeTo(const std::string& task_id, TaskChange change,
                             events::PathwayEvent event) {
  auto it = s_.open_tasks.find(task_id);
  if (it == s_.open_tasks.end())
    return Status::Rejected("task " + task_id + " is not open on this pathway");
  const TaskStatus current = it->second.status == "acknowledged" ? TaskStatus::kAcknowledged
                             : it->second.status == "escalated"  ? TaskStatus::kEscalated
                                                                 : TaskStatus::kOpen;
  if (!NextTaskStatus(current, change)) {
    return Status::Rejected("task " + task_id + " is " + std::string(TaskStatusName(current)) +
                            " already");
  }
  return Emit(std::move(event));
}

}  // namespace pathways::runtime::internal

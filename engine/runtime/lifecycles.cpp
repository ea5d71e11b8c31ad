// Boost.MSM tables for the engine's fixed lifecycles (pathway status, counsellor task). A machine
// is built for each question: started in its initial state, driven to the current state along the
// lifecycle's own path, asked the change, and read. The tables are the single statement of what may
// follow what.

#include "engine/runtime/lifecycles.hpp"

#include <boost/msm/back/state_machine.hpp>
#include <boost/msm/front/functor_row.hpp>
#include <boost/msm/front/state_machine_def.hpp>

#include "engine/runtime/msm_refusing.hpp"

namespace pathways::runtime {
namespace {

namespace msm = boost::msm;
namespace mpl = boost::mpl;
using msm::front::none;
using msm::front::Row;

template <typename Derived>
using Refusing = RefusingMachine<Derived>;

// ---- pathway status ----
struct Pause {};
struct Resume {};
struct Close {};

struct StatusTable : Refusing<StatusTable> {
  struct Active : msm::front::state<> {};
  struct Paused : msm::front::state<> {};
  struct Closed : msm::front::state<> {};
  using initial_state = Active;
  struct transition_table
      : mpl::vector<
            //  from    event   to
            Row<Active, Pause, Paused, none, none>, Row<Paused, Resume, Active, none, none>,
            Row<Active, Close, Closed, none, none>, Row<Paused, Close, Closed, none, none>> {};
};
using StatusMachine = msm::back::state_machine<StatusTable>;

template <class State>
constexpr int StatusId() {
  return msm::back::get_state_id<StatusMachine::stt, State>::value;
}

// ---- counsellor task ----
struct Acknowledge {};
struct Complete {};
struct Cancel {};
struct Escalate {};
struct Reassign {};  // to another user: open again, for them

struct TaskTable : Refusing<TaskTable> {
  struct Open : msm::front::state<> {};
  struct Acknowledged : msm::front::state<> {};
  struct Done : msm::front::state<> {};
  struct Cancelled : msm::front::state<> {};
  struct Escalated : msm::front::state<> {};
  using initial_state = Open;
  struct transition_table
      : mpl::vector<
            //  from          event        to
            Row<Open, Acknowledge, Acknowledged, none, none>, Row<Open, Complete, Done, none, none>,
            Row<Open, Cancel, Cancelled, none, none>, Row<Open, Escalate, Escalated, none, none>,
            Row<Acknowledged, Complete, Done, none, none>,
            Row<Acknowledged, Cancel, Cancelled, none, none>,
            Row<Acknowledged, Escalate, Escalated, none, none>,
            Row<Escalated, Acknowledge, Acknowledged, none, none>,
            Row<Escalated, Complete, Done, none, none>,
            Row<Escalated, Cancel, Cancelled, none, none>, Row<Open, Reassign, Open, none, none>,
            Row<Acknowledged, Reassign, Open, none, none>,
            Row<Escalated, Reassign, Open, none, none>> {};
};
using TaskMachine = msm::back::state_machine<TaskTable>;

template <class State>
constexpr int TaskId() {
  return msm::back::get_state_id<TaskMachine::stt, State>::value;
}

}  // namespace

std::optional<PathwayStatus> NextStatus(PathwayStatus from, StatusChange change) {
  StatusMachine sm;
  sm.start();
  if (from == PathwayStatus::kPaused) sm.process_event(Pause{});
  if (from == PathwayStatus::kClosed) sm.process_event(Close{});
  sm.refused = false;
  switch (change) {
    case StatusChange::kPause: sm.process_event(Pause{}); break;
    case StatusChange::kResume: sm.process_event(Resume{}); break;
    case StatusChange::kClose: sm.process_event(Close{}); break;
  }
  if (sm.refused) return std::nullopt;
  const int now = sm.current_state()[0];
  if (now == StatusId<StatusTable::Paused>()) return PathwayStatus::kPaused;
  if (now == StatusId<StatusTable::Closed>()) return PathwayStatus::kClosed;
  return PathwayStatus::kActive;
}

std::optional<TaskStatus> NextTaskStatus(TaskStatus from, TaskChange change) {
  TaskMachine sm;
  sm.start();
  switch (from) {
    case TaskStatus::kOpen: break;
    case TaskStatus::kAcknowledged: sm.process_event(Acknowledge{}); break;
    case TaskStatus::kDone: sm.process_event(Complete{}); break;
    case TaskStatus::kCancelled: sm.process_event(Cancel{}); break;
    case TaskStatus::kEscalated: sm.process_event(Escalate{}); break;
  }
  sm.refused = false;
  switch (change) {
    case TaskChange::kAcknowledge: sm.process_event(Acknowledge{}); break;
    case TaskChange::kComplete: sm.process_event(Complete{}); break;
    case TaskChange::kCancel: sm.process_event(Cancel{}); break;
    case TaskChange::kEscalate: sm.process_event(Escalate{}); break;
    case TaskChange::kReassign: sm.process_event(Reassign{}); break;
  }
  if (sm.refused) return std::nullopt;
  const int now = sm.current_state()[0];
  if (now == TaskId<TaskTable::Acknowledged>()) return TaskStatus::kAcknowledged;
  if (now == TaskId<TaskTable::Done>()) return TaskStatus::kDone;
  if (now == TaskId<TaskTable::Cancelled>()) return TaskStatus::kCancelled;
  if (now == TaskId<TaskTable::Escalated>()) return TaskStatus::kEscalated;
  return TaskStatus::kOpen;
}

std::string_view TaskStatusName(TaskStatus s) {
  switch (s) {
    case TaskStatus::kOpen: return "open";
    case TaskStatus::kAcknowledged: return "acknowledged";
    case TaskStatus::kDone: return "done";
    case TaskStatus::kCancelled: return "cancelled";
    case TaskStatus::kEscalated: return "escalated";
  }
  return "open";
}

}  // namespace pathways::runtime

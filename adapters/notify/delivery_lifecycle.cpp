// The delivery lifecycle's Boost.MSM table. A machine is built for each question: started in
// its initial state, driven to the current state along the lifecycle's own path, asked the
// change, and read. The table is the single statement of what may follow what.

#include "adapters/notify/delivery_lifecycle.hpp"

#include <boost/msm/back/state_machine.hpp>
#include <boost/msm/front/functor_row.hpp>
#include <boost/msm/front/state_machine_def.hpp>

#include "engine/runtime/msm_refusing.hpp"

namespace pathways::notify {
namespace {

namespace msm = boost::msm;
namespace mpl = boost::mpl;
using msm::front::none;
using msm::front::Row;
template <typename Derived>
using Refusing = runtime::RefusingMachine<Derived>;

struct Send {};
struct Succeed {};
struct Fail {};
struct GiveUp {};
struct Replay {};

struct DeliveryTable : Refusing<DeliveryTable> {
  struct Pending : msm::front::state<> {};
  struct Sending : msm::front::state<> {};
  struct Delivered : msm::front::state<> {};
  struct Waiting : msm::front::state<> {};
  struct DeadLetter : msm::front::state<> {};
  using initial_state = Pending;
  struct transition_table
      : mpl::vector<
            //  from       event    to
            Row<Pending, Send, Sending, none, none>, Row<Sending, Succeed, Delivered, none, none>,
            Row<Sending, Fail, Waiting, none, none>, Row<Waiting, Send, Sending, none, none>,
            Row<Sending, GiveUp, DeadLetter, none, none>,
            Row<Waiting, GiveUp, DeadLetter, none, none>,
            Row<DeadLetter, Replay, Pending, none, none>> {};
};
using DeliveryMachine = msm::back::state_machine<DeliveryTable>;

template <class State>
constexpr int DeliveryId() {
  return msm::back::get_state_id<DeliveryMachine::stt, State>::value;
}

}  // namespace

std::optional<DeliveryStatus> NextDeliveryStatus(DeliveryStatus from, DeliveryChange change) {
  DeliveryMachine sm;
  sm.start();
  switch (from) {  // along the lifecycle's own path to `from`
    case DeliveryStatus::kPending: break;
    case DeliveryStatus::kSending: sm.process_event(Send{}); break;
    case DeliveryStatus::kDelivered:
      sm.process_event(Send{});
      sm.process_event(Succeed{});
      break;
    case DeliveryStatus::kWaiting:
      sm.process_event(Send{});
      sm.process_event(Fail{});
      break;
    case DeliveryStatus::kDeadLetter:
      sm.process_event(Send{});
      sm.process_event(GiveUp{});
      break;
  }
  sm.refused = false;
  switch (change) {
    case DeliveryChange::kSend: sm.process_event(Send{}); break;
    case DeliveryChange::kSucceed: sm.process_event(Succeed{}); break;
    case DeliveryChange::kFail: sm.process_event(Fail{}); break;
    case DeliveryChange::kGiveUp: sm.process_event(GiveUp{}); break;
    case DeliveryChange::kReplay: sm.process_event(Replay{}); break;
  }
  if (sm.refused) return std::nullopt;
  const int now = sm.current_state()[0];
  if (now == DeliveryId<DeliveryTable::Sending>()) return DeliveryStatus::kSending;
  if (now == DeliveryId<DeliveryTable::Delivered>()) return DeliveryStatus::kDelivered;
  if (now == DeliveryId<DeliveryTable::Waiting>()) return DeliveryStatus::kWaiting;
  if (now == DeliveryId<DeliveryTable::DeadLetter>()) return DeliveryStatus::kDeadLetter;
  return DeliveryStatus::kPending;
}

std::string_view DeliveryStatusName(DeliveryStatus s) {
  switch (s) {
    case DeliveryStatus::kPending: return "pending";
    case DeliveryStatus::kSending: return "sending";
    case DeliveryStatus::kDelivered: return "delivered";
    case DeliveryStatus::kWaiting: return "waiting to retry";
    case DeliveryStatus::kDeadLetter: return "dead letter";
  }
  return "pending";
}

}  // namespace pathways::notify

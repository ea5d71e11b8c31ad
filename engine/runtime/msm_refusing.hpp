#pragma once
// A Boost.MSM front-end base for the fixed lifecycles: an event the transition table has no
// row for is recorded as refused, instead of MSM's default assertion. Include only from the
// source files that hold a lifecycle's table (MSM is costly to compile).

#include <boost/msm/front/state_machine_def.hpp>

namespace pathways::runtime {

template <typename Derived>
struct RefusingMachine : boost::msm::front::state_machine_def<Derived> {
  bool refused = false;
  template <class Fsm, class Event>
  void no_transition(const Event&, Fsm&, int) {
    refused = true;
  }
};

}  // namespace pathways::runtime

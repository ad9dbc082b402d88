#pragma once

// Asking a store actor directly with its typed messages, as a peer would:
// a helper actor sends the request and puts the answer in a box that the
// test reads after sched.run(). Until the answer comes the box stays empty,
// so a test can check that a request is still waiting.

#include <memory>

#include "actor_fixture.hpp"
#include "actor_probe.hpp"

namespace logbase::test {

template <class... Ts>
using reply_box = outcome<Ts...>;

/// As ask(sys, ...), from an actor the fixture keeps (and ends).
template <class... Ts, class Handle, class... Xs>
std::shared_ptr<reply_box<Ts...>> ask(fixture& f, const Handle& to, Xs... xs) {
  auto [box, asker] = ask_by<Ts...>(f.sys, to, xs...);
  f.keep(asker);
  return box;
}

/// The error code an answer failed with (error_code::internal_error if it
/// did not fail: callers compare against the code they expect).
template <class... Ts>
error_code code_of(const reply_box<Ts...>& box) {
  if (!box.error || box.error->category() != failure_category)
    return error_code::internal_error;
  return static_cast<error_code>(box.error->code());
}

} // namespace logbase::test

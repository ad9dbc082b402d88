#pragma once

// Asking a store actor directly with its typed messages, as a peer would:
// a helper actor sends the request and puts the answer in a box that the
// test reads after sched.run(). Until the answer comes the box stays empty,
// so a test can check that a request is still waiting.

#include <memory>
#include <optional>
#include <tuple>

#include "actor_fixture.hpp"

namespace logbase::test {

/// One request's answer: its values or its error, once either came.
template <class... Ts>
struct reply_box {
  std::optional<std::tuple<Ts...>> value;
  std::optional<caf::error> error;

  bool settled() const {
    return value.has_value() || error.has_value();
  }

  /// The first (often only) value; the answer must be a value.
  const auto& get() const {
    BOOST_REQUIRE_MESSAGE(value.has_value(),
                          "expected a value, got "
                            << (error ? caf::to_string(*error) : "no answer"));
    return std::get<0>(*value);
  }
};

/// Sends `xs` to `to` as a request (without timeout) from a helper actor
/// the fixture keeps (and ends). Nothing runs until the test runs `sched`.
template <class... Ts, class Handle, class... Xs>
std::shared_ptr<reply_box<Ts...>> ask(fixture& f, const Handle& to, Xs... xs) {
  auto box = std::make_shared<reply_box<Ts...>>();
  f.keep(f.sys.spawn([=](caf::event_based_actor* self) {
    self->request(to, caf::infinite, xs...)
      .then([=](Ts&... ys) { box->value.emplace(std::move(ys)...); },
            [=](caf::error& err) { box->error = std::move(err); });
  }));
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

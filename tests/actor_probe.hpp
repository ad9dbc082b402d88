#pragma once

// Asks a typed actor from a throwaway actor and keeps the answer, so that a
// test can tell "not answered yet" from an answer (a scoped_actor would
// block the test coordinator's one thread while it waits).

#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <utility>

#include <boost/test/unit_test.hpp>
#include <caf/all.hpp>

#include "messages/caf_errors.hpp"

namespace logbase::test {

template <class... Rs>
struct outcome {
  std::optional<std::tuple<Rs...>> value;
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

/// Sends the request now (without timeout) from a throwaway actor, which it
/// returns too; the caller runs the scheduler to get an answer.
template <class... Rs, class Handle, class... Xs>
std::pair<std::shared_ptr<outcome<Rs...>>, caf::actor>
ask_by(caf::actor_system& sys, const Handle& to, Xs... xs) {
  auto out = std::make_shared<outcome<Rs...>>();
  auto asker = sys.spawn([=](caf::event_based_actor* self) {
    self->request(to, caf::infinite, xs...)
      .then([=](Rs&... rs) { out->value.emplace(std::move(rs)...); },
            [=](caf::error& err) { out->error = std::move(err); });
  });
  return {out, asker};
}

template <class... Rs, class Handle, class... Xs>
std::shared_ptr<outcome<Rs...>> ask(caf::actor_system& sys, const Handle& to,
                                    Xs... xs) {
  return ask_by<Rs...>(sys, to, xs...).first;
}

/// The error's name as clients see it ("not_ready"), printable in a check.
inline std::string error_name(const caf::error& err) {
  return std::string{to_string(to_failure(err).code)};
}

} // namespace logbase::test

#pragma once

/// What the event index's and the listing's tests share: a fixed instant and
/// a query of everything one account holds.

#include <cstdint>

#include "src/model.hpp"
#include "src/time.hpp"

namespace logbase::testing {

constexpr int64_t t0 = int64_t{1714557600} * ns_per_second;

inline event_query all_of(int64_t account) {
  event_query q;
  q.account_id = account;
  return q;
}

} // namespace logbase::testing

#pragma once

/// GET /accounts/{id}/events' body, written by the event log straight from
/// its index: no event objects in between, one pass, one allocation. The
/// text is exactly `events_json(index.query(q))` (the tests compare them).

#include <string>

#include "src/event_index.hpp"

namespace logbase {

/// `[{"happenedAt":"…Z","accountId":1,"type":"login"}, …]` of what `q`
/// lists.
std::string listing_json(const event_index& index, const event_query& q);

} // namespace logbase

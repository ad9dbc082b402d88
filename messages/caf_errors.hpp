#pragma once

#include <optional>
#include <set>
#include <vector>

/// `failure` as a `caf::error`, so that actors answer failures as values and
/// the HTTP edge gets the code and the sentence back.

#include <string>

#include <caf/error.hpp>
#include <caf/make_message.hpp>
#include <caf/sec.hpp>

#include "src/errors.hpp"

namespace logbase {

inline constexpr caf::atom_value failure_category = caf::atom("logbase");

inline caf::error make_error(error_code code, std::string message) {
  return caf::error{static_cast<uint8_t>(code), failure_category,
                    caf::make_message(std::move(message))};
}

inline caf::error make_error(const failure& f) {
  return make_error(f.code, f.message);
}

/// A request to the bridge that timed out means Kafka did not confirm in
/// time: say so (503 broker_unavailable) rather than a generic timeout.
inline caf::error kafka_timeout_as_unavailable(const caf::error& err) {
  if (err == caf::sec::request_timeout)
    return make_error(error_code::broker_unavailable,
                      "Kafka did not confirm the write in time");
  return err;
}

/// 503 partition_moving: another node owns the account's partition now,
/// or nobody does while it moves.
inline caf::error moving_error(int64_t account_id) {
  return make_error(error_code::partition_moving,
                    "account " + std::to_string(account_id)
                      + " is moving to another node; retry");
}

/// Why a store cannot answer for an account now: its partition is not
/// this node's (moving), or is still being restored (`what` is what
/// restores); nothing when it can.
inline std::optional<caf::error> partition_refusal(int64_t account_id,
                                                   bool owned, bool restored,
                                                   const char* what) {
  if (!owned)
    return moving_error(account_id);
  if (!restored)
    return make_error(error_code::not_ready,
                      std::string{what} + " is still being restored");
  return std::nullopt;
}

/// Why a store cannot report its restore progress yet, if it cannot: its
/// feed failed, or the group has not said what it owns.
inline std::optional<caf::error> progress_refusal(const std::string& feed_error,
                                                  bool owning_known) {
  if (!feed_error.empty())
    return make_error(error_code::not_ready, feed_error);
  if (!owning_known)
    return make_error(error_code::not_ready,
                      "waiting for the consumer group's assignment");
  return std::nullopt;
}

/// The owned partitions not yet restored.
inline std::vector<int32_t> still_restoring(const std::set<int32_t>& owned,
                                            const std::set<int32_t>& restored) {
  std::vector<int32_t> out;
  for (auto p : owned)
    if (restored.count(p) == 0)
      out.push_back(p);
  return out;
}

inline failure to_failure(const caf::error& err) {
  if (err.category() == failure_category) {
    failure f{static_cast<error_code>(err.code()), {}};
    if (err.context().match_elements<std::string>())
      f.message = err.context().get_as<std::string>(0);
    return f;
  }
  if (err == caf::sec::request_timeout)
    return {error_code::timeout, "the request took too long; try again"};
  if (err == caf::sec::request_receiver_down
      || err == caf::sec::cannot_connect_to_node
      || err == caf::sec::no_route_to_receiving_node)
    return {error_code::peer_unavailable,
            "the node that owns this account is not reachable"};
  return {error_code::internal_error, "internal error: " + caf::to_string(err)};
}

} // namespace logbase

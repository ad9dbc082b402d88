#pragma once

/// The account table as the `accounts` topic makes it, and the rules a write
/// must pass before it is produced. No actors, no Kafka: the account_table
/// actor feeds it records and asks it what to write.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

#include "src/expected.hpp"
#include "src/model.hpp"

namespace logbase {

/// `if_match` of a PUT that must create: the id must not exist.
constexpr int64_t create_only = -1;

class account_store {
public:
  // -- the topic -------------------------------------------------------------

  /// An upsert read from the topic.
  void apply(const account& a);

  /// A tombstone read from the topic.
  void apply_tombstone(int64_t id);

  // -- reads -----------------------------------------------------------------

  const account* find(int64_t id) const;

  /// Accounts with id > after, by id, at most limit.
  std::vector<account> list(int64_t after, size_t limit) const;

  /// True for ids that exist or were deleted while this node watched: a
  /// server-assigned id is never one of these.
  bool taken(int64_t id) const;

  size_t size() const {
    return accounts_.size();
  }

  std::vector<account> all() const;

  // -- commands: the account to write, or why not -----------------------------

  /// PUT: the new account (version 1) or the replacement (version + 1).
  /// `if_match` 0 means no precondition.
  expected<account> plan_put(int64_t id, const std::string& name,
                             int64_t if_match, int64_t events_since) const;

  /// PATCH: the renamed account, version + 1.
  expected<account> plan_patch(int64_t id, const std::string& name,
                               int64_t if_match) const;

  /// DELETE: ok, or not found / version conflict.
  std::optional<failure> check_delete(int64_t id, int64_t if_match) const;

  /// The account id from a path segment, 1 … 2^53-1.
  static expected<int64_t> parse_id(std::string_view text);

private:
  std::optional<failure> check_version(const account& a,
                                       int64_t if_match) const;

  /// `a` with `name`, one version on, if `if_match` allows.
  expected<account> renamed(const account& a, const std::string& name,
                            int64_t if_match) const;

  std::map<int64_t, account> accounts_;
  std::unordered_set<int64_t> deleted_;
};

failure account_not_found(int64_t id);

} // namespace logbase

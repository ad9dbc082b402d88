#include "src/account_store.hpp"

#include <charconv>

namespace logbase {

failure account_not_found(int64_t id) {
  return {error_code::account_not_found,
          "account " + std::to_string(id) + " does not exist"};
}

void account_store::apply(const account& a) {
  accounts_[a.id] = a;
}

void account_store::apply_tombstone(int64_t id) {
  if (accounts_.erase(id) > 0)
    deleted_.insert(id);
}

const account* account_store::find(int64_t id) const {
  auto i = accounts_.find(id);
  return i == accounts_.end() ? nullptr : &i->second;
}

std::vector<account> account_store::list(int64_t after, size_t limit) const {
  std::vector<account> out;
  for (auto i = accounts_.upper_bound(after);
       i != accounts_.end() && out.size() < limit; ++i)
    out.push_back(i->second);
  return out;
}

std::vector<account> account_store::all() const {
  return list(0, accounts_.size());
}

bool account_store::taken(int64_t id) const {
  return accounts_.count(id) > 0 || deleted_.count(id) > 0;
}

std::optional<failure> account_store::check_version(const account& a,
                                                    int64_t if_match) const {
  if (if_match != 0 && if_match != a.version)
    return failure{error_code::version_conflict,
                   "account " + std::to_string(a.id) + " is at version "
                     + std::to_string(a.version) + ", not "
                     + std::to_string(if_match)};
  return std::nullopt;
}

expected<account> account_store::renamed(const account& a,
                                         const std::string& name,
                                         int64_t if_match) const {
  if (auto f = check_version(a, if_match))
    return *f;
  account next = a;
  next.name = name;
  ++next.version;
  return next;
}

expected<account> account_store::plan_put(int64_t id, const std::string& name,
                                           int64_t if_match,
                                           int64_t events_since) const {
  if (auto* current = find(id)) {
    if (if_match == create_only)
      return failure{error_code::version_conflict,
                     "account " + std::to_string(id) + " exists already"};
    return renamed(*current, name, if_match);
  }
  if (if_match > 0)
    return failure{error_code::version_conflict,
                   "account " + std::to_string(id)
                     + " does not exist, so no version matches"};
  return account{id, name, 1, events_since};
}

expected<account> account_store::plan_patch(int64_t id, const std::string& name,
                                            int64_t if_match) const {
  auto* current = find(id);
  if (!current)
    return account_not_found(id);
  return renamed(*current, name, if_match);
}

std::optional<failure> account_store::check_delete(int64_t id,
                                                   int64_t if_match) const {
  auto* current = find(id);
  if (!current)
    return account_not_found(id);
  return check_version(*current, if_match);
}

expected<int64_t> account_store::parse_id(std::string_view text) {
  int64_t id = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (ec != std::errc{} || end != text.data() + text.size() || id < 1
      || id > max_account_id)
    return failure{error_code::invalid_id,
                   "account id must be an integer from 1 to 2^53-1, not '"
                     + std::string(text) + "'"};
  return id;
}

} // namespace logbase

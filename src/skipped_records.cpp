#include "src/skipped_records.hpp"

#include "src/log.hpp"
#include "src/metrics.hpp"

namespace logbase {

skipped_records::skipped_records(std::string component, int burst,
                                 std::chrono::seconds period)
  : component_(std::move(component)),
    burst_(burst),
    period_ns_(std::chrono::nanoseconds{period}.count()) {
}

bool skipped_records::report(topic t, record_fault why,
                             std::string_view topic_name, int32_t partition,
                             int64_t offset, int64_t now_ns) {
  global_metrics().count_skipped(t, why);
  if (lines_ == 0 || now_ns - period_start_ns_ >= period_ns_) {
    period_start_ns_ = now_ns;
    lines_ = 0;
  }
  if (lines_ >= burst_) {
    ++unlogged_;
    return false;
  }
  ++lines_;
  std::string_view more =
    lines_ == burst_ ? "; more this period are only counted in /metrics" : "";
  std::string before = unlogged_ == 0
    ? std::string{}
    : " (and " + std::to_string(unlogged_)
        + " more skipped records not logged before this line)";
  log(log_level::warn, component_, "skipped a record at ", topic_name, "/",
      partition, "@", offset, ": ", name_of(why), before, more);
  unlogged_ = 0;
  return true;
}

bool skipped_records::report(topic t, record_fault why,
                             std::string_view topic_name, int32_t partition,
                             int64_t offset) {
  auto now = std::chrono::steady_clock::now().time_since_epoch();
  return report(t, why, topic_name, partition, offset,
                std::chrono::nanoseconds{now}.count());
}

} // namespace logbase

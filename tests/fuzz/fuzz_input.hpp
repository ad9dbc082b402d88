#pragma once

/// What every fuzz target shares: a check that stops the run (libFuzzer
/// keeps the input that broke it), and a reader that cuts one input into
/// the parts of a Kafka record.
///
/// Record inputs (see make_corpus.py): one flags byte (bit 0: tombstone),
/// then fields each written as one length byte and that many bytes, then the
/// last field (the value): whatever is left. A field cut short by the end of
/// the input is what remains of it.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

/// An invariant of the parser under test; a violation is a finding.
#define FUZZ_CHECK(cond)                                                      \
  do {                                                                        \
    if (!(cond)) {                                                            \
      std::fprintf(stderr, "fuzz check failed: %s at %s:%d\n", #cond,        \
                   __FILE__, __LINE__);                                       \
      std::abort();                                                           \
    }                                                                         \
  } while (false)

namespace logbase::fuzz {

class input {
public:
  input(const uint8_t* data, size_t size)
    : rest_(reinterpret_cast<const char*>(data), size) {
    // nop
  }

  /// One byte, 0 when the input is used up.
  uint8_t byte() {
    if (rest_.empty())
      return 0;
    auto b = static_cast<uint8_t>(rest_.front());
    rest_.remove_prefix(1);
    return b;
  }

  /// A field: its length byte, then its bytes.
  std::string_view field() {
    size_t n = byte();
    auto f = rest_.substr(0, n);
    rest_.remove_prefix(f.size());
    return f;
  }

  /// Whatever is left.
  std::string_view rest() const {
    return rest_;
  }

private:
  std::string_view rest_;
};

/// The bytes of the whole input as text.
inline std::string_view text_of(const uint8_t* data, size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

} // namespace logbase::fuzz

// The sanitized build's own check that a finding fails the suite: asked for
// one (argument `use-after-free` or `signed-overflow`), this program commits
// it; tests/sanitizer_probe_check.sh runs it under tools/test --sanitize's
// ASAN_OPTIONS/UBSAN_OPTIONS and expects exit status 86 and a report. Built
// only when meson's b_sanitize names address (tests/meson.build): unsanitized,
// the same code is undefined behaviour that nothing reports.
#include <cstdio>
#include <cstring>
#include <limits>

namespace {

// volatile: the optimiser may neither fold the overflow nor drop the read.
int use_after_free() {
  auto* p = new int[4]{1, 2, 3, 4};
  delete[] p;
  volatile int* q = p;
  return q[1];
}

int signed_overflow() {
  volatile int big = std::numeric_limits<int>::max();
  int sum = big + 1;
  return sum == 0 ? 1 : 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return 0;  // asked for nothing: a clean run, exit 0
  if (std::strcmp(argv[1], "use-after-free") == 0) return use_after_free();
  if (std::strcmp(argv[1], "signed-overflow") == 0) return signed_overflow();
  std::fprintf(stderr, "usage: %s [use-after-free|signed-overflow]\n", argv[0]);
  return 2;
}

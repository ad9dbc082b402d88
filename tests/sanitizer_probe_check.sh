#!/usr/bin/env bash
# Proves that a sanitizer finding fails the sanitized suite: the probe, run
# with the options tools/test --sanitize exports, must exit 0 when asked for
# nothing, and exit 86 (tests/support.hpp's sanitizer_exit_code) with the
# sanitizer's report when asked for a heap-use-after-free or a signed
# overflow. If these options stopped reaching the tests (or a runtime stopped
# reporting), every sanitized test would pass vacuously; this one would not.
set -uo pipefail
probe=$1
status=0
out=$("$probe" 2>&1) || status=$?
if ((status != 0)); then
  echo "probe asked for nothing exited $status: $out"; exit 1
fi
check() {  # MODE EXPECTED-TEXT
  local out status=0
  out=$("$probe" "$1" 2>&1) || status=$?
  if ((status != 86)); then
    echo "probe $1: exit $status, expected 86 (ASAN_OPTIONS/UBSAN_OPTIONS exitcode)"
    echo "$out"; return 1
  fi
  if ! grep -q -- "$2" <<<"$out"; then
    echo "probe $1: exit 86 but no '$2' in its output:"; echo "$out"; return 1
  fi
  echo "probe $1: exit 86 with '$2'"
}
check use-after-free 'AddressSanitizer: heap-use-after-free' &&
  check signed-overflow 'runtime error: signed integer overflow'

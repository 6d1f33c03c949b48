#!/usr/bin/env bash
# Sets up a fresh machine and runs every test: the README's test command and what CI runs.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
log=$(mktemp)
trap 'rm -f "$log"' EXIT
swift build --build-tests 2>&1 | tee "$log"
# Zero warnings in our own code (dependencies are not ours to fix).
if grep -E "^$PWD/(Sources|Tests|Benchmarks)/.*: warning:" "$log"; then
  echo "the build has warnings in project code (listed above): fix them" >&2
  exit 1
fi
# One test at a time: many tests start servers and measure wake-up and renewal timing, and
# on two cores running them all at once starved the event loops for seconds. About a minute.
# Line-buffered, so a log cut short still names the test that was running; bounded, so a
# hung test fails the run with a message instead of eating CI's whole time budget.
status=0
stdbuf -oL -eL timeout --kill-after=30s 20m swift test --skip-build --no-parallel </dev/null || status=$?
if [ "$status" -eq 124 ] || [ "$status" -eq 137 ]; then
  echo "the tests did not finish within 20 minutes: the last test started above hung" >&2
fi
exit "$status"

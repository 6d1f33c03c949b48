#!/usr/bin/env bash
# Sets up a fresh machine and runs every test: the README's test command and what CI runs.
#
#   scripts/test.sh            install what is missing, build with zero warnings, run every test
#   scripts/test.sh --unit     only the unit tests (no server, no process: seconds, not minutes)
#   scripts/test.sh --integration   only the library against real servers and proxies
#   scripts/test.sh --e2e      only the lockwatch binary end to end (processes, tmux)
#   scripts/test.sh FILTER     only tests whose name matches FILTER (swift test --filter)
#
# The test targets are split by kind: RESPUnitTests, RedisLockUnitTests and LockWatchUITests
# (unit); RESPIntegrationTests and RedisLockIntegrationTests; EndToEndTests.
#
# The build and test output goes to a log file (named at the start and the end); the terminal
# gets progress lines, each failing test as it fails, and one summary line at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
log_dir=${LOCKWATCH_TEST_LOG_DIR:-${TMPDIR:-/tmp}}
mkdir -p "$log_dir"
log="$log_dir/lockwatch-test-$(date +%Y%m%d-%H%M%S).log"
started=$(date +%s)
elapsed() { local s=$(( $(date +%s) - started )); printf '%dm%02ds' $((s / 60)) $((s % 60)); }
echo "full log: $log"

echo "building (swift build --build-tests)…"
if ! swift build --build-tests >"$log" 2>&1; then
  grep -E "error:" "$log" | head -40 >&2 || true
  echo "the build failed after $(elapsed) (above: its errors; everything in $log)" >&2
  exit 1
fi
# Zero warnings in our own code (dependencies are not ours to fix).
if grep -E "^$PWD/(Sources|Tests|Benchmarks)/.*: warning:" "$log" >&2; then
  echo "the build has warnings in project code (listed above): fix them" >&2
  exit 1
fi
echo "built in $(elapsed); running the tests one at a time…"

# One test at a time: many tests start servers and measure wake-up and renewal timing, and
# on two cores running them all at once starved the event loops for seconds. Line-buffered
# into the log, so a log cut short still names the test that was running; bounded, so a hung
# test fails the run with a message instead of eating CI's whole time budget. XCTest is off:
# every test is a Swift Testing test, and XCTest would only print "Executed 0 tests".
filter=()
case "${1:-}" in
  "") ;;
  --unit) filter=(--filter '^(RESPUnitTests|RedisLockUnitTests|LockWatchUITests)\.') ;;
  --integration) filter=(--filter '^(RESPIntegrationTests|RedisLockIntegrationTests)\.') ;;
  --e2e) filter=(--filter '^EndToEndTests\.') ;;
  -*) echo "unknown option $1 (use --unit, --integration, --e2e or a test name filter)" >&2; exit 64 ;;
  *) filter=(--filter "$1") ;;
esac
set +e
stdbuf -oL -eL timeout --kill-after=30s 20m swift test --skip-build --no-parallel --disable-xctest "${filter[@]}" </dev/null 2>&1 \
  | tee -a "$log" | grep --line-buffered -E "^✘ Test .* (failed|recorded an issue)"
status=${PIPESTATUS[0]}
set -e

total=$(grep -oE "^[✔✘] Test run with [0-9]+ test" "$log" | grep -oE "[0-9]+" | tail -1 || true)
failed=$(grep -E "^✘ Test .* failed after" "$log" | grep -vc "^✘ Test run" || true)
if [ "$status" -eq 124 ] || [ "$status" -eq 137 ]; then
  echo "the tests did not finish within 20 minutes; the last one started was:" >&2
  grep -E "^◇ Test .* started" "$log" | tail -1 >&2
elif [ -z "$total" ]; then
  echo "the test run ended without a summary (exit $status); its last lines:" >&2
  tail -20 "$log" >&2
fi
echo "finished in $(elapsed); full log: $log"
if [ -n "$total" ]; then
  echo "tests: $((total - failed)) passed, $failed failed"
fi
exit "$status"

#!/usr/bin/env bash
# Benchmarks the live dashboard (issue 12) on one private redis-server: 100k locks among 1M
# keys, a generator changing 2,000 locks/s (acquire, extend, release, let expire), and windows
# of 60 s one after the other: nothing watching (baseline), the live inspector (change stream),
# today's rescanning refresh (reference) and the sweeping inspector (change stream off,
# --max-load). Prints the Redis CPU each adds over the baseline (INFO cpu), change → row
# latency p50/p99 against the generator's clock, what the inspector reports about its load and
# staleness, the initial load against the SCAN-alone floor, and the resident memory of the
# real dashboard (tmux) and of `lockwatch list`.
# Usage: scripts/benchmark-live.sh [--seconds N] [--rounds N] [--changes N] [--locks N] [--keys N] [--max-load PERCENT]
#        [--only live,reference,sweeping,initial,memory]
# (--seconds 10 for a trial run; --only picks the parts, e.g. `--only live` while iterating on
# the live mode's cost, `--only initial` for the initial load against the SCAN floor, alternated
# max(rounds, 5) times; the default runs all of them). Built and run like scripts/benchmark-inspector.sh (the same
# program, its `live` benchmark); SWIFT_SCRATCH_PATH picks another build directory.
set -euo pipefail
exec "$(dirname "$0")/benchmark-inspector.sh" live "$@"

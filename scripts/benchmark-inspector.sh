#!/usr/bin/env bash
# Benchmarks the inspector and the dashboard at scale on one private redis-server: 100k lock
# keys among 1M keys. Prints the full refresh time and the naive way's (redis-cli --scan, then
# PTTL + GET per key) side by side with their ratio, the floor under it (SCAN alone, and the
# CPU a refresh costs Redis and this process), keypress-to-frame times with 100k rows,
# and for the real lockwatch in tmux: resident memory, keypress-to-screen latency and the
# commands per second it adds at the default interval.
# Usage: scripts/benchmark-inspector.sh [--locks N] [--keys N] [--rounds N] [--watch-seconds N] [--scan-count N] [--no-naive]
# SWIFT_SCRATCH_PATH picks another build directory (default .build).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/private-redis.sh

source scripts/lib/benchmarks.sh
build_benchmarks inspector-benchmark
swift build -c release --scratch-path "$scratch" --product lockwatch >&2
start_private_redis
"$BENCH_BIN/inspector-benchmark" --port "$REDIS_PORT" --lockwatch "$(cd "$scratch/release" && pwd)/lockwatch" "$@"

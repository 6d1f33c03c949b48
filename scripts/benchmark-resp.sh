#!/usr/bin/env bash
# Benchmarks the RESP client against redis-benchmark on one private redis-server, side by
# side in the same run, and prints commands/s, ratios and latency percentiles.
# Usage: scripts/benchmark-resp.sh [--rounds N] [--scale PERCENT]
# SWIFT_SCRATCH_PATH picks another build directory (default .build).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/private-redis.sh

source scripts/lib/benchmarks.sh
build_benchmarks resp-benchmark library-user
start_private_redis
"$BENCH_BIN/resp-benchmark" --port "$REDIS_PORT" "$@"

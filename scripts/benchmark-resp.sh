#!/usr/bin/env bash
# Benchmarks the RESP client against redis-benchmark on one private redis-server, side by
# side in the same run, and prints commands/s, ratios and latency percentiles.
# Usage: scripts/benchmark-resp.sh [--rounds N] [--scale PERCENT]
# SWIFT_SCRATCH_PATH picks another build directory (default .build).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/private-redis.sh

scratch="${SWIFT_SCRATCH_PATH:-.build}"
swift build -c release --scratch-path "$scratch" --product resp-benchmark >&2
start_private_redis
"$scratch/release/resp-benchmark" --port "$REDIS_PORT" "$@"

#!/usr/bin/env bash
# Benchmarks the RESP client against redis-benchmark on one private redis-server, side by
# side in the same run, and prints commands/s, ratios and latency percentiles.
# Usage: scripts/benchmark-resp.sh [--rounds N] [--scale PERCENT]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/private-redis.sh

swift build -c release --product resp-benchmark >&2
start_private_redis
./.build/release/resp-benchmark --port "$REDIS_PORT" "$@"

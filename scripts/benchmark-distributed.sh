#!/usr/bin/env bash
# Benchmarks the lock on one redis-server, on a 3-master Redis Cluster and as a Redlock over 3
# independent servers, side by side in one run; the program starts and stops every server.
# Usage: scripts/benchmark-distributed.sh [SECONDS per case, default 5]
# SWIFT_SCRATCH_PATH picks another build directory (default .build).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/benchmarks.sh
build_benchmarks distributed-lock-benchmark
exec "$BENCH_BIN/distributed-lock-benchmark" "$@"

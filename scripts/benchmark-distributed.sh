#!/usr/bin/env bash
# Benchmarks the lock on one redis-server, on a 3-master Redis Cluster and as a Redlock over 3
# independent servers, side by side in one run; the program starts and stops every server.
# Usage: scripts/benchmark-distributed.sh [SECONDS per case, default 5]
# SWIFT_SCRATCH_PATH picks another build directory (default .build).
set -euo pipefail
cd "$(dirname "$0")/.."
scratch="${SWIFT_SCRATCH_PATH:-.build}"
swift build -c release --scratch-path "$scratch" --product distributed-lock-benchmark >&2
exec "$scratch/release/distributed-lock-benchmark" "$@"

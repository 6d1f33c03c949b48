#!/usr/bin/env bash
# Benchmarks the lock and `list` through a real Codis 3.2 (two groups, started by the benchmark
# from ../shared/codis like the tests) against the same straight to a codis-server: lock
# cycles/s, the hand-off gap (polling through Codis, pub/sub on the codis-server), and `list` of
# 100k locks (SLOTSSCAN through the proxy, and --scan-node SCAN with reads through the proxy,
# against SCAN of each codis-server). 3 rounds, alternating order; per-round ratios and medians.
# Usage: scripts/benchmark-proxy.sh [--rounds N] [--cycles N] [--handoffs N] [--locks N]
# SWIFT_SCRATCH_PATH picks another build directory (default .build).
set -euo pipefail
cd "$(dirname "$0")/.."

source scripts/lib/benchmarks.sh
build_benchmarks proxy-benchmark
"$BENCH_BIN/proxy-benchmark" "$@"

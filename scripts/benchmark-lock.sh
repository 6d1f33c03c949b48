#!/usr/bin/env bash
# Benchmarks the RedisLock library against redis-py's Lock and against the round-trip limit
# measured by redis-benchmark, side by side and alternating in one run on one private
# redis-server, and prints cycles/s, ratios and hand-off latency percentiles.
# Usage: scripts/benchmark-lock.sh [--rounds N] [--scale PERCENT]
# SWIFT_SCRATCH_PATH picks another build directory (default .build).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/private-redis.sh

# The redis-py peer runs in its own virtualenv (git-ignored), made once.
venv=.venv-bench
if ! "$venv/bin/python" -c 'import redis' >/dev/null 2>&1; then
  echo "setting up $venv with redis-py…" >&2
  rm -rf "$venv"
  if ! python3 -m venv "$venv" >&2; then
    echo "python3 -m venv failed: run scripts/setup.sh (it installs python3-venv) and try again" >&2
    rm -rf "$venv"
    exit 69
  fi
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check redis >&2
fi

source scripts/lib/benchmarks.sh
build_benchmarks lock-benchmark library-user
start_private_redis
"$BENCH_BIN/lock-benchmark" --port "$REDIS_PORT" --python "$venv/bin/python" \
  --peer-script Benchmarks/LockBenchmark/python/redis_py_lock_bench.py "$@"

#!/usr/bin/env bash
# Sets up a fresh machine and opens the main job: `lockwatch demo`, the live dashboard on a
# private redis-server full of simulated lock contention. Extra arguments go to `demo`
# (e.g. --no-tui, --workers 20).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
swift build --product lockwatch
exec .build/debug/lockwatch demo "$@"

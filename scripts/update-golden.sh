#!/usr/bin/env bash
# Rewrites the dashboard's golden screens (Tests/LockWatchUITests/Golden/*.txt, 80×24 and
# 120×40) from the current renderer, then shows what changed. Review the diff, and commit the
# fixtures only when every change is intended.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build --build-tests >&2
LOCKWATCH_UPDATE_GOLDEN=1 swift test --skip-build --disable-xctest --filter 'LockWatchUITests.GoldenScreenTests' >&2
git --no-pager diff --stat -- Tests/LockWatchUITests/Golden
git status --short -- Tests/LockWatchUITests/Golden

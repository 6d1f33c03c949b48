#!/usr/bin/env bash
# Sets up a fresh machine and runs the main job. Until the lockwatch dashboard lands, the main
# job is a short smoke run of the RESP client against a private redis-server: it connects,
# runs the three benchmark cases once at small scale and prints what it measured.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
exec scripts/benchmark-resp.sh --rounds 1 --scale 5

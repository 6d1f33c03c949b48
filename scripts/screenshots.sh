#!/usr/bin/env bash
# Regenerates screenshots/*.png from a real run: `lockwatch demo` in a private tmux server,
# driven with send-keys, each screen taken with `capture-pane -e` and drawn to PNG by
# scripts/lib/ansi-to-png.py (pyte + Pillow, installed into .venv-shots from PyPI).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
if [ ! -x .venv-shots/bin/python ] || ! .venv-shots/bin/python -c "import pyte, PIL" 2>/dev/null; then
  python3 -m venv .venv-shots
  .venv-shots/bin/pip install -q pyte pillow
fi
swift build --product lockwatch
binary="$(swift build --show-bin-path)/lockwatch"

columns=130
rows=34
socket="lockwatch-shots-$$"
session=shots
work="$(mktemp -d)"
cleanup() {
  tmux -L "$socket" kill-server 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

tmux -L "$socket" new-session -d -s "$session" -x "$columns" -y "$rows" "exec '$binary' demo --workers 20 --locks 8"

screen() { tmux -L "$socket" capture-pane -p -t "$session"; }
keys() { tmux -L "$socket" send-keys -t "$session" "$@"; }

# Waits until the screen contains TEXT (at most 20 s).
wait_for() {
  for _ in $(seq 200); do
    if screen | grep -qF -- "$1"; then return 0; fi
    sleep 0.1
  done
  echo "timed out waiting for '$1'; the screen was:" >&2
  screen >&2
  exit 1
}

# Saves the current screen as screenshots/NAME.png.
shot() {
  tmux -L "$socket" capture-pane -e -p -t "$session" > "$work/$1.ans"
  .venv-shots/bin/python scripts/lib/ansi-to-png.py "$columns" "$rows" "$work/$1.ans" "screenshots/$1.png"
  echo "screenshots/$1.png"
}

wait_for "worker-"
# Let contention build up: waiters queue on the hot locks and events fill the strip.
sleep 8
keys g
sleep 0.3
shot main-view

keys / o r d e r s
wait_for "filter"
sleep 1.5
shot filtered-view
keys Escape

keys g Enter
wait_for "lock detail"
sleep 2.5
shot detail-view
keys Escape

keys / l e g a c y Enter
wait_for "legacy-migration"
keys F
wait_for "force-release"
sleep 0.5
shot force-release-confirmation
keys n Escape

keys '?'
wait_for "this help"
shot help
keys q

#!/usr/bin/env bash
# Builds lockwatch (release) and installs it as PREFIX/bin/lockwatch (default PREFIX: ~/.local).
# Idempotent: run it again after a `git pull`; an unchanged binary is left alone.
#
#   scripts/install.sh                 # release build, install to ~/.local/bin/lockwatch
#   scripts/install.sh --prefix /opt/lockwatch   # install to /opt/lockwatch/bin/lockwatch
#   scripts/install.sh --no-build      # install what the last build made (no swift build)
#   scripts/install.sh --debug         # the debug build instead of release
#   scripts/install.sh --binary PATH   # install this lockwatch binary (no build)
#
# The first release build takes a while on a small machine (see the README); later ones are
# incremental. The Swift runtime is linked in statically, so the installed binary runs without
# the toolchain. Exit codes: 0 installed or already up to date; 64 bad usage; 69 swift missing;
# 70 the build failed; 73 cannot write to the prefix.
set -euo pipefail

usage() {
  sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'
}

prefix="${HOME:?HOME is not set}/.local"
configuration=release
build=1
source=""
while [ $# -gt 0 ]; do
  case "$1" in
    --prefix)
      [ $# -ge 2 ] && [ -n "$2" ] || { echo "install.sh: --prefix needs a directory" >&2; exit 64; }
      prefix="$2"; shift 2 ;;
    --prefix=*) prefix="${1#--prefix=}"; shift ;;
    --debug) configuration=debug; shift ;;
    --no-build) build=0; shift ;;
    --binary)
      [ $# -ge 2 ] && [ -n "$2" ] || { echo "install.sh: --binary needs a path" >&2; exit 64; }
      source="$2"; build=0; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "install.sh: unknown option '$1'" >&2; usage >&2; exit 64 ;;
  esac
done
case "$prefix" in
  /*) ;;
  *) prefix="$(pwd)/$prefix" ;;
esac

root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
if [ "$build" = 1 ]; then
  command -v swift >/dev/null || { echo "install.sh: swift not found on PATH (see scripts/setup.sh and the README)" >&2; exit 69; }
  flags=(-c "$configuration" --product lockwatch)
  [ "$configuration" = release ] && flags+=(--static-swift-stdlib)
  echo "building lockwatch ($configuration): swift build ${flags[*]}" >&2
  started=$(date +%s)
  swift build "${flags[@]}" >&2 || { echo "install.sh: the build failed (see above)" >&2; exit 70; }
  echo "built in $(( $(date +%s) - started ))s" >&2
fi
if [ -z "$source" ]; then
  source="$root/.build/$configuration/lockwatch"
  [ -x "$source" ] || { echo "install.sh: no $configuration build at $source; run without --no-build" >&2; exit 70; }
fi
[ -f "$source" ] && [ -x "$source" ] || { echo "install.sh: $source is not an executable file" >&2; exit 64; }

bin="$prefix/bin"
target="$bin/lockwatch"
mkdir -p "$bin" 2>/dev/null || { echo "install.sh: cannot create $bin" >&2; exit 73; }
if [ -x "$target" ] && cmp -s "$source" "$target"; then
  echo "$target is up to date"
else
  # Copy next to it, then rename: atomic, and a running lockwatch keeps its old file.
  tmp="$bin/.lockwatch.install.$$"
  install -m 0755 "$source" "$tmp" 2>/dev/null || { rm -f "$tmp"; echo "install.sh: cannot write to $bin" >&2; exit 73; }
  mv -f "$tmp" "$target"
  echo "installed $target"
fi

case ":${PATH:-}:" in
  *":$bin:"*)
    found="$(command -v lockwatch || true)"
    if [ -n "$found" ] && [ "$(readlink -f "$found")" != "$(readlink -f "$target")" ]; then
      echo "note: 'lockwatch' on your PATH is $found, which comes before $bin: remove it or put $bin first"
    else
      echo "run: lockwatch --help"
    fi ;;
  *)
    echo "$bin is not on your PATH; add it (then open a new shell):"
    echo "  echo 'export PATH=\"$bin:\$PATH\"' >> ~/.profile"
    echo "or run it as: $target --help" ;;
esac

#!/usr/bin/env bash
# Builds the DocC documentation of the RESP and RedisLock modules (catalogs in
# Sources/RESP/RESP.docc and Sources/RedisLock/RedisLock.docc) into docs/ as a static site,
# with warnings treated as errors so that broken symbol links are caught.
#   scripts/docs.sh            # writes docs/RESP and docs/RedisLock
#   scripts/docs.sh --preview  # prints where to open them
# Honours SWIFT_SCRATCH_PATH (default .build); the documentation build uses its own docs/
# directory below it, because the DocC plugin changes the package's dependencies.
set -euo pipefail
cd "$(dirname "$0")/.."
scratch="${SWIFT_SCRATCH_PATH:-.build}/docs"
out="${LOCKWATCH_DOCS_OUT:-docs}"
export LOCKWATCH_DOCS=1
for target in RESP RedisLock; do
  mkdir -p "$out/$target"
  swift package --scratch-path "$scratch" --allow-writing-to-directory "$out/$target" \
    generate-documentation --target "$target" --warnings-as-errors \
    --disable-indexing --transform-for-static-hosting --output-path "$out/$target" >&2
  echo "documentation: $out/$target/index.html (open documentation/$(echo "$target" | tr 'A-Z' 'a-z')/index.html under a web server)"
done

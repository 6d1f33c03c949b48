# Shared by the benchmark scripts: builds the benchmark package (Benchmarks/, which depends on
# the library by path) in release mode. SWIFT_SCRATCH_PATH picks the root package's build
# directory (default .build); the benchmarks build under it, in benchmarks/.
# After build_benchmarks PRODUCT…: BENCH_BIN is the directory holding the executables.
scratch="${SWIFT_SCRATCH_PATH:-.build}"

build_benchmarks() {
  # SwiftPM does not notice files added to a path dependency (the library) when it plans a
  # build: drop the plan so that it is made anew (only the plan; nothing is recompiled).
  rm -f "$scratch/benchmarks/release.yaml" "$scratch/benchmarks/release/description.json"
  # One product per call: given several `--product`s, `swift build` builds only the last.
  for product in "$@"; do
    swift build -c release --package-path Benchmarks --scratch-path "$scratch/benchmarks" --product "$product" >&2
  done
  BENCH_BIN="$scratch/benchmarks/release"
}

#!/usr/bin/env python3
"""Before/after check of a refactor: runs two builds of `library-user` (e.g. the commit before
a change and main) alternately against one private redis-server, several rounds, and prints
each workload's per-round ratios (after ÷ before) and their median.

    Benchmarks/compare-builds.py BEFORE_BIN AFTER_BIN [--rounds 5] [--executor default|nio]

BEFORE_BIN and AFTER_BIN are `library-user` executables (release builds of the Benchmarks
package at the two commits). Needs redis-server on PATH.
"""
import argparse, json, os, shutil, socket, statistics, subprocess, sys, tempfile, time

WORKLOADS = [
    ("lock-sequential", ["--requests", "3000"]),
    ("lock-concurrent", ["--tasks", "64", "--requests", "12800"]),
    ("ping-sequential", ["--requests", "5000"]),
    ("ping-concurrent", ["--tasks", "64", "--requests", "64000"]),
]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run(binary, workload, extra, port, executor):
    out = subprocess.run([binary, workload, "--port", str(port), "--executor", executor] + extra,
                         capture_output=True, text=True, timeout=300)
    if out.returncode != 0:
        sys.exit(f"{binary} {workload} failed: {out.stderr.strip()}")
    return json.loads(out.stdout.strip().splitlines()[-1])["perSecond"]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("before")
    parser.add_argument("after")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--executor", default="default")
    args = parser.parse_args()
    work = tempfile.mkdtemp(prefix="compare-builds-")
    port = free_port()
    server = subprocess.Popen(["redis-server", "--port", str(port), "--save", "", "--appendonly", "no",
                               "--dir", work], stdout=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
                break
            except OSError:
                time.sleep(0.05)
        print(f"executor {args.executor}; {args.rounds} rounds; after ÷ before per round (> 1: after is faster)")
        for workload, extra in WORKLOADS:
            ratios, befores, afters = [], [], []
            for round_index in range(args.rounds):
                order = [("before", args.before), ("after", args.after)]
                if round_index % 2:
                    order.reverse()
                figures = {name: run(binary, workload, extra, port, args.executor) for name, binary in order}
                befores.append(figures["before"])
                afters.append(figures["after"])
                ratios.append(figures["after"] / figures["before"])
            print(f"{workload:16} before {statistics.median(befores):9.0f}/s  after {statistics.median(afters):9.0f}/s  "
                  f"ratio median {statistics.median(ratios):.2f}  per round {', '.join(f'{r:.2f}' for r in ratios)}")
    finally:
        server.terminate()
        server.wait()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

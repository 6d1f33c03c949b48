#!/usr/bin/env python3
"""Before/after check of a refactor: runs two builds of `library-user` (e.g. the commit before
a change and main) alternately against one private redis-server, several rounds, and prints
each workload's per-round ratios (after ÷ before) and their median.

    Benchmarks/compare-builds.py BEFORE_BIN AFTER_BIN [--rounds 5] [--executor default|nio]
                                 [--only lock-concurrent,…]

Passing the same binary twice (an A/A run) shows how far the ratios wander from 1 by noise
alone on this machine: a before/after difference inside that band is not a finding.

BEFORE_BIN and AFTER_BIN are `library-user` executables (release builds of the Benchmarks
package at the two commits). Needs redis-server on PATH.
"""
import argparse, json, os, resource, shutil, socket, statistics, subprocess, sys, tempfile, time

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


def requests_of(extra):
    return int(extra[extra.index("--requests") + 1])


def run(binary, workload, extra, port, executor):
    """Returns (operations per second, client CPU µs per operation). The CPU time (user + system
    of the finished child) moves much less with the machine's load than the throughput does."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = subprocess.run([binary, workload, "--port", str(port), "--executor", executor] + extra,
                         capture_output=True, text=True, timeout=300)
    if out.returncode != 0:
        sys.exit(f"{binary} {workload} failed: {out.stderr.strip()}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - usage.ru_utime) + (after.ru_stime - usage.ru_stime)
    return json.loads(out.stdout.strip().splitlines()[-1])["perSecond"], cpu * 1e6 / requests_of(extra)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("before")
    parser.add_argument("after")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--executor", default="default")
    parser.add_argument("--only", default="", help="comma-separated workloads to run (default: all)")
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
        chosen = [w for w in args.only.split(",") if w]
        unknown = set(chosen) - {name for name, _ in WORKLOADS}
        if unknown:
            sys.exit(f"unknown workload(s) {', '.join(sorted(unknown))}; choose from {', '.join(n for n, _ in WORKLOADS)}")
        for workload, extra in WORKLOADS:
            if chosen and workload not in chosen:
                continue
            ratios, befores, afters, cpu_ratios, cpu_befores, cpu_afters = [], [], [], [], [], []
            for round_index in range(args.rounds):
                order = [("before", args.before), ("after", args.after)]
                if round_index % 2:
                    order.reverse()
                figures = {name: run(binary, workload, extra, port, args.executor) for name, binary in order}
                befores.append(figures["before"][0])
                afters.append(figures["after"][0])
                ratios.append(figures["after"][0] / figures["before"][0])
                cpu_befores.append(figures["before"][1])
                cpu_afters.append(figures["after"][1])
                cpu_ratios.append(figures["before"][1] / figures["after"][1])
            print(f"{workload:16} before {statistics.median(befores):9.0f}/s  after {statistics.median(afters):9.0f}/s  "
                  f"ratio median {statistics.median(ratios):.2f}  per round {', '.join(f'{r:.2f}' for r in ratios)}")
            print(f"{'':16} client CPU per op: before {statistics.median(cpu_befores):6.1f} µs  after {statistics.median(cpu_afters):6.1f} µs  "
                  f"before ÷ after median {statistics.median(cpu_ratios):.2f}  per round {', '.join(f'{r:.2f}' for r in cpu_ratios)}")
    finally:
        server.terminate()
        server.wait()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""The redis-py side of the lock benchmark (Benchmarks/LockBenchmark).

The Swift program runs this once per peer measurement, so both sides alternate in one run
against one private redis-server. It prints exactly one JSON line on stdout.

  sequential --port P --cycles N
      one thread: r.lock(name, timeout=10).acquire(blocking=False) then .release(), N times;
      prints {"cycles_per_second", "p50_us", "p99_us", "cycles"}.
  handoff --port P --tasks 8 --hold-ms 2 --seconds 4
      TASKS threads on one lock, each looping: acquire(blocking=True, blocking_timeout=10) with
      redis-py's default sleep (0.1 s), hold HOLD_MS, note the release time, release; prints
      {"intervals": [[acquired_ns, released_ns, thread], ...], "wait_timeouts": N, ...} on one
      monotonic clock, for the Swift side to analyse exactly like its own intervals. With
      --pause-ms, each thread sleeps that long after release before its next acquire.
"""

import argparse
import json
import sys
import threading
import time

import redis
from redis.lock import Lock


def sequential(args):
    r = redis.Redis(host="127.0.0.1", port=args.port)
    name = "bench:py:sequential"
    for _ in range(min(200, args.cycles)):  # warm-up: connection, script registration
        lock = r.lock(name, timeout=10)
        if not lock.acquire(blocking=False):
            raise SystemExit("warm-up: the lock was held")
        lock.release()
    latencies = []
    perf = time.perf_counter_ns
    start = perf()
    for _ in range(args.cycles):
        before = perf()
        lock = r.lock(name, timeout=10)
        if not lock.acquire(blocking=False):
            raise SystemExit("the lock was held")
        lock.release()
        latencies.append(perf() - before)
    elapsed = (perf() - start) / 1e9
    latencies.sort()
    return {
        "cycles": args.cycles,
        "cycles_per_second": args.cycles / elapsed,
        "p50_us": latencies[len(latencies) // 2] / 1000,
        "p99_us": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] / 1000,
    }


def handoff(args):
    r = redis.Redis(host="127.0.0.1", port=args.port)
    name = "bench:py:handoff"
    r.delete(name)
    hold = args.hold_ms / 1000
    pause = args.pause_ms / 1000
    clock = time.monotonic_ns
    deadline_holder = {}

    def start_clock():  # runs once, when every thread is ready
        deadline_holder["deadline"] = clock() + int(args.seconds * 1e9) + 200_000_000

    start_barrier = threading.Barrier(args.tasks, action=start_clock)
    results = [[] for _ in range(args.tasks)]
    timeouts = [0] * args.tasks
    errors = []

    def contender(index):
        try:
            lock = r.lock(name, timeout=5)  # default sleep=0.1, as users get it
            r.ping()  # open this thread's pooled connection before the clock starts
            start_barrier.wait()
            deadline = deadline_holder["deadline"]
            own = results[index]
            while clock() < deadline:
                if not lock.acquire(blocking=True, blocking_timeout=10):
                    timeouts[index] += 1  # counted like the Swift side's waitTimedOut
                    continue
                acquired = clock()
                time.sleep(hold)
                released = clock()
                lock.release()
                own.append((acquired, released, index))
                if pause > 0:
                    time.sleep(pause)
        except Exception as error:  # reported in the JSON line
            errors.append(repr(error))

    threads = [threading.Thread(target=contender, args=(i,)) for i in range(args.tasks)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    intervals = [list(item) for own in results for item in own]
    return {
        "intervals": intervals,
        "wait_timeouts": sum(timeouts),
        "sleep_s": Lock(r, name).sleep,
        "errors": errors,
        "redis_py": redis.__version__,
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["sequential", "handoff"])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--cycles", type=int, default=10_000)
    parser.add_argument("--tasks", type=int, default=8)
    parser.add_argument("--hold-ms", type=float, default=2.0)
    parser.add_argument("--seconds", type=float, default=4.0)
    parser.add_argument("--pause-ms", type=float, default=0.0)
    args = parser.parse_args()
    result = sequential(args) if args.mode == "sequential" else handoff(args)
    sys.stdout.write(json.dumps(result) + "\n")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Where a lock script's server time goes (Benchmarks/RESULTS.md, "Server cost per lock
cycle"): µs per EVALSHA of tiny scripts (an empty one, one and four calls from Lua, a table
reply, string.format), from INFO commandstats, 5 rounds in a random order.

Usage: python3 Benchmarks/server-cost-calls.py PORT   (needs pip install redis; private server)
"""
import redis, statistics, random, sys
r = redis.Redis(port=int(sys.argv[1])); N=5000
S = {
 'return1': "return 1",
 'time_x1': "redis.call('TIME') return 1",
 'time_x4': "redis.call('TIME') redis.call('TIME') redis.call('TIME') redis.call('TIME') return 1",
 'get_missing_x1': "redis.call('GET', KEYS[1]) return 1",
 'ret_table3': "return {1, ARGV[1], 12345}",
 'replicate_only': "redis.replicate_commands() return 1",
 'format': "local v = ARGV[1] .. string.format('%d,\"fence\":%d}', 1733480000000, 42) return 1",
}
sha = {k: r.script_load(v) for k, v in S.items()}
P = '{"v":1,"token":"9f2c0d1e2a3b4c5d6e7f8091a2b3c4d5","owner":"bench-owner:1234","acquired_ms":'
res = {k: [] for k in S}
for rnd in range(5):
  o = list(S); random.shuffle(o)
  for k in o:
    r.config_resetstat()
    for i in range(N): r.evalsha(sha[k], 1, 'lock:{m}', P)
    res[k].append(r.info('commandstats')['cmdstat_evalsha']['usec_per_call'])
for k, v in res.items(): print(f"{k:16} {v} median {statistics.median(v)}")

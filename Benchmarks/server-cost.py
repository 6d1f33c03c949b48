#!/usr/bin/env python3
"""Server CPU per uncontended lock cycle (issue 16 part 5).

Runs this library's lock scripts (read from Sources/RedisLock/LockScripts.swift, so the
figures are those of the scripts as committed), redis-py's lock cycle and the floor
variants against one redis-server, alternating the variants in a random order within each
round, and prints per-round values and medians of:
  - INFO commandstats: usec of the commands the client sends (EVALSHA/FCALL include the
    commands they run; redis-py's SET is a top-level command) divided by the cycles;
  - INFO cpu: (used_cpu_user + used_cpu_sys) delta per cycle, which adds reading and
    writing the sockets (noisier; the process's whole CPU).

Usage: [ONLY='variant,variant'] python3 Benchmarks/server-cost.py PORT [CYCLES_PER_ROUND] [ROUNDS]
Needs redis-py (pip install redis) and a redis-server on 127.0.0.1:PORT it may write
`lock:{servercost}*` keys to and CONFIG RESETSTAT.
"""
import os, random, re, statistics, sys
import redis

port = int(sys.argv[1]); N = int(sys.argv[2]) if len(sys.argv) > 2 else 5000; ROUNDS = int(sys.argv[3]) if len(sys.argv) > 3 else 7
r = redis.Redis(port=port)
source = open(os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'Sources', 'RedisLock', 'LockScripts.swift')).read()
def script(name):
    body = re.search(r'static let ' + name + r' = RedisScript\("""\n(.*?)\n\s*"""\)', source, re.S).group(1)
    return '\n'.join(line[8:] if line.startswith(' ' * 8) else line for line in body.split('\n'))
ACQ, REL = script('acquire'), script('release')
REL_NO_PUBLISH = "if redis.call('GET', KEYS[1]) == ARGV[1] then\n  redis.call('DEL', KEYS[1])\n  return 1\nend\nreturn 0"
REL_PY = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end\nreturn 0"
# The fewest commands that keep the fence and the server-clock record: bump the fence and SET NX
# first (a failed try then costs INCR, TIME, SET, GET, PTTL and burns a fence number), the record
# as the reply; a release without the wake-up.
ACQ_FLOOR = """redis.replicate_commands()
local fence = redis.call('INCR', KEYS[2])
local now = redis.call('TIME')
local value = ARGV[1] .. string.format('%d,"fence":%d}', now[1] * 1000 + math.floor(now[2] / 1000), fence)
if redis.call('SET', KEYS[1], value, 'PX', ARGV[2], 'NX') then return value end
return {0, redis.call('GET', KEYS[1]), redis.call('PTTL', KEYS[1])}"""
REL_NUMSUB = "if redis.call('GET', KEYS[1]) == ARGV[1] then\n  redis.call('DEL', KEYS[1])\n  if redis.call('PUBSUB', 'NUMSUB', ARGV[2])[2] > 0 then redis.call(ARGV[4], ARGV[2], ARGV[3]) end\n  return 1\nend\nreturn 0"
EMPTY = "return 1"
ACQ_STRING = ACQ.replace('return {1, value, fence}', 'return value')
sha = {k: r.script_load(v) for k, v in dict(acq_string=ACQ_STRING, acq=ACQ, rel=REL, rel_np=REL_NO_PUBLISH, relpy=REL_PY, acq_floor=ACQ_FLOOR, rel_numsub=REL_NUMSUB, empty=EMPTY).items()}
functions = int(r.info('server')['redis_version'].split('.')[0]) >= 7
if functions:
    r.execute_command('FUNCTION', 'LOAD', 'REPLACE', "#!lua name=servercost\n"
        + "redis.register_function('servercost_acquire', function(KEYS, ARGV)\n" + ACQ.replace('redis.replicate_commands()\n', '') + "\nend)\n"
        + "redis.register_function('servercost_release', function(KEYS, ARGV)\n" + REL + "\nend)\n")
P = '{"v":1,"token":"9f2c0d1e2a3b4c5d6e7f8091a2b3c4d5","owner":"bench-owner:1234","acquired_ms":'
TOKEN = '9f2c0d1e2a3b4c5d6e7f8091a2b3c4d5'
K = ['lock:{servercost}', 'lock:{servercost}:fence']; CH = 'lock:{servercost}:released'; HELD = 'lock:{servercost}:held'

def cycle(acq, rel):
    def run():
        v = r.evalsha(sha[acq], 2, *K, P, 30000)
        v = v[1] if isinstance(v, list) else v
        r.evalsha(sha[rel], 1, K[0], v, CH, 'tag', 'PUBLISH')
    return run
def functions_cycle():
    v = r.execute_command('FCALL', 'servercost_acquire', 2, *K, P, 30000)[1]
    r.execute_command('FCALL', 'servercost_release', 1, K[0], v, CH, 'tag', 'PUBLISH')
def redis_py():
    r.set(K[0], TOKEN, nx=True, px=30000)
    r.evalsha(sha['relpy'], 1, K[0], TOKEN)
def empty():
    r.evalsha(sha['empty'], 0); r.evalsha(sha['empty'], 0)
def failed_try(acq):
    return lambda: r.evalsha(sha[acq], 2, HELD, K[1], P, 30000)

variants = {
    'this library (now)': cycle('acq', 'rel'),
    'redis-py Lock': redis_py,
    'acquire replies the record only': cycle('acq_string', 'rel'),
    'release without PUBLISH': cycle('acq', 'rel_np'),
    'release PUBLISH iff NUMSUB>0': cycle('acq', 'rel_numsub'),
    'floor: SET NX first; no PUBLISH': cycle('acq_floor', 'rel_np'),
    'two empty scripts': empty,
}
if functions: variants['same scripts as Functions'] = functions_cycle
variants['failed try (now)'] = failed_try('acq')
variants['failed try (SET NX first)'] = failed_try('acq_floor')

if os.environ.get('ONLY'):
    variants = {k: v for k, v in variants.items() if k in os.environ['ONLY'].split(',')}

def cpu():
    i = r.info('cpu'); return i['used_cpu_user'] + i['used_cpu_sys']
r.set(HELD, 'someone else', px=10**9)
res = {k: ([], []) for k in variants}
for rnd in range(ROUNDS):
    order = list(variants); random.shuffle(order)
    for name in order:
        run = variants[name]
        for _ in range(200): run()
        r.delete(K[0]); r.config_resetstat(); c0 = cpu()
        for _ in range(N): run()
        c1 = cpu()
        stats = r.info('commandstats')
        usec = sum(stats.get(k, {}).get('usec', 0) for k in ('cmdstat_evalsha', 'cmdstat_fcall'))
        if name == 'redis-py Lock': usec += stats['cmdstat_set']['usec']
        res[name][0].append(usec / N); res[name][1].append((c1 - c0) * 1e6 / N)
    print(f'round {rnd + 1}/{ROUNDS} done', file=sys.stderr, flush=True)
r.delete(HELD, K[0])
print(f"redis {r.info('server')['redis_version']}, {N} cycles per variant per round, {ROUNDS} rounds\n")
base = res.get('this library (now)', (None,))[0]
print('| variant | commandstats µs per cycle, each round | median | ÷ now (median of per-round ratios) | used_cpu µs per cycle, median |')
print('| --- | --- | ---: | ---: | ---: |')
for name, (a, b) in res.items():
    print(f"| {name} | {' '.join(f'{x:.1f}' for x in a)} | {statistics.median(a):.1f} | {(statistics.median([x / y for x, y in zip(a, base)]) if base else float('nan')):.2f} | {statistics.median(b):.1f} |")

#!/usr/bin/env python3
"""What ran on the CPUs while requests were slow: a constant-rate run's slow episodes against perf's scheduler trace.

  episodes.py SLOW_DUMP PERF_SCRIPT OFFSET_S [EPISODE_INDEX]

SLOW_DUMP is native/constant-rate's CR_SLOW_DUMP file; PERF_SCRIPT is `perf script` of `perf record -k mono -e
sched:sched_switch -a`; OFFSET_S is CLOCK_REALTIME minus CLOCK_MONOTONIC in seconds (the dump's start is wall-clock
time, perf's stamps are monotonic). An episode is a run of requests over 2 ms due less than 5 ms apart, kept when it
holds at least 10. Prints each thread name's share of CPU time in the episodes (from 10 ms before each) next to its
share over the whole trace: a thread that takes far more of the episodes than of the run is a suspect, and
`swapper` (idle) during an episode means work waited while a CPU had nothing to do. With EPISODE_INDEX (0 = the
episode with the most slow requests), prints that episode's timeline of CPU runs over 0.15 ms instead.
"""
import collections
import re
import sys

dump, script, offset = sys.argv[1], sys.argv[2], float(sys.argv[3])
index = int(sys.argv[4]) if len(sys.argv) > 4 else None
lines = open(dump).read().splitlines()
start = float(lines[0].split()[2]) - offset
over = [(start + row[0] / 1000, row[1]) for row in
        (tuple(map(float, line.split())) for line in lines[1:] if line.strip()) if row[1] > 2]
episodes, current = [], None
for due, latency in over:
    if current and due - current[1] < 0.005:
        current[1] = due; current[2] += 1; current[3] = max(current[3], latency)
    else:
        current = [due, due, 1, latency]; episodes.append(current)
episodes = sorted((e for e in episodes if e[2] >= 10), key=lambda e: -e[2])
switch = re.compile(r'\[(\d+)\]\s+([0-9.]+): sched:sched_switch: prev_comm=(.*?) prev_pid=(\d+) .*?'
                    r'prev_state=(\S+) ==> next_comm=(.*?) next_pid=(\d+)')
runs, last = [], {}  # (cpu, began, ended, name, tid, state at the end)
for line in open(script):
    m = switch.search(line)
    if m:
        cpu, t = int(m.group(1)), float(m.group(2))
        if cpu in last:
            runs.append((cpu, last[cpu][0], t, last[cpu][1], last[cpu][2], m.group(5)))
        last[cpu] = (t, m.group(6), m.group(7))
if not runs or not episodes:
    sys.exit("no scheduler trace or no episode of 10 slow requests")
cpus = len({r[0] for r in runs})


def family(name):
    return re.sub(r'[0-9#]+$', '', name)


if index is not None:
    began, ended, n, worst = episodes[index]
    print("episode %d: %d requests over 2 ms, due over %.1f ms, the worst %.1f ms" % (index, n, (ended - began) * 1e3, worst))
    for cpu, b, e, name, tid, state in runs:
        if e > began - 0.004 and b < ended + worst / 1e3 and e - b > 0.00015:
            print("  cpu%d %+8.2f ms for %6.3f ms  %-22s tid %-7s then %s" % (cpu, (b - began) * 1e3, (e - b) * 1e3, name, tid, state))
    sys.exit()
span = runs[-1][2] - runs[0][1]
overall, during, window = collections.Counter(), collections.Counter(), 0.0
for cpu, b, e, name, _, _ in runs:
    overall[family(name)] += e - b
for began, ended, _, _ in episodes:
    lo, hi = began - 0.010, ended
    window += hi - lo
    for cpu, b, e, name, _, _ in runs:
        if e > lo and b < hi:
            during[family(name)] += min(e, hi) - max(b, lo)
print("%d episodes of 10 or more requests over 2 ms: %.3f s of the trace's %.1f s" % (len(episodes), window, span))
print("  %-26s %12s %12s" % ("thread", "in episodes", "overall"))
for name, t in during.most_common(15):
    print("  %-26s %11.1f%% %11.1f%%" % (name, 100 * t / (cpus * window), 100 * overall[name] / (cpus * span)))

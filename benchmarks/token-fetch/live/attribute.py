#!/usr/bin/env python3
"""Which slow requests of a constant-rate run fall on a JVM safepoint (a GC pause above all), which do not.

  attribute.py SLOW_DUMP SAFEPOINT_LOG REQUESTS [THRESHOLD_MS=2]

SLOW_DUMP is native/constant-rate's CR_SLOW_DUMP file (due times since the schedule's start, with the start's
wall-clock time in its first line); SAFEPOINT_LOG is the broker's `jcmd <pid> VM.log what=safepoint=info
decorators=timemillis` output for the same run. A request counts against a safepoint when the safepoint ended after
the request was due and began before it was answered. Whatever is left is the rest of the machine: the host taking
the vCPU, the cores busy with other work, the client.
"""
import re
import sys
from collections import Counter

dump, log, total = sys.argv[1], sys.argv[2], int(sys.argv[3])
threshold = float(sys.argv[4]) if len(sys.argv) > 4 else 2.0
lines = open(dump).read().splitlines()
start_ms = float(lines[0].split()[2]) * 1000
slow = [tuple(map(float, line.split())) for line in lines[1:] if line.strip()]  # due, latency, from send[, first]
safepoints = []  # (began ms, ended ms, name)
for line in open(log):
    m = re.match(r'\[(\d+)ms\] Safepoint "([^"]+)".*Total: (\d+) ns', line)
    if m:
        ended = int(m.group(1))
        safepoints.append((ended - int(m.group(3)) / 1e6, ended, m.group(2)))
over = [(start_ms + row[0], row[1], len(row) > 3 and row[3] == 1) for row in slow if row[1] > threshold]


def cause(due, latency):
    for began, ended, name in safepoints:
        # the log's millisecond stamp is truncated: allow it half a millisecond
        if ended + 0.5 >= due and began <= due + latency:
            return name
    return "no safepoint"


counts = Counter(cause(due, latency) for due, latency, _ in over)
fresh = sum(1 for _, _, first in over if first)
print("over %.1f ms: %d of %d requests (%.2f %%)" % (threshold, len(over), total, 100.0 * len(over) / total))
for name, n in counts.most_common():
    print("  %-26s %6d (%.2f %% of all requests)" % (name, n, 100.0 * n / total))
print("  of them, the first request on a new connection: %d (%.2f %% of all requests)" % (fresh, 100.0 * fresh / total))
during = [(b, e, k) for b, e, k in safepoints if e >= start_ms]
long_ones = ["%s %.1f" % (k, e - b) for b, e, k in during if e - b > 1]
print("safepoints during the run: %d; over 1 ms: %s" % (len(during), ", ".join(long_ones) or "none"))

#!/usr/bin/env python3
"""CPU samples of a JFR recording, aggregated: by area (innermost frame of a known library, JDK leaf work
counted to its caller) and by top frame (self time). Request threads only (Tomcat's http-nio-*).

Usage: benchmarks/token-fetch/jfr-top.py RECORDING.jfr [TOP=15]
(prints: by area, by top frame (self), and frames by inclusive share)
"""
import collections
import re
import subprocess
import sys

AREAS = [  # first match wins, checked from the innermost frame outwards
    ("JWT: Nimbus parse/verify", ("com.nimbusds.",)),
    ("JWT: Spring glue", ("org.springframework.security.oauth2.",)),
    ("Micrometer observations/metrics", ("io.micrometer.", "org.springframework.boot.actuate.metrics",
                                         "org.springframework.web.filter.ServerHttpObservationFilter",
                                         "org.springframework.http.server.observation")),
    ("Spring Security filters", ("org.springframework.security.",)),
    ("pgjdbc + Spring JDBC + Hikari", ("org.postgresql.", "com.zaxxer.", "org.springframework.jdbc.")),
    ("Tink AES-GCM", ("com.google.crypto.tink.",)),
    ("Jackson", ("com.fasterxml.jackson.",)),
    ("bean validation", ("org.hibernate.validator.", "jakarta.validation.")),
    ("broker code", ("dev.tokenbroker.",)),
    ("Axon", ("org.axonframework.",)),
    ("Tomcat", ("org.apache.tomcat.", "org.apache.catalina.", "org.apache.coyote.")),
    ("Spring MVC / web / core", ("org.springframework.",)),
]


def area(frames):
    for frame in frames:
        for name, prefixes in AREAS:
            if frame.startswith(prefixes):
                return name
    return "JDK / other"


def main():
    path = sys.argv[1]
    top = int(sys.argv[2]) if len(sys.argv) > 2 else 15
    text = subprocess.run(["jfr", "print", "--events", "jdk.ExecutionSample", "--stack-depth", "96", path],
                          capture_output=True, text=True, check=True).stdout
    areas, selves, inclusive, total = collections.Counter(), collections.Counter(), collections.Counter(), 0
    for event in text.split("jdk.ExecutionSample")[1:]:
        thread = re.search(r'sampledThread = "([^"]*)"', event)
        if not thread or not thread.group(1).startswith("http-nio"):
            continue
        block = event.split("stackTrace = [", 1)
        if len(block) < 2:
            continue
        frames = [re.sub(r"\s+line:.*$", "", line.strip()) for line in block[1].split("]")[0].splitlines()]
        frames = [f for f in frames if f and f != "..."]
        if not frames:
            continue
        total += 1
        areas[area(frames)] += 1
        selves[frames[0].split("(")[0]] += 1
        for name in {f.split("(")[0] for f in frames}:
            inclusive[name] += 1
    print(f"{total} CPU samples on request threads ({path})")
    print("| area (innermost matching frame; JDK leaf work counted to its caller) | share |")
    print("|---|---|")
    for name, count in areas.most_common():
        print(f"| {name} | {100 * count / total:.0f} % |")
    print()
    print("| top frame (self) | share |")
    print("|---|---|")
    for name, count in selves.most_common(top):
        print(f"| `{name}` | {100 * count / total:.1f} % |")
    print()
    print("| frame on the stack (inclusive; framework and broker frames, not the request dispatch spine) | share |")
    print("|---|---|")
    spine = ("java.lang.Thread.run", "org.apache.tomcat.util.threads.", "org.apache.tomcat.util.net.",
             "org.apache.coyote.", "org.apache.catalina.core.", "org.apache.catalina.connector.CoyoteAdapter",
             "org.apache.catalina.authenticator.", "org.apache.catalina.valves.")
    shown = 0
    for name, count in inclusive.most_common():
        if name.startswith(spine) or 100 * count / total >= 99.5:
            continue
        print(f"| `{name}` | {100 * count / total:.1f} % |")
        shown += 1
        if shown >= 3 * top:
            break


if __name__ == "__main__":
    main()

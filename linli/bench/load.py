"""A small HTTP load generator, run as its own process: N client threads, each sending one
request after another for a fixed time, to one URL or to a weighted mix of targets.

    python -m linli.bench.load URL --clients 8 --seconds 10 [--post JSON] [--header "K: V"]
    python -m linli.bench.load --mix targets.json --clients 8 --seconds 600

Prints one JSON line. For one URL: requests, rps, p50/p95 in ms, errors, statuses. For a mix
(a JSON list of {"name", "url", "method", "body", "headers", "weight", "expect"}): the same per
target and in total, plus every failed request with its wall-clock start and end, so that a
caller can tell the failures of a known outage from the others.
"""

import argparse
import http.client
import json
import random
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit


def percentile(values, p):
    """Nearest-rank percentile (p in 0..100) of a non-empty list."""
    ordered = sorted(values)
    rank = max(1, -(-p * len(ordered) // 100))
    return ordered[int(rank) - 1]


@dataclass
class Target:
    name: str
    url: str
    method: str = "GET"
    body: str | None = None
    headers: dict = field(default_factory=dict)
    weight: float = 1.0
    expect: int | None = None  # the one status that counts as success; None: any status below 400

    def ok(self, status):
        return status == self.expect if self.expect else status < 400


@dataclass
class Sample:
    target: int
    started: float  # wall clock (time.time()), comparable across processes
    ms: float
    status: object  # an HTTP status, or the name of the exception


def drive(targets, clients, seconds, seed=0):
    """Every client picks targets by weight and sends one request after another until the time
    is up (after a first round that covers every target, so that a short run reaches them all).
    All targets share one host and port (one keep-alive connection a client)."""
    parts = [urlsplit(t.url) for t in targets]
    host, port = parts[0].hostname, parts[0].port
    weights = [t.weight for t in targets]
    samples, lock = [], threading.Lock()
    deadline = time.perf_counter() + seconds

    def client(k):
        rng, mine = random.Random(seed * 1000 + k), []
        first = list(range(k, len(targets), clients))  # between them, the clients send every target once first
        conn = http.client.HTTPConnection(host, port, timeout=30)
        while time.perf_counter() < deadline:
            i = first.pop(0) if first else rng.choices(range(len(targets)), weights)[0]
            t, path = targets[i], parts[i].path + (f"?{parts[i].query}" if parts[i].query else "")
            headers = dict(t.headers)
            if t.body is not None:
                headers.setdefault("Content-Type", "application/json")
            wall, began = time.time(), time.perf_counter()
            try:
                conn.request(t.method, path, body=t.body.encode() if t.body is not None else None, headers=headers)
                response = conn.getresponse()
                response.read()
                status = response.status
                if response.getheader("Connection", "").lower() == "close":
                    conn.close()
            except (OSError, http.client.HTTPException) as exc:
                status = type(exc).__name__
                conn.close()
            mine.append(Sample(i, wall, (time.perf_counter() - began) * 1000, status))
        with lock:
            samples.extend(mine)

    threads = [threading.Thread(target=client, args=(k,)) for k in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return samples


def summary(samples, targets, elapsed):
    latencies = [s.ms for s in samples]
    statuses = {}
    for s in samples:
        statuses[str(s.status)] = statuses.get(str(s.status), 0) + 1
    errors = sum(1 for s in samples if not (isinstance(s.status, int) and targets[s.target].ok(s.status)))
    return {
        "requests": len(samples),
        "errors": errors,
        "seconds": round(elapsed, 2),
        "rps": round(len(samples) / elapsed, 1) if elapsed else 0,
        "p50_ms": round(percentile(latencies, 50), 1) if latencies else None,
        "p95_ms": round(percentile(latencies, 95), 1) if latencies else None,
        "statuses": statuses,
    }


def run(url, clients, seconds, body=None, headers=None):
    """One URL (a POST when there is a body): the figures of all requests."""
    targets = [Target("load", url, "POST" if body is not None else "GET", body, dict(headers or {}))]
    started = time.perf_counter()
    samples = drive(targets, clients, seconds)
    return {"clients": clients, **summary(samples, targets, time.perf_counter() - started)}


def run_mix(targets, clients, seconds, seed=0):
    """A weighted mix: figures per target and in total, and every failed request."""
    started = time.perf_counter()
    samples = drive(targets, clients, seconds, seed)
    elapsed = time.perf_counter() - started
    per = {t.name: summary([s for s in samples if s.target == i], targets, elapsed) for i, t in enumerate(targets)}
    failures = [
        {
            "target": targets[s.target].name,
            "started": round(s.started, 3),
            "ended": round(s.started + s.ms / 1000, 3),
            "status": s.status,
        }
        for s in samples
        if not (isinstance(s.status, int) and targets[s.target].ok(s.status))
    ]
    return {"clients": clients, "total": summary(samples, targets, elapsed), "targets": per, "failures": failures}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("url", nargs="?")
    parser.add_argument("--mix", help="a JSON file: a list of targets")
    parser.add_argument("--clients", type=int, default=1)
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--post")
    parser.add_argument("--header", action="append", default=[])
    args = parser.parse_args()
    if args.mix:
        with open(args.mix) as f:
            targets = [Target(**t) for t in json.load(f)]
        print(json.dumps(run_mix(targets, args.clients, args.seconds, args.seed)))
        return
    headers = dict(h.split(": ", 1) for h in args.header)
    print(json.dumps(run(args.url, args.clients, args.seconds, args.post, headers)))


if __name__ == "__main__":
    main()

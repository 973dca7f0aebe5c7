"""A small HTTP load generator, run as its own process: N client threads, each sending one
request after another for a fixed time. Prints one JSON line: requests, rps, p50/p95 in ms, errors.

    python -m linli.bench.load URL --clients 8 --seconds 10 [--post JSON] [--header "K: V"]
"""

import argparse
import http.client
import json
import threading
import time
from urllib.parse import urlsplit


def percentile(values, p):
    """Nearest-rank percentile (p in 0..100) of a non-empty list."""
    ordered = sorted(values)
    rank = max(1, -(-p * len(ordered) // 100))
    return ordered[int(rank) - 1]


def run(url, clients, seconds, body=None, headers=None):
    parts = urlsplit(url)
    headers = dict(headers or {})
    payload = None
    if body is not None:
        payload = body.encode()
        headers.setdefault("Content-Type", "application/json")
    latencies, errors, statuses, lock = [], [0], {}, threading.Lock()
    deadline = time.perf_counter() + seconds

    def client():
        mine, bad, codes = [], 0, {}
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        while time.perf_counter() < deadline:
            began = time.perf_counter()
            try:
                conn.request("POST" if payload is not None else "GET", parts.path, body=payload, headers=headers)
                response = conn.getresponse()
                response.read()
                ok = response.status < 400
                codes[response.status] = codes.get(response.status, 0) + 1
                if response.getheader("Connection", "").lower() == "close":
                    conn.close()
            except (OSError, http.client.HTTPException) as exc:
                ok = False
                codes[type(exc).__name__] = codes.get(type(exc).__name__, 0) + 1
                conn.close()
            mine.append((time.perf_counter() - began) * 1000)
            bad += not ok
        with lock:
            latencies.extend(mine)
            errors[0] += bad
            for code, n in codes.items():
                statuses[str(code)] = statuses.get(str(code), 0) + n

    threads = [threading.Thread(target=client) for _i in range(clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    return {"clients": clients, "requests": len(latencies), "errors": errors[0], "seconds": round(elapsed, 2),
            "rps": round(len(latencies) / elapsed, 1), "p50_ms": round(percentile(latencies, 50), 1) if latencies else None,
            "p95_ms": round(percentile(latencies, 95), 1) if latencies else None, "statuses": statuses}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("--clients", type=int, default=1)
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--post")
    parser.add_argument("--header", action="append", default=[])
    args = parser.parse_args()
    headers = dict(h.split(": ", 1) for h in args.header)
    print(json.dumps(run(args.url, args.clients, args.seconds, args.post, headers)))


if __name__ == "__main__":
    main()

"""Load generator: a separate process that hammers one URL over keep-alive HTTP/1.1 connections.

Usage: python bench/load.py HOST PORT PATH COOKIE CONCURRENCY SECONDS -> prints one JSON line.
"""

import http.client
import json
import sys
import threading
import time


def main(host, port, path, cookie, concurrency, seconds):
    concurrency, seconds = int(concurrency), float(seconds)
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    stop = time.monotonic() + seconds
    headers = {"Cookie": cookie} if cookie else {}

    def worker():
        nonlocal errors
        conn = http.client.HTTPConnection(host, int(port), timeout=30)
        mine, failed = [], 0
        while time.monotonic() < stop:
            start = time.perf_counter()
            try:
                conn.request("GET", path, headers=headers)
                response = conn.getresponse()
                response.read()
                if response.status != 200:
                    failed += 1
            except (OSError, http.client.HTTPException):
                failed += 1
                conn.close()
                conn = http.client.HTTPConnection(host, int(port), timeout=30)
                continue
            mine.append(time.perf_counter() - start)
        with lock:
            latencies.extend(mine)
            errors += failed

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    begin = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - begin
    latencies.sort()

    def pct(p):
        return latencies[min(len(latencies) - 1, int(len(latencies) * p))] * 1000 if latencies else float("nan")

    print(
        json.dumps(
            {
                "requests": len(latencies),
                "errors": errors,
                "rps": len(latencies) / elapsed,
                "p50_ms": pct(0.50),
                "p99_ms": pct(0.99),
            }
        )
    )


if __name__ == "__main__":
    main(*sys.argv[1:7])

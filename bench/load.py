"""Load generator: a separate process that drives one journey over HTTP/1.1 connections on 127.0.0.1.

Usage: ``python bench/load.py SPEC``, where SPEC is a JSON object; prints one JSON line.

SPEC keys: ``host``, ``port``, ``path``, ``concurrency``, ``seconds``, and optionally ``method``
(GET), ``body`` (a template, see below), ``headers`` ({name: value}), ``cookies`` (a list of
Cookie header values: connection *i* sends ``cookies[i % len(cookies)]``, so each connection can
be another learner), ``paths`` (likewise per connection, for a learner's own record such as their
exam attempt; ``path`` is then the first), ``expect`` (the statuses that count as success, [200]) and ``raw`` (also
return every latency, so that ``run.py`` can merge rounds).

The body template is sent as UTF-8 with these placeholders replaced on every request: ``{uuid}``
a fresh UUID (each xAPI statement needs its own id), ``{n}`` the connection's request counter,
``{alt}`` that counter modulo 2 (to alternate between two answers), ``{now}`` the current UTC time
in ISO 8601.

The result: requests, errors, requests per second, p50/p90/p99/max latency in milliseconds, the
count of each status, and the first unexpected response (status and the start of its body), so
that a 500 from the application is reported rather than just counted.
"""

import datetime
import http.client
import json
import sys
import threading
import time
import uuid


def render(template: str, n: int) -> bytes:
    text = template
    if "{uuid}" in text:
        text = text.replace("{uuid}", str(uuid.uuid4()))
    if "{now}" in text:
        text = text.replace("{now}", datetime.datetime.now(datetime.UTC).isoformat(timespec="milliseconds"))
    return text.replace("{alt}", str(n % 2)).replace("{n}", str(n)).encode()


def run(spec: dict) -> dict:
    host, port, path = spec["host"], int(spec["port"]), spec["path"]
    concurrency, seconds = int(spec["concurrency"]), float(spec["seconds"])
    method = spec.get("method", "GET")
    template = spec.get("body")
    cookies = spec.get("cookies") or [""]
    paths = spec.get("paths") or [path]
    expect = set(spec.get("expect") or [200])
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    errors = 0
    sample: dict = {}
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def worker(index: int):
        nonlocal errors
        headers = dict(spec.get("headers") or {})
        if cookies[index % len(cookies)]:
            headers["Cookie"] = cookies[index % len(cookies)]
        own_path = paths[index % len(paths)]
        conn = http.client.HTTPConnection(host, port, timeout=60)
        mine, seen, failed, n = [], {}, 0, 0
        while time.monotonic() < stop:
            body = render(template, n) if template is not None else None
            n += 1
            start = time.perf_counter()
            try:
                conn.request(method, own_path, body=body, headers=headers)
                response = conn.getresponse()
                content = response.read()
            except (OSError, http.client.HTTPException) as error:
                failed += 1
                with lock:
                    sample.setdefault("exception", repr(error))
                conn.close()
                conn = http.client.HTTPConnection(host, port, timeout=60)
                continue
            mine.append(time.perf_counter() - start)
            seen[response.status] = seen.get(response.status, 0) + 1
            if response.status not in expect:
                failed += 1
                with lock:
                    if "status" not in sample:
                        sample.update(status=response.status, body=content[:300].decode("utf-8", "replace"))
        conn.close()
        with lock:
            latencies.extend(mine)
            errors += failed
            for status, count in seen.items():
                statuses[status] = statuses.get(status, 0) + count

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(concurrency)]
    begin = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - begin
    latencies.sort()

    result = summary([x * 1000 for x in latencies], elapsed, errors, statuses, sample or None)
    if spec.get("raw"):
        result["latencies_ms"] = [round(x * 1000, 3) for x in latencies]
    return result


def summary(latencies_ms: list[float], elapsed: float, errors: int, statuses: dict, first_error) -> dict:
    """Requests per second and latency percentiles of sorted latencies (also used to merge rounds)."""

    def pct(p):
        return latencies_ms[min(len(latencies_ms) - 1, int(len(latencies_ms) * p))] if latencies_ms else float("nan")

    return {
        "requests": len(latencies_ms),
        "errors": errors,
        "elapsed": elapsed,
        "rps": len(latencies_ms) / elapsed,
        "p50_ms": pct(0.50),
        "p90_ms": pct(0.90),
        "p99_ms": pct(0.99),
        "max_ms": latencies_ms[-1] if latencies_ms else float("nan"),
        "statuses": {str(k): v for k, v in sorted(statuses.items(), key=lambda item: int(item[0]))},
        "first_error": first_error,
    }


if __name__ == "__main__":
    # Sixteen threads mostly wait on sockets; a short switch interval keeps a thread whose response
    # has arrived from waiting for the GIL, which would otherwise add to the latency it measures.
    sys.setswitchinterval(0.0005)
    print(json.dumps(run(json.loads(sys.argv[1]))))

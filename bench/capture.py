"""Each journey in-process: its queries (Django's CaptureQueriesContext) and their plans.

Runs under either application's settings, with nothing but Django: ``python -m bench.capture`` for
Kyky, ``python -m capture`` in the peer's environment (``bench/`` is on its path). Reads a JSON
object on stdin, ``{"journeys": [{"key", "label", "method", "path", "body", "headers", "cookies"}],
"explain": bool}``, and prints JSON: per journey (its second request: the first warms the caches,
as under load) the response status, every query with its time, and with ``explain`` the plan of
each SELECT, UPDATE and DELETE from ``EXPLAIN (ANALYZE, BUFFERS)`` (run inside a transaction that
is rolled back), the scans in it, and any sequential scan of a table of at least
``BIG_TABLE_ROWS`` rows, which at national scale means a missing index.
"""

import json
import re
import sys
import uuid

import django

BIG_TABLE_ROWS = 10_000
SCAN = re.compile(
    r"(Parallel Seq Scan|Seq Scan|Index Only Scan|(?<!Bitmap )Index Scan|Bitmap Heap Scan)(?: Backward)?"
    r"(?: using \S+)? on (\S+)"
)
EXPLAINABLE = ("SELECT", "WITH", "UPDATE", "DELETE")


def _body(template: str | None, alt: str) -> bytes:
    if template is None:
        return b""
    return template.replace("{uuid}", str(uuid.uuid4())).replace("{alt}", alt).replace("{n}", alt).encode()


def _plan(cursor, sql: str) -> str:
    from django.db import transaction

    savepoint = transaction.savepoint()
    try:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        return "\n".join(row[0] for row in cursor.fetchall())
    except Exception as error:  # a plan that cannot be had is reported, not fatal
        return f"(not explained: {error})"
    finally:
        transaction.savepoint_rollback(savepoint)


def send(alt: str, client, journey: dict):
    headers = journey.get("headers") or {}
    return client.generic(
        journey.get("method", "GET"),
        journey["path"],
        data=_body(journey.get("body"), alt),
        content_type=headers.get("Content-Type", "application/octet-stream"),
    )


def capture(journeys: list[dict], explain: bool) -> dict:
    from django.db import connection, transaction
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    with connection.cursor() as cursor:
        cursor.execute("SELECT relname, reltuples::bigint FROM pg_class WHERE relkind IN ('r', 'p')")
        sizes = dict(cursor.fetchall())
    out = []
    for journey in journeys:
        client = Client(HTTP_HOST="127.0.0.1")
        cookie = (journey.get("cookies") or [""])[0]
        for part in filter(None, (p.strip() for p in cookie.split(";"))):
            name, _eq, value = part.partition("=")
            client.cookies[name] = value
        send("0", client, journey)  # warm, as every request under load is: the counted one is the second
        with CaptureQueriesContext(connection) as queries:
            response = send("1", client, journey)
        rows = [{"sql": q["sql"], "ms": float(q["time"]) * 1000} for q in queries.captured_queries]
        if explain:
            plans: dict[str, str] = {}
            with transaction.atomic(), connection.cursor() as cursor:
                for row in rows:
                    if row["sql"].lstrip().upper().startswith(EXPLAINABLE) and row["sql"] not in plans:
                        plans[row["sql"]] = _plan(cursor, row["sql"])
                transaction.set_rollback(True)
            for row in rows:
                row["plan"] = plans.get(row["sql"])
                found = SCAN.findall(row["plan"] or "")
                row["scans"] = sorted({f"{kind} on {table}" for kind, table in found})
                row["big_seq_scans"] = sorted(
                    {f"{table} ({sizes.get(table, 0):,} rows)" for kind, table in found
                     if "Seq Scan" in kind and sizes.get(table, 0) >= BIG_TABLE_ROWS}
                )  # fmt: skip
        out.append(
            {
                "key": journey["key"],
                "label": journey["label"],
                "method": journey.get("method", "GET"),
                "path": journey["path"],
                "status": response.status_code,
                "count": len(rows),
                "sql_ms": sum(row["ms"] for row in rows),
                "explained": sum(1 for row in rows if row.get("plan")),
                "queries": rows,
            }
        )
    return {"journeys": out, "big_tables": {name: rows for name, rows in sizes.items() if rows >= BIG_TABLE_ROWS}}


if __name__ == "__main__":
    request = json.load(sys.stdin)
    django.setup()
    print(json.dumps(capture(request["journeys"], request.get("explain", False))))

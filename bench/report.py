"""Tables from a bench result: on stdout, in ``var/bench/*.json``, and in ``bench/README.md``.

``python bench/report.py var/bench/latest.json`` (``make bench-readme``) writes the tables of a
result file into bench/README.md again, between the markers of its kind (default or national run).
"""

import json
import re
import sys
from pathlib import Path

PEER_TARGET = 3.0  # Kyky at least 3x wagtail-lms's throughput on every journey both have
P99_TARGET_MS = 100.0  # at 16 connections, for every journey with a target
NATIONAL_TOLERANCE = 1.20  # national latency within 20 % of the small database's
BIG_TABLE_ROWS = 10_000  # a sequential scan on a table this big is flagged


def _ok(passed: bool) -> str:
    return "ok" if passed else "MISSED"


def _num(value, digits=1) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def _rows(results: dict, scale: str) -> list[dict]:
    """One row per journey and concurrency, with ratios and target checks."""
    data = results.get(scale) or {}
    kyky, peer = data.get("kyky", {}), data.get("peer", {})
    small = results.get("small") or {}
    out = []
    for journey in results["journeys"]:
        key = journey["key"]
        for c in results["settings"]["concurrency"]:
            conns = f"c{c}"
            row = kyky.get(key, {}).get(conns)
            if row is None:
                continue
            floor = kyky.get("minimal", {}).get(conns)
            theirs = peer.get(key, {}).get(conns)
            share = row["rps"] / floor["rps"] if floor else None
            versus = row["rps"] / theirs["rps"] if theirs else None
            checks = []
            if journey["target"] is not None:
                if c == min(results["settings"]["concurrency"]):
                    checks.append(
                        f"÷min ≥{journey['target']:.2f} {_ok(share is not None and share >= journey['target'])}"
                    )
                if c >= 16:
                    checks.append(f"p99<{P99_TARGET_MS:.0f} {_ok(row['p99_ms'] < P99_TARGET_MS)}")
            if versus is not None and key != "minimal":
                checks.append(f"≥{PEER_TARGET:.0f}× peer {_ok(versus >= PEER_TARGET)}")
            # Compared with the small database measured in the same rounds, or else earlier in the run.
            reference = data.get("kyky_small") or small.get("kyky", {})
            before = reference.get(key, {}).get(conns) if scale == "national" else None
            p50_vs = row["p50_ms"] / before["p50_ms"] if before else None
            p99_vs = row["p99_ms"] / before["p99_ms"] if before else None
            if before is not None and key != "minimal":
                checks.append(f"±20% {_ok(p50_vs <= NATIONAL_TOLERANCE and p99_vs <= NATIONAL_TOLERANCE)}")
            if row["errors"]:
                checks.append(f"{row['errors']} ERRORS")
            out.append(
                {
                    "label": journey["label"],
                    "conns": c,
                    "rps": row["rps"],
                    "p50": row["p50_ms"],
                    "p99": row["p99_ms"],
                    "share": share,
                    "peer_rps": theirs["rps"] if theirs else None,
                    "peer_p50": theirs["p50_ms"] if theirs else None,
                    "peer_p99": theirs["p99_ms"] if theirs else None,
                    "versus": versus,
                    "p50_vs_small": p50_vs,
                    "p99_vs_small": p99_vs,
                    "checks": "; ".join(checks),
                }
            )
    return out


COLUMNS = [
    ("journey", 42, lambda r: r["label"]),
    ("conns", 5, lambda r: str(r["conns"])),
    ("Kyky req/s", 10, lambda r: _num(r["rps"])),
    ("p50 ms", 7, lambda r: _num(r["p50"])),
    ("p99 ms", 7, lambda r: _num(r["p99"])),
    ("÷ minimal", 9, lambda r: _num(r["share"], 3)),
    ("peer req/s", 10, lambda r: _num(r["peer_rps"])),
    ("peer p50", 8, lambda r: _num(r["peer_p50"])),
    ("peer p99", 8, lambda r: _num(r["peer_p99"])),
    ("Kyky ÷ peer", 11, lambda r: _num(r["versus"], 2)),
]
NATIONAL_COLUMNS = [
    ("p50 ÷ small", 11, lambda r: _num(r["p50_vs_small"], 2)),
    ("p99 ÷ small", 11, lambda r: _num(r["p99_vs_small"], 2)),
]
CHECKS = ("targets", 0, lambda r: r["checks"])


def _columns(scale: str) -> list:
    return COLUMNS + (NATIONAL_COLUMNS if scale == "national" else []) + [CHECKS]


def table_text(results: dict, scale: str) -> str:
    columns = _columns(scale)
    lines = [
        "".join(
            f"{name:<{width}}" if i == 0 else f"{name:>{width + 1}}" for i, (name, width, _f) in enumerate(columns[:-1])
        )
        + "  targets"
    ]
    for row in _rows(results, scale):
        cells = [f(row) for _n, _w, f in columns]
        line = f"{cells[0][:41]:<42}" + "".join(
            f"{cell:>{w + 1}}" for cell, (_n, w, _f) in zip(cells[1:-1], columns[1:-1], strict=True)
        )
        lines.append(f"{line}  {cells[-1]}")
    return "\n".join(lines)  # fmt: skip


def table_markdown(results: dict, scale: str) -> str:
    columns = _columns(scale)
    lines = ["| " + " | ".join(name for name, _w, _f in columns) + " |"]
    lines.append("|" + "|".join(":---" if i == 0 else "---:" for i in range(len(columns) - 1)) + "|:---|")
    for row in _rows(results, scale):
        lines.append("| " + " | ".join(f(row) for _n, _w, f in columns) + " |")
    return "\n".join(lines)


def heading(results: dict) -> str:
    m, s, v = results["machine"], results["settings"], results["versions"]
    peer = v.get("peer", {}).get("wagtail-lms")
    return (
        f"{results['date']}, {m['cpu']} ({m['cores']} cores, {m['memory_gb']} GB), {m['system']}, "
        f"PostgreSQL {m['postgresql']}, Python {m['python']}. Kyky {v['kyky']['kyky']} at {v['kyky']['commit']}"
        + (f" vs wagtail-lms {peer}" if peer else "")
        + f" (both on Django {v['kyky']['Django']}, Wagtail {v['kyky']['wagtail']}, gunicorn {v['kyky']['gunicorn']}: "
        f"{s['gunicorn_workers']} sync workers, sessions {s.get('session_engine', '?').rsplit('.', 1)[-1]}, "
        f"a Redis cache each); {s['seconds_per_row']:g} s per row in {s.get('rounds', 1)} rounds "
        f"taking turns with the peer, after a {s['warmup_seconds']:g} s warm-up; load average "
        f"{m['load_average_at_start']:.2f} at the start, {m.get('load_average_at_end', 0):.2f} at the end."
    )


def extras(results: dict) -> list[str]:
    lines = []
    small = results.get("small", {}).get("kyky", {})
    per = results.get("per_request") or {}
    first = f"c{results['settings']['concurrency'][0]}"
    if per:
        ratios = ", ".join(
            f"{k.replace('_', ' ')} {small[k][first]['rps'] / row['rps']:.2f}×" for k, row in per.items() if k in small
        )
        lines.append(
            f"Persistent database connections vs one per request (CONN_MAX_AGE=600 ÷ 0, throughput): {ratios}."
        )
    floor = small.get("minimal", {}).get(first, {}).get("rps")

    def of_minimal(per_second: float, digits: int) -> str:
        return f" = {per_second / floor:.{digits}f} × the minimal view's requests per second" if floor else ""

    cert = results.get("certificates")
    if cert:
        lines.append(
            f"Certificates end to end through a real Celery worker ({cert['count']}: facts, signed credential, PDF, "
            f"e-mail): {cert['per_second']:.2f}/s"
            + of_minimal(cert["per_second"], 4)
            + f" (stale messages purged from its broker first: {cert['stale_messages_purged_before']})."
        )
    sent = results.get("forwarding")
    if sent:
        lines.append(
            f"Statements forwarded to a real LRS on loopback by the forwarding job (Ralph, file-system backend; "
            f"{sent['count']} queued, batched, posted, recorded as sent): {sent['per_second']:.0f}/s"
            + of_minimal(sent["per_second"], 3)
            + f"; the LRS holds {sent['received']}."
        )
    imp = results.get("import")
    if imp:
        lines.append(
            f"A {imp['rows']}-row student list imported through a real worker: {imp['seconds']:.1f} s "
            f"({imp['recorded'] / imp['seconds']:.0f} rows/s, {imp['recorded']} rows recorded); invitation e-mails "
            f"still queued when it finished, purged: {imp['emails_left_queued_and_purged']}."
        )
    for side in ("kyky", "peer"):
        seed = results.get(f"seed_{side}")
        if seed:
            parts = ", ".join(
                f"{name} {count:,} in {seconds:.0f} s" for name, (count, seconds) in seed["tables"].items()
            )
            lines.append(
                f"National seed of {'Kyky' if side == 'kyky' else 'the peer'} (bulk SQL): {parts}; "
                f"VACUUM ANALYZE {seed['vacuum_analyze_seconds']:.0f} s; total {seed['seconds']:.0f} s; "
                f"database {seed['database_gb']:.1f} GB."
            )
    national_plan = results.get("national_plan", {})
    if national_plan.get("factor", 1) < 1:
        why = (
            "the disk did not hold the full seed"
            if national_plan["free_gb"] * 0.6 < national_plan["needed_gb"]
            else "BENCH_NATIONAL_FACTOR asked for a smaller seed"
        )
        lines.append(f"NOT the full national scale: {why}; counts scaled by {national_plan['factor']:.2f}.")
    line = queries_line(results)
    if line:
        lines.append(line)
    if "phases" in results:
        lines.append(f"The whole run took {results['total_seconds'] / 60:.1f} minutes.")
    return lines


def queries_line(results: dict) -> str | None:
    captured = results.get("queries") or {}
    counts = {side: {j["key"]: j["count"] for j in data.get("journeys", [])} for side, data in captured.items() if data}
    if not counts.get("kyky"):
        return None
    parts = []
    for journey in results["journeys"]:
        key = journey["key"]
        if key in counts["kyky"]:
            peer = counts.get("peer", {}).get(key)
            parts.append(f"{journey['label']} {counts['kyky'][key]}" + (f" / {peer}" if peer is not None else ""))
    return "SQL queries per request, Kyky / peer: " + ", ".join(parts) + "."


def explain_summary(explain: dict) -> list[str]:
    lines = []
    for journey in explain.get("journeys", []):
        flagged = [q for q in journey["queries"] if q["big_seq_scans"]]
        scans = sorted({scan for q in journey["queries"] for scan in q["scans"]})
        verdict = (
            f"SEQUENTIAL SCANS of big tables in {len(flagged)} queries"
            if flagged
            else "no sequential scan of a big table"
        )
        lines.append(
            f"{journey['label']}: {journey['status']}, {len(journey['queries'])} queries "
            f"({journey['explained']} explained), {journey['sql_ms']:.1f} ms in SQL; {verdict}"
            + (f"; scans: {', '.join(scans)}" if scans else "")
        )
    return lines


def explain_text(explain: dict) -> str:
    out = []
    for side, data in explain.items():
        out += _explain_side(side, data)
    return "\n".join(out)


def _explain_side(side: str, data: dict) -> list[str]:
    out = []
    for journey in data.get("journeys", []):
        out.append(f"=== {side}: {journey['label']} ({journey['method']} {journey['path']}): {journey['status']}")
        for n, query in enumerate(journey["queries"], 1):
            flag = "  <-- SEQUENTIAL SCAN of a big table" if query["big_seq_scans"] else ""
            out.append(f"--- {n}. {query['sql']}{flag}")
            out.append(query.get("plan") or "(not explained)")
        out.append("")
    return out


def flagged_plans(explain: dict) -> list[tuple[str, dict]]:
    return [(j["label"], q) for j in explain.get("journeys", []) for q in j["queries"] if q["big_seq_scans"]]


def title(results: dict, scale: str) -> str:
    if scale == "small":
        return "Small database"
    if (results.get("national") or {}).get("kyky_small"):
        return "National-scale database (÷ small: Kyky on the small database, measured again in the same rounds)"
    return "National-scale database (÷ small: Kyky on the small database, earlier in the run)"


def text(results: dict, plan=None) -> str:
    out = [heading(results), ""]
    for scale in ("small", "national"):
        if results.get(scale):
            out += [title(results, scale), table_text(results, scale), ""]
    out += extras(results)
    explain = (results.get("explain") or {}).get("kyky")
    if explain:
        out += ["", "EXPLAIN (ANALYZE, BUFFERS) of every query of every Kyky journey on the national database:"]
        out += ["  " + line for line in explain_summary(explain)]
        for label, query in flagged_plans(explain):
            out += ["", f"{label}: {query['sql']}", query["plan"]]
        out += ["", peer_explain_line(results)]
    return "\n".join(out)


def peer_explain_line(results: dict) -> str:
    explain = (results.get("explain") or {}).get("peer") or {}
    flagged = flagged_plans(explain)
    if not explain.get("journeys"):
        return "The peer's queries were not explained."
    tables = sorted({scan for _label, q in flagged for scan in q["big_seq_scans"]})
    return (
        f"wagtail-lms on the same national data: {len(flagged)} queries scan a big table sequentially"
        + (f" ({', '.join(tables)})" if tables else "")
        + "; every plan of both in var/bench/explain-national.txt."
    )


def markdown(results: dict) -> str:
    national = results["scale"] == "national"
    out = [f"*{heading(results)}*", ""]
    for scale in ("small", "national"):
        if results.get(scale):
            out += [f"**{title(results, scale)}**", "", table_markdown(results, scale), ""]
    out += [f"- {line}" for line in extras(results)]
    explain = (results.get("explain") or {}).get("kyky")
    if national and explain:
        out += ["", "EXPLAIN (ANALYZE, BUFFERS) of every query of every Kyky journey on the national database:", ""]
        out += [f"- {line}" for line in explain_summary(explain)]
        out += [f"- {peer_explain_line(results)}"]
        for label, query in flagged_plans(explain):
            out += ["", f"{label}: `{query['sql'][:300]}`", "", "```", query["plan"], "```"]
    return "\n".join(out)


def readme_update(path: Path, results: dict, plan=None) -> None:
    kind = "national" if results["scale"] == "national" else "default"
    begin, end = f"<!-- bench:{kind}:begin -->", f"<!-- bench:{kind}:end -->"
    block = f"{begin}\n{markdown(results)}\n{end}"
    content = path.read_text()
    if begin in content:
        content = re.sub(re.escape(begin) + ".*?" + re.escape(end), lambda _m: block, content, flags=re.S)
    else:
        content = content.rstrip() + "\n\n" + block + "\n"
    path.write_text(content)


if __name__ == "__main__":
    for name in sys.argv[1:] or ["var/bench/latest.json"]:
        result = json.loads(Path(name).read_text())
        readme_update(Path(__file__).resolve().parent / "README.md", result)
        print(f"bench/README.md: the tables of {name} ({result['date']})")

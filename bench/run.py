"""Kyky's benchmarks, side by side with wagtail-lms in one run (``make bench``; ``make bench-national``).

One command builds everything it measures:

1. Kyky's database (``BENCH_DATABASE_URL``, default ``kyky_bench``): migrations, the real content,
   the demo users, and the scenario of ``bench/scenario.py`` (a 50-lesson training with an H5P
   activity in every lesson, sixteen learners part-way through it, each logged in).
2. The peer: wagtail-lms from PyPI in a virtual environment of its own (``var/bench-peer/venv``),
   a small project of ours around it (``bench/peer/``) and its own database on the same PostgreSQL
   server (``kyky_bench_peer``), with the same scenario (``bench/peer/setup.py``).
3. Both served by gunicorn with the same settings (``BENCH_WORKERS`` sync workers, production
   settings, persistent database connections, a Redis cache), and every journey driven from a
   separate process (``bench/load.py``) at each of ``BENCH_CONCURRENCY`` connections, Kyky and the
   peer one after the other for each journey, so both see the same machine at the same moment.
4. Kyky's certificates through a real Celery worker, and a student-list import through another,
   each on a Redis database of its own that is emptied before and after.
5. With ``BENCH_SCALE=national``: copies of both databases seeded with bulk SQL to national size
   (``bench/national.py``, timed), every journey measured again, and the plan of every query of
   journey (``EXPLAIN (ANALYZE, BUFFERS)``, ``bench/capture.py``) in the report.

The tables go to stdout, everything to ``var/bench/latest.json`` (``latest-national.json``), and
the tables with their date and machine into ``bench/README.md`` (``BENCH_README=0`` to skip).
Absolute numbers depend on the machine; compare ratios, measured in the same run.
"""

import concurrent.futures
import datetime
import importlib.metadata
import json
import os
import platform
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import report

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
VAR = ROOT / "var" / "bench"
PEER_VAR = ROOT / "var" / "bench-peer"
PEER_PY = PEER_VAR / "venv" / "bin" / "python"
PEER_VERSION = "0.11.1"  # wagtail-lms, pinned

SERVER = os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432")
DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", f"{SERVER}/kyky_bench")
PEER_DATABASE_URL = os.environ.get("BENCH_PEER_DATABASE_URL", f"{SERVER}/kyky_bench_peer")
NATIONAL_DATABASE_URL = os.environ.get("BENCH_NATIONAL_DATABASE_URL", f"{SERVER}/kyky_bench_national")
PEER_NATIONAL_DATABASE_URL = os.environ.get("BENCH_PEER_NATIONAL_DATABASE_URL", f"{SERVER}/kyky_bench_peer_national")
REDIS = os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379")
# One Redis database per use, all the bench's own: the certificate worker's broker never holds the
# import's leftover e-mails, and each is emptied before and after its phase.
CERTIFICATE_BROKER = os.environ.get("BENCH_BROKER_URL", f"{REDIS}/14")
IMPORT_BROKER = os.environ.get("BENCH_IMPORT_BROKER_URL", f"{REDIS}/12")
# A cache per application and database: Kyky caches routes and content under a generation number,
# and a copy of a database must not read what was cached for the original. All emptied at the start.
CACHES = {
    DATABASE_URL: f"{REDIS}/11",
    PEER_DATABASE_URL: f"{REDIS}/10",
    NATIONAL_DATABASE_URL: f"{REDIS}/9",
    PEER_NATIONAL_DATABASE_URL: f"{REDIS}/8",
}
KYKY_CACHE, PEER_CACHE = CACHES[DATABASE_URL], CACHES[PEER_DATABASE_URL]

SCALE = os.environ.get("BENCH_SCALE", "small")
SECONDS = float(os.environ.get("BENCH_SECONDS", "6"))
WARMUP_SECONDS = 1.0
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))  # turns per journey, Kyky and the peer alternating
CONCURRENCY = [int(c) for c in os.environ.get("BENCH_CONCURRENCY", "4,16").split(",")]
WORKERS = os.environ.get("BENCH_WORKERS", "2")
COHORT_LEARNERS = int(os.environ.get("BENCH_COHORT_LEARNERS", "2000"))
REVIEWS = min(int(os.environ.get("BENCH_REVIEWS", "500")), COHORT_LEARNERS)
IMPORT_ROWS = int(os.environ.get("BENCH_IMPORT_ROWS", "10000"))
CERTIFICATES = int(os.environ.get("BENCH_CERTIFICATES", "40"))
FORWARDS = int(os.environ.get("BENCH_FORWARDS", "2000"))  # statements forwarded to the local LRS
PER_REQUEST = os.environ.get("BENCH_PER_REQUEST", "1") == "1"
WITH_PEER = os.environ.get("BENCH_PEER", "1") == "1"
# For working on one page: measure only these journeys (keys, comma-separated; "minimal" is always
# measured), on the databases the last run set up (``BENCH_REUSE=1``), without the worker phases.
ONLY = {key for key in os.environ.get("BENCH_JOURNEYS", "").split(",") if key}
REUSE = os.environ.get("BENCH_REUSE", "0") == "1"
CSRF = "benchcsrftoken0123456789abcdefgh"  # a CSRF cookie value of the right form (32 characters)

BASE_ENV = {name: os.environ[name] for name in ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR") if name in os.environ}
ENV = {
    **os.environ,
    "DJANGO_SETTINGS_MODULE": "bench.settings",
    "DATABASE_URL": DATABASE_URL,
    "SECRET_KEY": "bench-only-" + "k" * 50,
    "ALLOWED_HOSTS": "127.0.0.1,localhost",
    "BASE_URL": "http://127.0.0.1:8000",
    "H5P_ORIGIN": "http://localhost:8000",
    "CELERY_BROKER_URL": "",
    "CACHE_URL": KYKY_CACHE,
    "PYTHONPATH": str(ROOT),
    "MEDIA_ROOT": str(VAR / "media"),
    "PRIVATE_ROOT": str(VAR / "private"),
    "EMAIL_FILE_PATH": str(VAR / "mail"),  # mails to files, not to stdout
    "BENCH_COHORT_LEARNERS": str(COHORT_LEARNERS),
    "BENCH_REVIEWS": str(REVIEWS),
}
PEER_ENV = {
    **BASE_ENV,
    "DJANGO_SETTINGS_MODULE": "peer.settings",
    "PEER_DATABASE_URL": PEER_DATABASE_URL,
    "PEER_VAR": str(PEER_VAR),
    "SECRET_KEY": "bench-peer-only-" + "k" * 50,
    "CACHE_URL": PEER_CACHE,
    "PYTHONPATH": str(ROOT / "bench"),
    "BENCH_COHORT_LEARNERS": str(COHORT_LEARNERS),
}


def log(message: str) -> None:
    print(f"[{datetime.datetime.now():%H:%M:%S}] {message}", flush=True)


class Timer:
    """Seconds spent in each phase, for the report."""

    def __init__(self):
        self.phases: dict[str, float] = {}

    def __call__(self, name: str):
        timer = self

        class Phase:
            def __enter__(self):
                self.start = time.perf_counter()
                log(f"{name}...")

            def __exit__(self, *exc):
                timer.phases[name] = round(time.perf_counter() - self.start, 1)
                log(f"{name}: {timer.phases[name]:.0f} s")

        return Phase()


# --- databases, Redis ---------------------------------------------------------------------------


def _admin_connection():
    import psycopg

    return psycopg.connect(f"{SERVER}/postgres", autocommit=True)


def _name(url: str) -> str:
    return url.rsplit("/", 1)[1]


def recreate_database(url: str, template: str | None = None) -> None:
    with _admin_connection() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{_name(url)}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{_name(url)}"' + (f' TEMPLATE "{_name(template)}"' if template else ""))


def redis_flush(url: str) -> int:
    """Empty one of the bench's Redis databases; return how many Celery messages were still queued."""
    import redis

    client = redis.Redis.from_url(url)
    queued = client.llen("celery")
    client.flushdb()
    return queued


def sql(url: str, query: str) -> list[tuple]:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        cursor = conn.execute(query)
        return cursor.fetchall() if cursor.description else []


# --- the two applications -----------------------------------------------------------------------


def manage(*args, env=None) -> None:
    subprocess.run([PY, "manage.py", *args], cwd=ROOT, env=env or ENV, check=True, stdout=subprocess.DEVNULL)


def run_json(command: list, env: dict, cwd=ROOT) -> dict:
    """Run a setup script that prints JSON as its last line; show its errors if it fails."""
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)
    if result.returncode:
        sys.exit(f"{' '.join(map(str, command))} failed:\n{result.stdout[-2000:]}\n{result.stderr[-6000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def kyky_prepare(timer: Timer) -> dict:
    for folder in ("media", "private", "mail"):
        shutil.rmtree(VAR / folder, ignore_errors=True)
        (VAR / folder).mkdir(parents=True)
    with timer(f"Kyky: fresh database {_name(DATABASE_URL)}, migrations, content, demo users, static files"):
        recreate_database(DATABASE_URL)
        manage("migrate", "--noinput")
        manage("import_content", "content/")
        manage("setup_demo")
        manage("collectstatic", "--noinput")
    with timer("Kyky: the scenario (bench/scenario.py)"):
        return run_json([PY, "-m", "bench.scenario"], ENV)


def peer_requirements() -> list[str]:
    """wagtail-lms pinned; the framework and server at exactly Kyky's versions, so only the apps differ."""
    shared = ["Django", "wagtail", "gunicorn", "psycopg", "psycopg-binary", "redis"]
    pins = [f"{name}=={importlib.metadata.version(name)}" for name in shared]
    return [f"wagtail-lms=={PEER_VERSION}", *pins]


def peer_install(timer: Timer) -> None:
    requirements = peer_requirements()
    marker = PEER_VAR / "venv" / ".bench-requirements"
    if marker.exists() and marker.read_text() == "\n".join(requirements):
        return
    with timer(f"Peer: virtual environment {PEER_VAR / 'venv'} with {' '.join(requirements)} from PyPI"):
        shutil.rmtree(PEER_VAR / "venv", ignore_errors=True)
        base = getattr(sys, "_base_executable", None) or shutil.which("python3.11") or PY
        subprocess.run([base, "-m", "venv", str(PEER_VAR / "venv")], check=True)
        result = subprocess.run(
            [str(PEER_PY), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", *requirements],
            capture_output=True,
            text=True,
        )
        if result.returncode:
            sys.exit(f"Installing the peer failed:\n{result.stdout}\n{result.stderr}")
        marker.write_text("\n".join(requirements))


def peer_prepare(timer: Timer) -> dict:
    peer_install(timer)
    shutil.rmtree(PEER_VAR / "media", ignore_errors=True)
    with timer(f"Peer: fresh database {_name(PEER_DATABASE_URL)}, migrations, static files"):
        recreate_database(PEER_DATABASE_URL)
        for args in (["migrate", "--noinput"], ["collectstatic", "--noinput"]):
            subprocess.run([str(PEER_PY), "-m", "django", *args], env=PEER_ENV, check=True, stdout=subprocess.DEVNULL)
    with timer("Peer: the scenario (bench/peer/setup.py)"):
        return run_json([str(PEER_PY), "-m", "peer.setup"], PEER_ENV)


def env_for(side: str, database_url: str) -> dict:
    """The environment of one application on one database, with that database's own cache."""
    if side == "kyky":
        return {**ENV, "DATABASE_URL": database_url, "CACHE_URL": CACHES[database_url]}
    return {**PEER_ENV, "PEER_DATABASE_URL": database_url, "CACHE_URL": CACHES[database_url]}


def kyky_setting(name: str) -> str:
    code = f"import django; django.setup(); from django.conf import settings; print(settings.{name})"
    return subprocess.run(
        [PY, "-c", code], cwd=ROOT, env=ENV, capture_output=True, text=True, check=True
    ).stdout.strip()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(side: str, database_url: str, conn_max_age: str = "600"):
    """gunicorn, the same settings for both sides: sync workers, bound to 127.0.0.1, warnings only."""
    port = free_port()
    python, app, env = (PY, "lms.wsgi", ENV) if side == "kyky" else (str(PEER_PY), "peer.wsgi", PEER_ENV)
    env = {**env_for(side, database_url), "CONN_MAX_AGE": conn_max_age}
    args = ["--workers", WORKERS, "--bind", f"127.0.0.1:{port}", "--log-level", "warning"]
    process = subprocess.Popen(
        [python, "-m", "gunicorn", app, *args, "--env", f"DJANGO_SETTINGS_MODULE={env['DJANGO_SETTINGS_MODULE']}"],
        cwd=ROOT,
        env=env,
    )
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/bench/minimal", timeout=2).read()
            return process, port
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                raise
            time.sleep(0.2)


def stop(process) -> None:
    process.terminate()
    process.wait(timeout=30)


# --- journeys -----------------------------------------------------------------------------------


def _cookies(sessions: list[str]) -> list[str]:
    return [f"sessionid={s}; csrftoken={CSRF}" for s in sessions]


def _statement_post(target: dict, sessions: list[str], verb: str) -> dict:
    from bench.peer.shared import statement

    return {
        "method": "POST",
        "path": target["path"],
        "body": json.dumps(statement(verb, target["iri"], "{uuid}"), ensure_ascii=False),
        "headers": {"Content-Type": "application/json", "X-CSRFToken": CSRF},
        "cookies": _cookies(sessions),
    }


def journeys(kyky: dict, peer: dict | None) -> list[dict]:
    """Every journey: its Kyky request, the peer's equivalent (None if the peer has none), its target.

    ``target`` is the least throughput as a share of the minimal view's (the issue's numbers); a
    journey with a target also has to keep p99 under 100 ms at 16 connections.
    """

    def get(path, sessions=None):
        return {"path": path, "cookies": _cookies(sessions) if sessions else None}

    k, p = kyky, peer or {}
    staff = [kyky["staff_session"]]
    cohort = f"/fi/organisation/cohorts/{k['cohort_id']}/"
    answer = {
        "method": "POST",
        "path": k["answer"]["path"],
        "body": "option={alt}",  # each request changes the answer, so each is a real write
        "headers": {"Content-Type": "application/x-www-form-urlencoded", "X-CSRFToken": CSRF},
        "cookies": _cookies(k["answer_sessions"]),
        "expect": [302],
    }
    hand_in = {
        "method": "POST",
        "path": k["hand_in"]["path"],
        "body": "action=save&text=Luonnos+{alt}",  # each save changes the draft's text: a real write
        "headers": {"Content-Type": "application/x-www-form-urlencoded", "X-CSRFToken": CSRF},
        "cookies": _cookies(k["draft_sessions"]),
        "expect": [302],
    }
    exam_answer = {
        "method": "POST",
        "path": k["exam_answer_paths"][0],
        "paths": k["exam_answer_paths"],  # connection i is learner i, answering in their own attempt
        "body": "question=q0&q-q0={alt}",  # each request changes the answer: a real write
        "headers": {
            "Content-Type": "application/x-www-form-urlencoded",
            "Accept": "application/json",  # as the attempt page's script saves an answer
            "X-CSRFToken": CSRF,
        },
        "cookies": _cookies(k["exam_sessions"]),
    }
    exam_start = {
        "method": "POST",
        "path": k["exam_start"]["path"],
        "headers": {"X-CSRFToken": CSRF},
        "cookies": _cookies(k["exam_starter_sessions"]),
        "expect": [302],
    }
    rows = [
        ("minimal", "minimal Django view", None, get("/bench/minimal")),
        ("lesson_done", "lesson page, a lesson done", 0.10, get(k["lesson_done"], k["sessions"])),
        ("lesson_current", "lesson page, the lesson in progress", 0.10, get(k["lesson_current"], k["sessions"])),
        ("course", "training / course page", None, get(k["course"], k["sessions"])),
        ("dashboard", "dashboard", 0.10, get(k["dashboard"], k["sessions"])),
        ("verify", "verification page", 0.25, get(f"/verify/{k['verify_code']}/")),
        ("cohort", f"cohort page ({COHORT_LEARNERS} learners)", None, get(cohort, staff)),
        ("export", f"cohort export XLSX ({COHORT_LEARNERS})", None, get(f"{cohort}export.xlsx", staff)),
        ("xapi_interacted", "xAPI statement POST, new 'interacted'", 0.20,
         _statement_post(k["statement_current"], k["sessions"], "interacted")),
        ("xapi_completed", "xAPI 'completed' again, lesson done", 0.20,
         _statement_post(k["statement_done"], k["sessions"], "completed")),
        ("answer", "answer POST (server-checked question)", 0.20, answer),
        ("reviews", f"review queue ({REVIEWS} waiting)", None, get("/fi/reviews/", staff)),
        ("hand_in", "assignment draft POST", None, hand_in),
        ("exam_start", "exam: start an attempt (+1 DELETE)", None, exam_start),
        ("exam_answer", "exam: save an answer POST", None, exam_answer),
        ("floor_write", "floor: session, user, one INSERT", None,
         {**_statement_post(k["statement_current"], k["sessions"], "interacted"), "path": "/bench/floor-write"}),
    ]  # fmt: skip
    if peer:
        peers = {
            "minimal": get("/bench/minimal"),
            "lesson_done": get(p["lesson_done"], p["sessions"]),
            "lesson_current": get(p["lesson_current"], p["sessions"]),
            "course": get(p["course"], p["sessions"]),
            "dashboard": get(p["dashboard"], p["sessions"]),
            "xapi_interacted": _statement_post(p["statement_current"], p["sessions"], "interacted"),
            "xapi_completed": _statement_post(p["statement_done"], p["sessions"], "completed"),
        }
    else:
        peers = {}
    return [
        {"key": key, "label": label, "target": target, "kyky": spec, "peer": peers.get(key)}
        for key, label, target, spec in rows
    ]


def load(port: int, spec: dict, concurrency: int, seconds: float) -> dict:
    request = {"host": "127.0.0.1", "port": port, "concurrency": concurrency, "seconds": seconds, **spec}
    out = subprocess.run(
        [PY, str(ROOT / "bench" / "load.py"), json.dumps(request)], check=True, capture_output=True, text=True
    ).stdout
    return json.loads(out)


def merge(rounds: list[dict]) -> dict:
    from bench.load import summary

    latencies = sorted(x for r in rounds for x in r["latencies_ms"])
    statuses: dict[str, int] = {}
    for r in rounds:
        for status, count in r["statuses"].items():
            statuses[status] = statuses.get(status, 0) + count
    first_error = next((r["first_error"] for r in rounds if r["first_error"]), None)
    elapsed, errors = sum(r["elapsed"] for r in rounds), sum(r["errors"] for r in rounds)
    return summary(latencies, elapsed, errors, statuses, first_error)


def measure(servers: dict[str, tuple[int, str]], plan: list[dict], label: str) -> dict:
    """Each journey at each concurrency, GETs first, then the POSTs.

    ``servers`` maps a name to its port and the side whose requests it gets ("kyky" or "peer").
    For each journey the servers take turns: a warm-up each, then ``ROUNDS`` rounds of
    ``SECONDS / ROUNDS`` seconds, one after the other, merged. Whatever else the machine does during
    a journey falls on all of them alike.
    """
    results: dict = {name: {} for name in servers}
    for concurrency in CONCURRENCY:
        for journey in plan:
            turns = [(name, port, journey[side]) for name, (port, side) in servers.items() if journey[side] is not None]
            for _name, port, spec in turns:
                load(port, spec, concurrency, WARMUP_SECONDS)
            rounds: dict[str, list] = {name: [] for name, _port, _spec in turns}
            for _round in range(ROUNDS):
                for name, port, spec in turns:
                    rounds[name].append(load(port, {**spec, "raw": True}, concurrency, SECONDS / ROUNDS))
            for name, _port, _spec in turns:
                row = merge(rounds[name])
                results[name].setdefault(journey["key"], {})[f"c{concurrency}"] = row
                note = f"  {row['errors']} errors, first: {row['first_error']}" if row["errors"] else ""
                log(
                    f"  {label} {name:<10} c={concurrency:<2} {journey['label']:<42} {row['rps']:8.1f} req/s "
                    f"p50 {row['p50_ms']:7.2f} ms p99 {row['p99_ms']:8.2f} ms{note}"
                )
    return results


def measure_scale(databases: dict[str, tuple[str, str]], plan: list[dict], label: str) -> dict:
    """Serve each database (name: (side, url)) with its application, then measure them in turns."""
    servers, processes = {}, []
    try:
        for name, (side, url) in databases.items():
            process, port = serve(side, url)
            processes.append(process)
            servers[name] = (port, side)
        return measure(servers, plan, label)
    finally:
        for process in processes:
            stop(process)


def per_request(plan: list[dict]) -> dict:
    """The same GET pages with a database connection per request (CONN_MAX_AGE=0), at the first concurrency."""
    process, port = serve("kyky", DATABASE_URL, conn_max_age="0")
    try:
        out = {}
        for journey in plan:
            if journey["key"] in {"lesson_done", "dashboard", "verify", "course"}:
                load(port, journey["kyky"], CONCURRENCY[0], WARMUP_SECONDS)
                out[journey["key"]] = load(port, journey["kyky"], CONCURRENCY[0], SECONDS)
        return out
    finally:
        stop(process)


def capture(side: str, database_url: str, plan: list[dict], explain: bool) -> dict:
    """Each journey once in-process (``bench/capture.py``): its queries, and with ``explain`` their plans."""
    journeys = [{"key": j["key"], "label": j["label"], **j[side]} for j in plan if j[side] and j["key"] != "minimal"]
    command = [PY, "-m", "bench.capture"] if side == "kyky" else [str(PEER_PY), "-m", "capture"]
    env = env_for(side, database_url)
    result = subprocess.run(
        command,
        input=json.dumps({"journeys": journeys, "explain": explain}),
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    if result.returncode:
        log(f"Capturing {side}'s queries failed: {result.stderr[-3000:]}")
        return {"error": result.stderr[-3000:]}
    return json.loads(result.stdout.strip().splitlines()[-1])


# --- workers ------------------------------------------------------------------------------------

CERTIFICATE_BATCH = """
from django.contrib.auth import get_user_model
from django.utils import timezone
from lms.courses.models import Enrolment, TrainingPage
training = TrainingPage.objects.get(locale__language_code="fi", slug="tyokyvyn-tuki")
User = get_user_model()
ids = []
for n in range({count}):
    user = User.objects.create_user(email=f"bench{{n}}-{{timezone.now().timestamp()}}@example.com",
                                    certificate_name=f"Bench {{n}}")
    enrolment = Enrolment.objects.create(user=user, training=training, completed_at=timezone.now(), status="completed")
    ids.append(enrolment.pk)
print(",".join(map(str, ids)))
"""

CERTIFICATE_WAIT = """
import time
from lms.certificates.models import Certificate
from lms.certificates.tasks import issue_certificate
ids = [{ids}]
start = time.perf_counter()
for pk in ids:
    issue_certificate.delay(pk)
while Certificate.objects.filter(enrolment_id__in=ids).exclude(emailed_at=None).count() < len(ids):
    if time.perf_counter() - start > 600:
        raise SystemExit("the worker did not finish in 10 minutes")
    time.sleep(0.05)
print(len(ids) / (time.perf_counter() - start))
"""

IMPORT_RUN = """
import time
from django.core.files.uploadedfile import SimpleUploadedFile
from lms.organisations.models import Cohort, RosterImport
from lms.organisations.services import roster_import_start
cohort = Cohort.objects.get(name="Bench")
lines = ["Nimi;Sähköposti;Opiskelijanumero"] + [f"Tuonti {{n}};tuonti{{n}}@example.com;{{n}}" for n in range({rows})]
start = time.perf_counter()
roster_import = roster_import_start(cohort=cohort, upload=SimpleUploadedFile("bench.csv", "\\n".join(lines).encode()),
                                    user=None)
while RosterImport.objects.get(pk=roster_import.pk).status not in ("done", "failed"):
    if time.perf_counter() - start > 1200:
        raise SystemExit("the import did not finish in 20 minutes")
    time.sleep(0.2)
print(time.perf_counter() - start, RosterImport.objects.get(pk=roster_import.pk).rows.count())
"""


FORWARD_RUN = """
import time
import uuid
from lms.courses.models import Enrolment, TrainingPage
from lms.h5p.models import XAPIStatement
from lms.lrs.models import Delivery, LRSEndpoint
from lms.lrs.services import forward_all
from lms.records import events
training = TrainingPage.objects.get(locale__language_code="fi", slug="tyokyvyn-tuki")
enrolment = Enrolment.objects.filter(training=training).first()
rows = []
for n in range({count}):
    statement = events._statement(enrolment, "completed", {{"objectType": "Activity", "id": f"http://127.0.0.1/bench/{{n}}"}})
    statement["id"] = str(uuid.uuid4())
    rows.append(XAPIStatement(statement_id=statement["id"], user_id=enrolment.user_id, enrolment=enrolment,
                              activity=None, verb=statement["verb"]["id"], statement=statement))
XAPIStatement.objects.bulk_create(rows)
LRSEndpoint.objects.all().delete()
endpoint = LRSEndpoint.objects.create(name="Ralph", url="{url}", username="{username}", secret="{secret}")
start = time.perf_counter()
while True:  # until every statement in the store (the bench's and any earlier) is sent
    forward_all()
    sent = Delivery.objects.filter(endpoint=endpoint, state="sent").count()
    if sent >= {count} and not Delivery.objects.filter(endpoint=endpoint).exclude(state="sent").exists():
        break
    if time.perf_counter() - start > 600:
        raise SystemExit("forwarding did not finish in 10 minutes")
seconds = time.perf_counter() - start
print(sent, sent / seconds)
"""


def shell(code: str, env: dict) -> str:
    """Run Python in ``manage.py shell`` and return what it printed; show its errors if it fails."""
    result = subprocess.run(
        [PY, "manage.py", "shell", "--no-imports", "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if result.returncode:
        sys.exit(result.stderr)
    return result.stdout


def worker(broker: str, concurrency: str):
    return subprocess.Popen(
        [PY, "-m", "celery", "-A", "lms", "worker", "--concurrency", concurrency, "--loglevel", "WARNING"],
        cwd=ROOT,
        env={**ENV, "CELERY_BROKER_URL": broker},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def certificate_throughput() -> dict:
    """Enqueue certificates for completed enrolments and time a real worker until all are e-mailed."""
    stale = redis_flush(CERTIFICATE_BROKER)
    env = {**ENV, "CELERY_BROKER_URL": CERTIFICATE_BROKER}
    process = worker(CERTIFICATE_BROKER, WORKERS)
    try:
        ids = shell(CERTIFICATE_BATCH.format(count=CERTIFICATES), ENV).split()[-1]
        per_second = float(shell(CERTIFICATE_WAIT.format(ids=ids), env).split()[-1])
    finally:
        stop(process)
        redis_flush(CERTIFICATE_BROKER)
    return {"count": CERTIFICATES, "per_second": per_second, "stale_messages_purged_before": stale}


def import_throughput() -> dict:
    """Import a student list through a real worker; the invitations it queues are purged afterwards."""
    stale = redis_flush(IMPORT_BROKER)
    env = {**ENV, "CELERY_BROKER_URL": IMPORT_BROKER}
    process = worker(IMPORT_BROKER, "1")
    try:
        seconds, rows = shell(IMPORT_RUN.format(rows=IMPORT_ROWS), env).split()[-2:]
    finally:
        stop(process)
        left = redis_flush(IMPORT_BROKER)
    return {
        "rows": IMPORT_ROWS,
        "recorded": int(rows),
        "seconds": float(seconds),
        "emails_left_queued_and_purged": left,
        "stale_messages_purged_before": stale,
    }


def forwarding_throughput() -> dict:
    """Statements forwarded from Kyky's outbox to a real LRS on loopback (Ralph, its file-system
    backend), by the forwarding job itself: queued, batched, posted, recorded as sent."""
    import tempfile

    from tests.lrs.ralph_server import PASSWORD, USERNAME, Ralph

    with tempfile.TemporaryDirectory(dir=VAR) as folder:
        lrs = Ralph(Path(folder))
        lrs.start()
        try:
            code = FORWARD_RUN.format(count=FORWARDS, url=lrs.url, username=USERNAME, secret=PASSWORD)
            sent, per_second = shell(code, {**ENV, "LRS_ALLOW_LOOPBACK": "1"}).split()[-2:]
            received = len(lrs.stored())
        finally:
            lrs.stop()
    return {"count": int(sent), "per_second": float(per_second), "received": received}


# --- the report ---------------------------------------------------------------------------------


def machine() -> dict:
    def first(path: str, key: str) -> str:
        try:
            for line in Path(path).read_text().splitlines():
                if line.startswith(key):
                    return line.split(":", 1)[1].strip()
        except OSError:
            pass
        return ""

    memory_kb = first("/proc/meminfo", "MemTotal").split()[0] if first("/proc/meminfo", "MemTotal") else "0"
    return {
        "cpu": first("/proc/cpuinfo", "model name") or platform.processor(),
        "cores": os.cpu_count(),
        "memory_gb": round(int(memory_kb) / 1024 / 1024, 1),
        "system": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "postgresql": sql(DATABASE_URL.rsplit("/", 1)[0] + "/postgres", "SHOW server_version")[0][0],
        "load_average_at_start": os.getloadavg()[0],
    }


def versions() -> dict:
    def git(*args):
        result = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True)
        return result.stdout.strip()

    kyky = {name: importlib.metadata.version(name) for name in ("kyky", "Django", "wagtail", "gunicorn", "psycopg")}
    kyky["commit"] = git("rev-parse", "--short", "HEAD") + (
        " (with uncommitted changes)" if git("status", "--porcelain", "--", "lms", "templates", "static") else ""
    )
    peer = {}
    if WITH_PEER and PEER_PY.exists():
        code = "import importlib.metadata as m, json; print(json.dumps({n: m.version(n) for n in "
        code += "('wagtail-lms', 'Django', 'wagtail', 'gunicorn', 'psycopg')}))"
        peer = json.loads(subprocess.run([str(PEER_PY), "-c", code], capture_output=True, text=True, check=True).stdout)
    return {"kyky": kyky, "peer": peer}


def servers(*, small: bool) -> list[tuple[str, str]]:
    kyky = ("kyky", DATABASE_URL if small else NATIONAL_DATABASE_URL)
    peer = ("peer", PEER_DATABASE_URL if small else PEER_NATIONAL_DATABASE_URL)
    return [kyky, peer] if WITH_PEER else [kyky]


def quick_report(results: dict, plan: list[dict]) -> None:
    """Only the tables, on stdout: a reused setup's numbers are for the person working, not for the README."""
    print()
    print(report.text(results, plan))


def main():
    national = SCALE == "national"
    timer = Timer()
    started = time.perf_counter()
    VAR.mkdir(parents=True, exist_ok=True)
    results: dict = {
        "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "scale": SCALE,
        "machine": machine(),
        "settings": {
            "gunicorn_workers": int(WORKERS),
            "concurrency": CONCURRENCY,
            "seconds_per_row": SECONDS,
            "warmup_seconds": WARMUP_SECONDS,
            "rounds": ROUNDS,
            "cohort_learners": COHORT_LEARNERS,
        },
    }
    if results["machine"]["load_average_at_start"] > 0.5:
        log(f"Note: the load average is {results['machine']['load_average_at_start']:.2f}: something else is running.")
    if national:
        from bench import national as seeding

        plan_counts = seeding.plan(ROOT, with_peer=WITH_PEER)
        results["national_plan"] = plan_counts
        log(f"Disk: {plan_counts['free_gb']} GB free, the seed needs about {plan_counts['needed_gb']} GB; "
            f"scale {plan_counts['factor']:.2f}")  # fmt: skip

    for url in (*CACHES.values(), CERTIFICATE_BROKER, IMPORT_BROKER):
        redis_flush(url)
    # Deployment choices are the same for both: the peer's sessions use the engine Kyky's settings use.
    PEER_ENV["SESSION_ENGINE"] = results["settings"]["session_engine"] = kyky_setting("SESSION_ENGINE")
    if REUSE:
        # The small database is set up anew by every run, national or not: its scenario is the newest file's.
        newest = max(VAR.glob("latest*.json"), key=lambda path: path.stat().st_mtime)
        last = json.loads(newest.read_text())["scenario"]
        kyky, peer = last["kyky"], (last["peer"] if WITH_PEER else None)
        log("Reusing the databases and scenario of the last run (BENCH_REUSE=1): a quick look, not a report.")
    else:
        with concurrent.futures.ThreadPoolExecutor(2) as pool:  # the two setups are independent: run them together
            kyky_setup = pool.submit(kyky_prepare, timer)
            peer_setup = pool.submit(peer_prepare, timer) if WITH_PEER else None
            kyky = kyky_setup.result()
            peer = peer_setup.result() if peer_setup else None
    results["scenario"] = {"kyky": kyky, "peer": peer}
    results["versions"] = versions()
    if national:
        with timer("National: copying both databases as the starting point of the seed"):
            recreate_database(NATIONAL_DATABASE_URL, template=DATABASE_URL)
            if peer:
                recreate_database(PEER_NATIONAL_DATABASE_URL, template=PEER_DATABASE_URL)

    plan = [j for j in journeys(kyky, peer) if not ONLY or j["key"] in ONLY | {"minimal"}]
    results["journeys"] = [
        {"key": j["key"], "label": j["label"], "target": j["target"], "shared": j["peer"] is not None} for j in plan
    ]
    with timer("Measuring every journey, Kyky and wagtail-lms side by side"):
        databases = {"kyky": ("kyky", DATABASE_URL)}
        if peer:
            databases["peer"] = ("peer", PEER_DATABASE_URL)
        results["small"] = measure_scale(databases, plan, "small")
    if REUSE:
        return quick_report(results, plan)
    with timer("Queries of each journey (Django's CaptureQueriesContext, one request each)"):
        results["queries"] = {side: capture(side, url, plan, explain=False) for side, url in servers(small=True)}
    if PER_REQUEST:
        with timer("Kyky with a database connection per request (CONN_MAX_AGE=0)"):
            results["per_request"] = per_request(plan)
    with timer(f"Certificates through a real Celery worker ({CERTIFICATES})"):
        results["certificates"] = certificate_throughput()
    with timer(f"Importing a {IMPORT_ROWS}-row student list through a real worker"):
        results["import"] = import_throughput()
    with timer(f"Forwarding {FORWARDS} statements to a real LRS (Ralph on loopback)"):
        results["forwarding"] = forwarding_throughput()

    if national:
        from bench import national as seeding

        with timer("National: seeding Kyky's database with bulk SQL"):
            results["seed_kyky"] = seeding.seed_kyky(NATIONAL_DATABASE_URL, kyky, plan_counts)
        if peer:
            with timer("National: seeding the peer's database with bulk SQL"):
                results["seed_peer"] = seeding.seed_peer(PEER_NATIONAL_DATABASE_URL, peer, plan_counts)
        with timer("National: every journey again, taking turns with Kyky on the small database"):
            databases = {"kyky": ("kyky", NATIONAL_DATABASE_URL), "kyky_small": ("kyky", DATABASE_URL)}
            if peer:
                databases["peer"] = ("peer", PEER_NATIONAL_DATABASE_URL)
            results["national"] = measure_scale(databases, plan, "national")
        with timer("National: EXPLAIN (ANALYZE, BUFFERS) of every query of every journey"):
            results["explain"] = {side: capture(side, url, plan, explain=True) for side, url in servers(small=False)}

    results["phases"] = timer.phases
    results["total_seconds"] = round(time.perf_counter() - started, 1)
    results["machine"]["load_average_at_end"] = os.getloadavg()[0]
    path = VAR / ("latest-national.json" if national else "latest.json")
    path.write_text(json.dumps(results, indent=2, ensure_ascii=False))
    print()
    print(report.text(results, plan))
    if national:
        (VAR / "explain-national.txt").write_text(report.explain_text(results["explain"]))
        log(f"Every plan: {VAR / 'explain-national.txt'}")
    log(f"Results: {path}")
    if os.environ.get("BENCH_README", "1") == "1":
        report.readme_update(ROOT / "bench" / "README.md", results, plan)
        log("bench/README.md updated with these tables.")
    errors = [
        (scale, side, key)
        for scale in ("small", "national")
        for side, rows in (results.get(scale) or {}).items()
        for key, by_c in rows.items()
        for row in by_c.values()
        if row["errors"]
    ]
    if errors:
        sys.exit(f"Some requests failed (see the errors column and 'first_error' in {path}): {sorted(set(errors))}")


if __name__ == "__main__":
    main()

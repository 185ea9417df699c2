"""Kyky's benchmarks: one command, ratios measured side by side in one run (``make bench``).

It builds a fresh PostgreSQL database with the real content and a learner part-way through a
training, serves it with gunicorn exactly as in production (plus a minimal view), and drives each
page from a separate process on 127.0.0.1. Absolute numbers depend on the machine; the ratios to
the minimal view, measured in the same run on the same server, are what to compare over time.

Environment: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/kyky_bench),
BENCH_SECONDS (8), BENCH_CONCURRENCY (4), BENCH_WORKERS (2 gunicorn workers).
"""

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/kyky_bench")
SECONDS = os.environ.get("BENCH_SECONDS", "8")
CONCURRENCY = os.environ.get("BENCH_CONCURRENCY", "4")
WORKERS = os.environ.get("BENCH_WORKERS", "2")
ENV = {
    **os.environ,
    "DJANGO_SETTINGS_MODULE": "bench.settings",
    "DATABASE_URL": DATABASE_URL,
    "SECRET_KEY": "bench-only-" + "k" * 50,
    "ALLOWED_HOSTS": "127.0.0.1,localhost",
    "BASE_URL": "http://127.0.0.1:8000",
    "H5P_ORIGIN": "http://localhost:8000",
    "CELERY_BROKER_URL": "",
    "PYTHONPATH": str(ROOT),
    "EMAIL_FILE_PATH": tempfile.mkdtemp(prefix="kyky-bench-mail-"),  # mails to files, not to stdout
}


def manage(*args, env=None):
    subprocess.run([PY, "manage.py", *args], cwd=ROOT, env=env or ENV, check=True, stdout=subprocess.DEVNULL)


def recreate_database():
    import psycopg

    url = DATABASE_URL.rsplit("/", 1)
    with psycopg.connect(f"{url[0]}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{url[1]}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{url[1]}"')


PREPARE = """
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.contrib.sessions.backends.db import SessionStore
from lms.courses import services
from lms.courses.models import LessonPage, TrainingPage

user = get_user_model().objects.get(email="learner@example.com")
training = TrainingPage.objects.get(locale__language_code="fi", slug="tyokykykoordinaattorikoulutus")
enrolment = services.enrolment_create(user=user, training=training)
lessons = list(LessonPage.objects.live().descendant_of(training).order_by("path"))
for lesson in lessons[:4]:
    services.lesson_open(enrolment=enrolment, lesson=lesson)
for other in TrainingPage.objects.filter(locale__language_code="fi", prerequisites__isnull=True):
    services.enrolment_create(user=user, training=other)
other = TrainingPage.objects.get(locale__language_code="fi", slug="tyokyvyn-tuki")
done = services.enrolment_create(user=user, training=other)
from django.utils import timezone
from lms.certificates.services import certificate_issue
type(done).objects.filter(pk=done.pk).update(completed_at=timezone.now(), status="completed")
code = certificate_issue(enrolment_id=done.pk).display_code
session = SessionStore()
session[SESSION_KEY] = str(user.pk)
session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
session[HASH_SESSION_KEY] = user.get_session_auth_hash()
session.create()
print(session.session_key, lessons[0].url, code)
"""

CERTIFICATE_BATCH = """
import datetime
from django.contrib.auth import get_user_model
from django.utils import timezone
from lms.courses.models import Enrolment, TrainingPage
training = TrainingPage.objects.get(locale__language_code="fi", slug="tyokyvyn-tuki")
User = get_user_model()
ids = []
for n in range({count}):
    user = User.objects.create_user(
        email=f"bench{{n}}-{{timezone.now().timestamp()}}@example.com", certificate_name=f"Bench {{n}}"
    )
    enrolment = Enrolment.objects.create(user=user, training=training, completed_at=timezone.now(), status="completed")
    ids.append(enrolment.pk)
print(",".join(map(str, ids)))
"""


def shell(code: str, env: dict) -> str:
    """Run Python in ``manage.py shell`` and return what it printed; show its errors if it fails."""
    result = subprocess.run(
        [PY, "manage.py", "shell", "--no-imports", "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if result.returncode:
        sys.exit(result.stderr)
    return result.stdout


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(conn_max_age: str):
    port = free_port()
    env = {**ENV, "CONN_MAX_AGE": conn_max_age}
    process = subprocess.Popen(
        [
            PY,
            "-m",
            "gunicorn",
            "lms.wsgi",
            "--workers",
            WORKERS,
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "--env",
            "DJANGO_SETTINGS_MODULE=bench.settings",
        ],
        cwd=ROOT,
        env=env,
    )
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/bench/minimal", timeout=2).read()
            return process, port
        except OSError:
            if time.monotonic() > deadline:
                process.kill()
                raise
            time.sleep(0.2)


def load(port: int, path: str, cookie: str) -> dict:
    subprocess.run(
        [PY, str(ROOT / "bench" / "load.py"), "127.0.0.1", str(port), path, cookie, CONCURRENCY, "1"],
        check=True,
        capture_output=True,
    )  # warm-up
    out = subprocess.run(
        [PY, str(ROOT / "bench" / "load.py"), "127.0.0.1", str(port), path, cookie, CONCURRENCY, SECONDS],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(out)


COHORT_SETUP = """
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.contrib.sessions.backends.db import SessionStore
from django.utils import timezone
from lms.courses.models import Enrolment, LessonPage, LessonProgress, ModulePage, TrainingPage
from lms.organisations.models import Cohort, CohortLearner, Membership, Organisation
index = TrainingPage.objects.get(locale__language_code="fi", slug="tyokyvyn-tuki").get_parent()
training = index.add_child(instance=TrainingPage(title="Bench 40", slug="bench-40", summary="x"))
for m in range(4):
    module = training.add_child(instance=ModulePage(title=f"M{{m}}", slug=f"m{{m}}"))
    for n in range(10):
        module.add_child(instance=LessonPage(title=f"L{{m}}-{{n}}", slug=f"l{{n}}"))
User = get_user_model()
organisation = Organisation.objects.create(name="Bench AMK", kind="uas")
staff = User.objects.create_user(email="bench-staff@example.com", password="x")
Membership.objects.create(organisation=organisation, user=staff, role="admin")
cohort = Cohort.objects.create(organisation=organisation, training=training, name="Bench", study_mode="degree")
users = User.objects.bulk_create([User(email=f"c{{n}}@example.com", certificate_name=f"Oppija {{n}}", password="!")
                                  for n in range({learners})])
enrolments = Enrolment.objects.bulk_create([Enrolment(user=u, training=training) for u in users])
CohortLearner.objects.bulk_create(
    [CohortLearner(cohort=cohort, user=u, student_number=str(n)) for n, u in enumerate(users)]
)
keys = list(LessonPage.objects.descendant_of(training).values_list("translation_key", flat=True))
LessonProgress.objects.bulk_create([LessonProgress(enrolment=e, lesson_key=k, status="completed",
    completed_at=timezone.now()) for i, e in enumerate(enrolments) for k in keys[: i % 41]])
session = SessionStore()
session[SESSION_KEY] = str(staff.pk)
session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
session[HASH_SESSION_KEY] = staff.get_session_auth_hash()
session.create()
print(session.session_key, cohort.pk)
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
COHORT_LEARNERS = int(os.environ.get("BENCH_COHORT_LEARNERS", "2000"))
IMPORT_ROWS = int(os.environ.get("BENCH_IMPORT_ROWS", "10000"))
CERTIFICATES = int(os.environ.get("BENCH_CERTIFICATES", "40"))
BROKER = os.environ.get("BENCH_BROKER_URL", "redis://127.0.0.1:6379/14")


def certificate_throughput() -> float:
    """Enqueue certificates for completed enrolments and time a real worker until all exist."""
    env = {**ENV, "CELERY_BROKER_URL": BROKER}
    worker = subprocess.Popen(
        [PY, "-m", "celery", "-A", "lms", "worker", "--concurrency", WORKERS, "--loglevel", "WARNING"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        ids = shell(CERTIFICATE_BATCH.format(count=CERTIFICATES), ENV).split()[-1]
        enqueue_and_wait = f"""
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
        out = shell(enqueue_and_wait, env).split()[-1]
        return float(out)
    finally:
        worker.terminate()
        worker.wait(timeout=30)


def import_throughput() -> tuple[float, int]:
    env = {**ENV, "CELERY_BROKER_URL": BROKER}
    worker = subprocess.Popen(
        [PY, "-m", "celery", "-A", "lms", "worker", "--concurrency", "1", "--loglevel", "WARNING"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        seconds, rows = shell(IMPORT_RUN.format(rows=IMPORT_ROWS), env).split()[-2:]
        return float(seconds), int(rows)
    finally:
        worker.terminate()
        worker.wait(timeout=30)


def main():
    print(f"Preparing {DATABASE_URL} (migrate, import content, demo users)...", flush=True)
    recreate_database()
    manage("migrate", "--noinput")
    manage("import_content", "content/")
    manage("setup_demo")
    manage("collectstatic", "--noinput")
    session, lesson_url, code = shell(PREPARE, ENV).split()[-3:]
    staff_session, cohort_id = shell(COHORT_SETUP.format(learners=COHORT_LEARNERS), ENV).split()[-2:]
    staff_cookie = f"sessionid={staff_session}"
    cookie = f"sessionid={session}"
    journeys = [
        ("minimal Django view", "/bench/minimal", ""),
        ("lesson page (learner)", lesson_url, cookie),
        ("dashboard (learner)", "/fi/learn/", cookie),
        ("verification page", f"/verify/{code}/", ""),
        (
            f"cohort page ({COHORT_LEARNERS} learners, 40 lessons)",
            f"/fi/organisation/cohorts/{cohort_id}/",
            staff_cookie,
        ),
        (
            f"cohort export XLSX ({COHORT_LEARNERS} learners)",
            f"/fi/organisation/cohorts/{cohort_id}/export.xlsx",
            staff_cookie,
        ),
    ]
    results = {}
    for label, conn_max_age in (("persistent", "600"), ("per-request", "0")):
        process, port = serve(conn_max_age)
        try:
            results[label] = {name: load(port, path, c) for name, path, c in journeys}
        finally:
            process.terminate()
            process.wait(timeout=20)

    certificates_per_second = certificate_throughput()
    import_seconds, imported = import_throughput()
    persistent = results["persistent"]
    floor = persistent["minimal Django view"]
    print(
        f"\ngunicorn {WORKERS} workers, {CONCURRENCY} client connections, {SECONDS}s per row, PostgreSQL, "
        "persistent DB connections (CONN_MAX_AGE=600)"
    )
    print(
        f"{'journey':<44}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'throughput ÷ minimal':>23}{'p50 × minimal':>15}"
        f"{'errors':>8}"
    )
    for name, row in persistent.items():
        print(
            f"{name:<44}{row['rps']:>9.1f}{row['p50_ms']:>9.2f}{row['p99_ms']:>9.2f}"
            f"{row['rps'] / floor['rps']:>23.3f}{row['p50_ms'] / floor['p50_ms']:>15.2f}{row['errors']:>8}"
        )
    print("\nPersistent vs per-request database connections (same pages, same run):")
    for name in persistent:
        if name == "minimal Django view":
            continue
        ratio = persistent[name]["rps"] / results["per-request"][name]["rps"]
        print(f"  {name:<44} {ratio:.2f}x the throughput with CONN_MAX_AGE=600")
    print(
        f"\nCertificates issued end to end through a real Celery worker over Redis ({CERTIFICATES} certificates: "
        f"freeze, PDF, e-mail): {certificates_per_second:.1f}/s = {certificates_per_second / floor['rps']:.4f} x the "
        "minimal view's requests per second"
    )
    print(
        f"Importing a {IMPORT_ROWS}-row student list through a real worker: {import_seconds:.1f} s "
        f"({imported / import_seconds:.0f} rows/s, {imported} rows recorded)"
    )
    if any(row["errors"] for run in results.values() for row in run.values()):
        sys.exit("Some requests failed: see the errors column.")


if __name__ == "__main__":
    main()

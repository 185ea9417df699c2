"""A real Celery worker over Redis runs our tasks against the test database."""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.db import connection

from lms.celery import app
from lms.courses.models import Enrolment
from lms.courses.tasks import send_enrolment_email
from tests.factories import UserFactory, build_training

ROOT = Path(__file__).resolve().parent.parent

pytestmark = [
    pytest.mark.worker,
    pytest.mark.skipif(not os.environ.get("CELERY_BROKER_URL"), reason="set CELERY_BROKER_URL to run a real worker"),
    pytest.mark.skipif(
        not os.environ.get("DATABASE_URL", "").startswith("postgres"),
        reason="the worker process needs a shared database server (PostgreSQL)",
    ),
]


def _database_url() -> str:
    s = connection.settings_dict
    return f"postgres://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def _consumes(queue: str) -> bool:
    active = app.control.inspect(timeout=1).active_queues() or {}
    return any(q["name"] == queue for queues in active.values() for q in queues)


@pytest.fixture
def worker(tmp_path):
    """Start ``celery worker`` on a queue of its own, against the test database."""
    queue = f"kyky-test-{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "lms.settings.test",
        "DATABASE_URL": _database_url(),
        "EMAIL_FILE_PATH": str(tmp_path / "mail"),
    }
    process = subprocess.Popen(
        # A node name of its own: tests on other cores (make test runs them in parallel) start workers too.
        [sys.executable, "-m", "celery", "-A", "lms", "worker", "-P", "solo", "-Q", queue, "-n", f"{queue}@%h"]
        + ["--loglevel", "WARNING"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    try:
        deadline = time.monotonic() + 60
        while not _consumes(queue):
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the worker did not start:\n{process.stdout.read() if process.stdout else ''}")
        yield queue, tmp_path / "mail"
    finally:
        app.conf.task_always_eager = eager
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.mark.django_db(transaction=True)
def test_enrolment_email_goes_through_a_real_worker_once(homes, worker):
    from lms.courses.models import TrainingIndexPage

    queue, mail_dir = worker
    index = homes["fi"].add_child(instance=TrainingIndexPage(title="Koulutukset", slug="koulutukset"))
    training = build_training(index, title="Työkyvyn tuki")
    learner = UserFactory(preferred_language="sv")
    enrolment = Enrolment.objects.create(user=learner, training=training)

    first = send_enrolment_email.apply_async(args=[enrolment.pk], queue=queue).get(timeout=60)
    second = send_enrolment_email.apply_async(args=[enrolment.pk], queue=queue).get(timeout=60)

    assert (first, second) == (True, False)
    enrolment.refresh_from_db()
    assert enrolment.notified_at is not None
    messages = list(mail_dir.iterdir())
    assert len(messages) == 1
    text = messages[0].read_text()
    assert learner.email in text
    assert "V=C3=A4lkommen" in text or "Välkommen" in text  # the learner's language

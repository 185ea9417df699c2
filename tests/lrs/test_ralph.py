"""A real LRS: Ralph (PyPI ``ralph-malph``) with its file-system backend, run as a local server.

Statements stored in Kyky arrive complete, with their learners' own times, exactly once, across
an outage of the LRS and a repeated send whose answer was lost.
"""

import importlib.util
import json
import os
import socket
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

import bcrypt
import pytest
import requests
from django.utils import timezone

from lms.lrs import services
from lms.lrs.enums import DeliveryState
from lms.lrs.models import Delivery, LRSEndpoint
from lms.lrs.tasks import forward_statements

pytestmark = pytest.mark.django_db

if importlib.util.find_spec("ralph") is None:
    if os.environ.get("CI"):
        raise RuntimeError("ralph-malph[lrs] is a dev dependency: CI must run the real-LRS test")
    pytest.skip("ralph-malph[lrs] is not installed (pip install -e '.[dev]')", allow_module_level=True)

USERNAME, PASSWORD = "kyky", "ralph-test-secret"


class Ralph:
    """Ralph's LRS in a subprocess on loopback; its statements in one JSON Lines file under ``folder``."""

    def __init__(self, folder):
        self.folder = folder
        (folder / "store").mkdir()
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        auth = [
            {
                "agent": {"account": {"homePage": "http://testserver", "name": "lrs-client"}, "objectType": "Agent"},
                "scopes": ["all"],
                "username": USERNAME,
                "hash": bcrypt.hashpw(PASSWORD.encode(), bcrypt.gensalt(4)).decode(),
            }
        ]
        (folder / "auth.json").write_text(json.dumps(auth))
        self.env = {
            **os.environ,
            "RALPH_APP_DIR": str(folder / "app"),
            "RALPH_AUTH_FILE": str(folder / "auth.json"),
            "RALPH_RUNSERVER_BACKEND": "fs",
            "RALPH_BACKENDS__LRS__FS__DEFAULT_DIRECTORY_PATH": str(folder / "store"),
            "RALPH_RUNSERVER_AUTH_BACKENDS": "basic",
        }
        self.process = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/xAPI"

    def start(self):
        self.process = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "ralph_app:app", "--app-dir", str(Path(__file__).parent)]
            + ["--host", "127.0.0.1", "--port", str(self.port)],
            env=self.env,
            cwd=self.folder,
            stdout=subprocess.DEVNULL,
            stderr=self._log(),
        )
        for _ in range(300):  # until it answers (bounded: about 30 s at most)
            if self.process.poll() is not None:
                raise AssertionError("Ralph did not start:\n" + (self.folder / "ralph.log").read_text())
            try:
                requests.get(f"http://127.0.0.1:{self.port}/__lbheartbeat__", timeout=0.5)
                return
            except requests.ConnectionError:
                time.sleep(0.1)
        raise AssertionError("Ralph did not answer")

    def _log(self):
        self.log = (self.folder / "ralph.log").open("ab")
        return self.log

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=20)
        if self.process is not None:
            self.log.close()
        self.process = None

    def stored(self) -> list[dict]:
        """Every statement Ralph has written, in order, straight from its file."""
        path = self.folder / "store" / "fs_lrs.jsonl"
        if not path.exists():
            return []
        return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


@pytest.fixture
def ralph(tmp_path):
    lrs = Ralph(tmp_path)
    lrs.start()
    yield lrs
    lrs.stop()


def _when(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def assert_arrived_complete(arrived: dict, stored: dict):
    """What the LRS holds is what Kyky stored: every field, the learner's time to the microsecond.

    ``stored`` is the LRS's own receipt time, as the specification says; Ralph writes times in its
    own notation, so times are compared as instants.
    """
    assert set(stored) - {"stored"} <= set(arrived)
    for key, value in stored.items():
        if key in {"stored", "timestamp"}:
            continue
        assert arrived[key] == value, key
    assert _when(arrived["timestamp"]) == _when(stored["timestamp"])


def test_statements_reach_a_real_lrs_complete_and_exactly_once_across_an_outage(kyky, ralph):
    LRSEndpoint.objects.create(name="Ralph", url=ralph.url, username=USERNAME, secret=PASSWORD)
    first = kyky.store(3)

    assert forward_statements.apply().get() == 3

    held = {s["id"]: s for s in ralph.stored()}
    assert len(ralph.stored()) == len(held) == 3
    for statement in first:
        assert_arrived_complete(held[str(statement.statement_id)], statement.statement)
        assert _when(held[str(statement.statement_id)]["timestamp"]) < statement.stored_at  # the browser's time

    ralph.stop()
    during = kyky.store(2)
    forward_statements.apply().get()

    waiting = Delivery.objects.filter(statement__in=during)
    assert {(d.state, d.attempts, d.last_status) for d in waiting} == {(DeliveryState.PENDING, 1, None)}
    assert len(ralph.stored()) == 3  # nothing lost, nothing arrived

    ralph.start()
    # The answer to one earlier send was lost on the way back: Kyky sends that statement again.
    Delivery.objects.filter(statement=first[0]).update(state=DeliveryState.PENDING, next_attempt_at=None)
    after_the_backoff = timezone.now() + timedelta(hours=7)
    services.forward_all(now=after_the_backoff)

    held_list = ralph.stored()
    held = {s["id"]: s for s in held_list}
    assert len(held_list) == len(held) == 5  # every statement exactly once
    for statement in [*first, *during]:
        assert_arrived_complete(held[str(statement.statement_id)], statement.statement)
    assert set(Delivery.objects.values_list("state", flat=True)) == {DeliveryState.SENT}
    assert {d.attempts for d in Delivery.objects.filter(statement__in=during)} == {2}

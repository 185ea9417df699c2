"""A real LRS: Ralph (PyPI ``ralph-malph``) with its file-system backend, run as a local server.

Statements stored in Kyky arrive complete, with their learners' own times, exactly once, across
an outage of the LRS and a repeated send whose answer was lost.
"""

import importlib.util
import os
from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from lms.lrs import services
from lms.lrs.enums import DeliveryState
from lms.lrs.models import Delivery, LRSEndpoint
from lms.lrs.tasks import forward_statements
from tests.lrs.ralph_server import PASSWORD, USERNAME, Ralph

pytestmark = pytest.mark.django_db

if importlib.util.find_spec("ralph") is None:
    if os.environ.get("CI"):
        raise RuntimeError("ralph-malph[lrs] is a dev dependency: CI must run the real-LRS test")
    pytest.skip("ralph-malph[lrs] is not installed (pip install -e '.[dev]')", allow_module_level=True)


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

"""Queueing work for Celery without losing it when the broker is away."""

import logging

from django.db import transaction
from kombu.exceptions import OperationalError

logger = logging.getLogger(__name__)


def enqueue_on_commit(task, *args) -> None:
    """Queue ``task(*args)`` once the current transaction commits.

    If the broker cannot be reached the task runs here, in-process, instead: slower for this one
    request, but nothing is lost. Tasks must therefore be idempotent, which ours are.
    """

    def send():
        try:
            task.delay(*args)
        except (OperationalError, ConnectionError, OSError):
            logger.warning("Broker unreachable; running %s%r in-process", task.name, args, exc_info=True)
            task.apply(args=args, throw=False)

    transaction.on_commit(send)

"""The persistent connection's health check: no round trip while quiet, a new connection when dropped."""

import time
from unittest import mock

import psycopg
import pytest
from django.db import connection
from django.db.backends.postgresql.base import DatabaseWrapper as DjangoWrapper

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the health check is PostgreSQL's"),
]


def _next_request():
    """What Django does when a request starts and then touches the database."""
    connection.health_check_enabled = True
    connection.health_check_done = False
    connection.close_if_health_check_failed()


def test_a_quiet_connection_is_kept_without_a_round_trip():
    connection.ensure_connection()
    before = connection.connection
    with mock.patch.object(DjangoWrapper, "is_usable", side_effect=AssertionError("SELECT 1 sent")):
        _next_request()
    assert connection.connection is before


def test_a_connection_the_server_terminated_is_replaced_before_the_request_uses_it():
    """A restart or an administrator's pg_terminate_backend must not fail the next learner's request."""
    connection.ensure_connection()
    before = connection.connection
    pid = before.info.backend_pid
    with psycopg.connect(**connection.get_connection_params(), autocommit=True) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [pid])
        for _ in range(100):  # the server has closed the socket once the backend is gone
            if not other.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [pid]).fetchone():
                break
            time.sleep(0.01)
    _next_request()
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        assert cursor.fetchone() == (1,)
    assert connection.connection is not before


def test_a_connection_inside_a_transaction_is_checked_the_old_way():
    connection.ensure_connection()
    with connection.cursor() as cursor:
        cursor.execute("BEGIN")
    try:
        with mock.patch.object(DjangoWrapper, "is_usable", return_value=True) as checked:
            assert connection.is_usable()
        checked.assert_called_once()
    finally:
        with connection.cursor() as cursor:
            cursor.execute("ROLLBACK")

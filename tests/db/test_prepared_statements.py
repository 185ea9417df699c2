"""Prepared statements: repeated queries are planned once, and a migration does not break them."""

import psycopg
import pytest
from django.db import connection

from lms.courses import selectors
from lms.courses import services as courses
from tests.factories import UserFactory, build_training

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's"),
]


def _migrate(sql: str) -> None:
    """``sql`` from another connection, as a deployment's migration runs beside the web processes."""
    with psycopg.connect(**connection.get_connection_params(), autocommit=True) as other:
        other.execute(sql)


def _prepared() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return {row[0] for row in cursor.fetchall()}


def test_a_learner_query_run_twice_is_prepared(index):
    user = UserFactory()
    training = build_training(index)
    courses.enrolment_create(user=user, training=training)
    for _ in range(3):
        assert selectors.enrolment_in(user=user, training=training) is not None
    assert any("courses_enrolment" in sql and "training_id" in sql for sql in _prepared())


def test_a_column_added_by_a_migration_does_not_break_a_prepared_query(index):
    """Web processes keep their connections while a deployment migrates: their prepared reads must survive.

    A prepared ``SELECT *`` fails with "cached plan must not change result type" once a column is
    added; Kyky's SQL names its columns.
    """
    user = UserFactory()
    training = build_training(index)
    courses.enrolment_create(user=user, training=training)
    for _ in range(3):
        selectors.enrolment_in(user=user, training=training)
        selectors.dashboard(user=user, language="fi", request=None)
        selectors.enrolment_with_progress(user=user, training=training)
    _migrate("ALTER TABLE courses_enrolment ADD COLUMN added_later integer")
    try:
        assert selectors.enrolment_in(user=user, training=training) is not None
        assert len(selectors.dashboard(user=user, language="fi", request=None)) == 1
        assert selectors.enrolment_with_progress(user=user, training=training)[0] is not None
    finally:
        _migrate("ALTER TABLE courses_enrolment DROP COLUMN added_later")

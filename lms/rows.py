"""Models from rows of hand-written SQL, converted exactly as the ORM converts them.

On the hot paths some reads are SQL, because compiling the same query cost the ORM more than
running it cost PostgreSQL (``docs/decisions.md`` §12). The values still go through the ORM's own
converters for each field on the backend in use (UUIDs and dates in SQLite, JSON everywhere), so a
model built here is the model the ORM would have built.
"""

from django.db import connection

_CONVERTERS: dict = {}


def converters(fields) -> list[list]:
    """Per field, the converters the ORM applies to its database value on this backend."""
    key = (tuple(fields), connection.vendor)
    if key not in _CONVERTERS:
        _CONVERTERS[key] = [
            [(c, col) for c in connection.ops.get_db_converters(col) + f.get_db_converters(connection)]
            for f in fields
            for col in [f.get_col(f.model._meta.db_table)]
        ]
    return _CONVERTERS[key]


def converted(values, field_converters) -> list:
    out = []
    for value, these in zip(values, field_converters, strict=True):
        for convert, col in these:
            value = convert(value, col, connection)
        out.append(value)
    return out


def model(cls, fields, values):
    """An instance of ``cls`` from the raw ``values`` of ``fields`` (concrete fields, in order)."""
    return cls.from_db(connection.alias, [f.attname for f in fields], converted(values, converters(fields)))


def columns(alias: str, fields) -> str:
    return ", ".join(f"{alias}.{f.column}" for f in fields)


def select(cls, alias: str) -> str:
    """``SELECT`` every concrete column of ``cls`` ``FROM`` its table as ``alias``: the head of a query for ``one``.

    Columns are named, never ``*``: a prepared statement must not change its result when a
    migration adds a column (lms/settings/base.py, prepared statements).
    """
    return f"SELECT {columns(alias, cls._meta.concrete_fields)} FROM {cls._meta.db_table} {alias} "  # noqa: S608


def one(cls, sql: str, params) -> object | None:
    """The ``cls`` in the first row of ``sql`` (which begins with ``select(cls, ...)``), or None."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return None if row is None else model(cls, cls._meta.concrete_fields, row)


def nulls(fields) -> str:
    """A NULL of each field's type, for padding a branch of a ``UNION ALL``.

    PostgreSQL types a ``UNION`` column pairwise, left to right: a column that is a bare NULL in the
    first two branches is taken as text, and a third branch's UUID or number then cannot join it.
    """
    return ", ".join(f"CAST(NULL AS {f.cast_db_type(connection)})" for f in fields)

"""Many rows into one table in few statements, for a large import.

On PostgreSQL ``executemany`` sends one INSERT per row (psycopg's pipeline), and multi-row
VALUES statements cost psycopg a parse of their long text; one ``INSERT ... SELECT FROM unnest``
per part, with one array parameter per column, costs neither. COPY is no option: it refuses
tables under row-level security. Row-level security and constraints apply as to any INSERT; the
values pass the same column types (JSON, dates) as SQLAlchemy's own INSERT, so what is stored is
the same. Elsewhere (SQLite) this is SQLAlchemy's ``executemany``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from operator import itemgetter
from types import SimpleNamespace
from typing import Any

from sqlalchemy import Column, Table, insert, inspect, text
from sqlalchemy.orm import Session
from sqlalchemy.sql import elements, sqltypes

# rows per statement: each column is one array, so the parameter count stays the column count
PART = 5_000


def insert_rows(session: Session, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """INSERT ``rows`` (all with the same keys) into ``table`` in the session's transaction;
    columns left out get their default, as with ``session.execute(insert(table), rows)``."""
    if not rows:
        return
    connection = session.connection()
    dialect = connection.dialect
    if dialect.name != "postgresql":
        session.execute(insert(table), list(rows))
        return
    given = [table.c[name] for name in rows[0]]
    # Python-side defaults (a clock's moment, an empty list) are computed here, as SQLAlchemy
    # would; server-side ones are left to the database
    context = SimpleNamespace(execution_options=connection.get_execution_options())
    defaults = [
        column
        for column in table.columns
        if column.name not in rows[0] and column.default is not None
    ]
    columns = given + defaults
    processors = [_processor(column, dialect) for column in columns]
    names = ", ".join(dialect.identifier_preparer.quote(column.name) for column in columns)
    arrays = ", ".join(_array(column, dialect) for column in columns)
    statement = (
        f"INSERT INTO {dialect.identifier_preparer.format_table(table)} ({names}) "
        f"SELECT * FROM unnest({arrays})"
    )
    for start in range(0, len(rows), PART):
        part = rows[start : start + PART]
        values: list[list[Any]] = [list(map(itemgetter(column.name), part)) for column in given]
        for column in defaults:
            values.append([_default(column, context) for _ in part])
        for index, process in enumerate(processors):
            if process is not None:
                values[index] = list(map(process, values[index]))
        # through SQLAlchemy, so that a unique key hit is its IntegrityError as anywhere else
        connection.exec_driver_sql(statement, tuple(values))


def _as_text(column: Column[Any], dialect: Any) -> sqltypes.JSON | None:
    """The column's JSON type when its values go as JSON text (see ``_json_text``)."""
    impl = column.type.dialect_impl(dialect)
    if isinstance(impl, sqltypes.JSON) and dialect._json_serializer is not None:
        return impl
    return None


def _array(column: Column[Any], dialect: Any) -> str:
    sql_type = column.type.compile(dialect=dialect)
    if _as_text(column, dialect) is not None:  # text the server reads as JSON(B)
        return f"%b::text[]::{sql_type}[]"
    return f"%b::{sql_type}[]"


def _processor(column: Column[Any], dialect: Any) -> Callable[[Any], Any] | None:
    json_type = _as_text(column, dialect)
    if json_type is not None:
        return _json_text(json_type, dialect._json_serializer)
    return column.type.dialect_impl(dialect).bind_processor(dialect)


def _json_text(json_type: sqltypes.JSON, serializer: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """A JSON column's value as the text the engine's serializer writes, as SQLAlchemy's own
    processor decides it (``None``: SQL NULL or JSON null, after the column's ``none_as_null``).
    The same text as through a psycopg ``Jsonb`` wrapper per value, without its Python calls
    per array element; the server reads it into the same JSON(B) value."""
    none_as_null = json_type.none_as_null
    json_null = json_type.NULL

    def process(value: Any) -> str | None:
        if value is json_null:
            value = None
        elif isinstance(value, elements.Null) or (value is None and none_as_null):
            return None
        data = serializer(value)
        return data.decode() if isinstance(data, bytes) else data

    return process


def _default(column: Column[Any], context: Any) -> Any:
    default: Any = column.default
    if default.is_callable:
        return default.arg(context)
    return default.arg


def add_all(session: Session, objects: Sequence[Any]) -> None:
    """Store new ORM objects of integer-keyed tables as ``session.add_all`` and a flush would,
    each with its ``id``; on PostgreSQL a few statements per table (the ids taken from the
    column's sequence up front), elsewhere through the session. The objects stay outside the
    session: for reading their values and ids only."""
    if session.get_bind().dialect.name != "postgresql":
        session.add_all(objects)
        session.flush()
        return
    groups: dict[tuple[Table, tuple[str, ...]], list[tuple[Any, dict[str, Any]]]] = {}
    for obj in objects:
        state = inspect(obj)
        values = {
            attribute.columns[0].name: state.dict[attribute.key]
            for attribute in state.mapper.column_attrs
            if attribute.key in state.dict
        }
        table = state.mapper.local_table
        groups.setdefault((table, tuple(values)), []).append((obj, values))
    for (table, _), members in groups.items():
        ids = session.scalars(
            text(
                "SELECT nextval(pg_get_serial_sequence(:table, 'id')) "
                "FROM generate_series(1, :count)"
            ),
            {"table": table.name, "count": len(members)},
        ).all()
        for (obj, values), row_id in zip(members, ids, strict=True):
            obj.id = values["id"] = row_id
        insert_rows(session, table, [values for _, values in members])

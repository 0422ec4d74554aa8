"""Database engine settings that depend on the backend."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date, datetime
from enum import Enum
from functools import cache

from sqlalchemy import (
    ColumnElement,
    Executable,
    Row,
    String,
    bindparam,
    cast,
    event,
    func,
    literal_column,
    select,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnClause

from portal.extensions import db
from portal.models.base import Base


def configure_sqlite(engine: Engine) -> None:
    """SQLite as an embedded default: foreign keys on, WAL so gunicorn workers read while one writes, and
    transactions that SAVEPOINTs work inside.

    pysqlite begins a transaction only before its first INSERT/UPDATE/DELETE, so a SAVEPOINT issued first
    runs outside any transaction and its RELEASE commits for good. SQLAlchemy's recipe: switch pysqlite's
    own handling off and emit BEGIN when SQLAlchemy begins.
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection) -> None:
        if connection.get_execution_options().get("isolation_level") != "AUTOCOMMIT":
            connection.exec_driver_sql("BEGIN")


@cache
def lone_reads(engine: Engine) -> Engine:
    """``engine`` (the same pool) for a read that stands alone: each statement runs outside a
    transaction, which spares the round trips of BEGIN and of the ROLLBACK when the connection goes back
    to the pool. For the hottest request (a board panel's poll) the two cost as much as the read."""
    return engine.execution_options(isolation_level="AUTOCOMMIT")


def insert_for(dialect_name: str, model):
    """An INSERT that knows ON CONFLICT, for the two databases the portal runs on."""
    return (postgresql if dialect_name == "postgresql" else sqlite).insert(model)


def among(column, values: list) -> ColumnElement[bool]:
    """``column IN values``. On PostgreSQL the values go as one JSON parameter, unpacked by the server
    (``json_array_elements_text``): a batch's thousands of ids or phones cost one parameter that Python's
    C encoder writes, and the planner, which cannot see how many there are, probes the column's index
    for each rather than scanning the table."""
    if db.engine.dialect.name == "postgresql":
        listed = func.json_array_elements_text(
            cast(bindparam(None, _json(values), type_=String), postgresql.JSON)
        )
        return column.in_(select(cast(listed, column.type)))
    return column.in_(values)


def json_rows(rows: list[Mapping], columns: Mapping) -> str:
    """``rows`` (dicts) as a JSON array of arrays of ``columns``' values, for ``from_json_rows``."""
    return _json([[row[name] for name in columns] for row in rows])


class JsonRows:
    """The columns of ``from_json_rows``, by name, each cast to its type."""

    def __init__(self, elements: ColumnClause, columns: Mapping) -> None:
        for position, (name, type_) in enumerate(columns.items()):
            setattr(self, name, cast(elements.op("->>")(literal_column(str(position))), type_).label(name))


def from_json_rows(parameter: str, columns: Mapping) -> JsonRows:
    """A statement's rows sent as one JSON parameter (``json_rows``) on PostgreSQL: a batch of 10,000 rows
    is encoded by Python's C encoder and decoded by the server, where arrays of every column were dumped
    element by element by the driver (four times slower, docs/benchmarks.md, "Partner batches")."""
    elements = (
        func.json_array_elements(cast(bindparam(parameter, type_=String), postgresql.JSON))
        .table_valued("value")
        .render_derived(name="incoming")
    )
    return JsonRows(elements.c.value, columns)


def _json(values) -> str:
    return json.dumps(values, default=_plain, separators=(",", ":"))


def _plain(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    raise TypeError(f"{type(value).__name__} is not sent as JSON")


def read_first(statement: Executable, parameters: dict | None = None) -> Row | None:
    """The first row of a read: on the request's transaction when it has begun one on the database
    (``began_on_database``: the request wrote or read in it), else on a connection outside any
    transaction (``lone_reads``: no BEGIN, no ROLLBACK; a poll, or a page that has only signed in)."""
    session = db.session()
    if began_on_database(session):
        return session.execute(statement, parameters).first()
    with lone_reads(db.engine).connect() as connection:
        return connection.execute(statement, parameters).first()


def load_first(statement: Executable) -> tuple | None:
    """The first row of a read that loads model objects, placed as ``read_first`` places a read. Read
    outside a transaction, its objects are put into the request's session without a statement
    (``merge(load=False)``): they change, lazy-load and commit as if the session had loaded them, and
    its transaction begins on the database only when the request reads or writes through it. Under
    PostgreSQL's READ COMMITTED each statement sees what was committed when it began, in a transaction
    or not, so a request sees what it would have seen."""
    session = db.session()
    if began_on_database(session):
        found = session.execute(statement).first()
        return tuple(found) if found is not None else None
    with Session(lone_reads(db.engine)) as reader:
        found = reader.execute(statement).first()
    if found is None:
        return None
    return tuple(session.merge(value, load=False) if isinstance(value, Base) else value for value in found)


def began_on_database(session: Session) -> bool:
    """Whether ``session`` holds a transaction on the database. Putting an object into a session begins
    its own account of one (``in_transaction``) without a connection."""
    transaction = session.get_transaction()
    return transaction is not None and bool(transaction.connections)

"""Database engine settings that depend on the backend."""

from __future__ import annotations

from functools import cache

from sqlalchemy import ColumnElement, Executable, Row, any_, bindparam, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

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
    """``column IN values``, as one array parameter on PostgreSQL (``= ANY``): a batch's thousands of ids
    cost one parameter there, not thousands."""
    if db.engine.dialect.name == "postgresql":
        return column == any_(bindparam(None, list(values), type_=ARRAY(column.type)))
    return column.in_(values)


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

"""Database engine settings that depend on the backend."""

from __future__ import annotations

from functools import cache

from sqlalchemy import Executable, Row, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine

from portal.extensions import db


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


def read_first(statement: Executable, parameters: dict) -> Row | None:
    """The first row of a read: on the request's transaction when it has begun one (a page: signing in
    did), else on a connection outside any transaction (``lone_reads``: a poll, no BEGIN, no ROLLBACK)."""
    if db.session().in_transaction():
        return db.session.execute(statement, parameters).first()
    with lone_reads(db.engine).connect() as connection:
        return connection.execute(statement, parameters).first()

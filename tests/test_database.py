"""Transaction behaviour the services rely on, on every backend."""

from sqlalchemy import func, select

from portal.extensions import db
from portal.models import User
from portal.services.accounts import create_account


def test_rollback_after_a_savepoint_leaves_nothing(app):
    # On SQLite, pysqlite used to commit at RELEASE SAVEPOINT when the savepoint came first.
    create_account("13912345678", "river-path-2026")  # writes inside begin_nested()
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(User)) == 0


def test_sqlite_pragmas(app):
    if db.engine.dialect.name != "sqlite":
        return
    assert db.session.execute(db.text("PRAGMA foreign_keys")).scalar() == 1
    assert db.session.execute(db.text("PRAGMA journal_mode")).scalar() == "wal"

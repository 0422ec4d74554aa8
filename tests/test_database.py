"""Transaction behaviour the services rely on, on every backend."""

from sqlalchemy import func, select

from portal.database import began_on_database, load_first
from portal.extensions import db
from portal.identity.accounts import create_account
from portal.models import User


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


def test_a_load_outside_a_transaction_puts_its_objects_into_the_session(app):
    user_id = create_account("13912345678", "river-path-2026").id
    db.session.commit()
    db.session.expunge_all()
    found = load_first(select(User, func.length(User.phone)).where(User.id == user_id))
    loaded, length = found
    assert length == 11 and loaded in db.session
    assert not began_on_database(db.session())  # read outside one; none begun since
    loaded.real_name = "林晓"  # it changes and commits as one the session read itself
    db.session.commit()
    db.session.expunge_all()
    assert db.session.get(User, user_id).real_name == "林晓"


def test_a_load_inside_the_requests_transaction_sees_what_it_wrote(app):
    user = create_account("13912345678", "river-path-2026")
    db.session.flush()  # written, not committed: only the request's transaction sees it
    assert began_on_database(db.session())
    assert load_first(select(User).where(User.id == user.id)) == (user,)
    assert load_first(select(User).where(User.id == -1)) is None

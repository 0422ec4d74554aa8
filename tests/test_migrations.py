"""The migrations build exactly the schema the models describe."""

import os

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from portal.extensions import db

MIGRATIONS = os.path.join(os.path.dirname(os.path.dirname(__file__)), "migrations")


def _differences(app):
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, db.metadata)


def test_migrated_test_database_equals_the_models(app):
    # The session database was built by `flask db upgrade` from empty.
    assert _differences(app) == []


def test_upgrade_downgrade_upgrade_on_an_empty_sqlite_database(make_app, tmp_path):
    app = make_app(database_url=f"sqlite:///{tmp_path / 'fresh.sqlite3'}")
    with app.app_context():
        upgrade(directory=MIGRATIONS)
    assert _differences(app) == []
    with app.app_context():
        downgrade(directory=MIGRATIONS, revision="base")
        upgrade(directory=MIGRATIONS)
    assert _differences(app) == []


@pytest.mark.postgres  # a storage setting SQLite does not have
def test_api_tokens_leave_room_for_their_last_use_on_postgresql(app):
    """The batched "last used" writes stay on their page (HOT updates): migration 3c5e1a7d9b20."""
    with app.app_context(), db.engine.connect() as connection:
        options = connection.exec_driver_sql(
            "SELECT reloptions FROM pg_class WHERE relname = 'api_tokens'"
        ).scalar()
    assert options == ["fillfactor=50"]

"""Fixtures after flaskr's conftest (app, client, runner, login) plus builders (make_user, make_org).

The schema is built once per run with the migrations, so every test runs against what production gets.
``TEST_DATABASE_URL`` points the whole run at PostgreSQL; otherwise a SQLite file in a temporary folder.
Tables are emptied after each test.
"""

from __future__ import annotations

import contextlib
import contextvars
import itertools
import os
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import text

from portal import create_app
from portal.campaigns.day_rules import end_of_local_day
from portal.extensions import db, limiter
from portal.identity.accounts import complete_profile, create_account
from portal.identity.id_numbers import check_character
from portal.models import Organisation, OrgKind, User
from portal.models.base import utcnow
from portal.models.board import SNAPSHOT_TABLE_PREFIX
from portal.orgs.roles import grant_union_admin
from portal.orgs.tree import create_org
from tests.campaign_helpers import a_walk_start_today, today_local
from tests.support import PII_KEY, RecordingSender

POSTGRES_URL = os.environ.get("TEST_DATABASE_URL")
REDIS_URL = os.environ.get("TEST_REDIS_URL")
# ``TEST_CLOCK=2026-12-05T00:00:20+08:00`` runs the whole suite from that moment on (README).
TEST_CLOCK = os.environ.get("TEST_CLOCK")
DEFAULT_PASSWORD = "steady-walker-42"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests marked ``postgres`` only make sense on PostgreSQL, those marked ``redis`` need a Redis server:
    leave them out of runs without one (CI provides both)."""
    absent = {"postgres"} if not POSTGRES_URL else set()
    if not REDIS_URL:
        absent.add("redis")
    kept = [item for item in items if not absent & set(item.keywords)]
    deselected = [item for item in items if absent & set(item.keywords)]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = kept


@pytest.fixture(scope="session", autouse=True)
def _clock() -> Iterator[None]:
    """With ``TEST_CLOCK`` set, the run's clock starts at that moment and ticks on (time-machine, in this
    process and so in the browser tests' server thread): the suite at the hour CI might meet, just
    before or after midnight in Asia/Shanghai, say. Without it, the real clock."""
    if not TEST_CLOCK:
        yield
        return
    with time_machine.travel(datetime.fromisoformat(TEST_CLOCK), tick=True):
        yield


@pytest.fixture
def walk_start() -> Iterator[datetime]:
    """When a walk of today began (``a_walk_start_today``). In the first half hour of a day in
    Asia/Shanghai no walk of that day has ended yet, and a track that ends after now is refused: the
    clock is moved on to 00:30 local for the test (time-machine, ticking)."""
    earliest = end_of_local_day(today_local() - timedelta(days=1), "Asia/Shanghai") + timedelta(minutes=30)
    moved = time_machine.travel(earliest, tick=True) if utcnow() < earliest else contextlib.nullcontext()
    with moved:
        yield a_walk_start_today()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    if POSTGRES_URL:
        return POSTGRES_URL.replace("postgresql://", "postgresql+psycopg://", 1)
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"


def make_test_app(database_url: str, **overrides) -> Flask:
    config = {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SECRET_KEY": "test-secret-key",
        "PII_KEY": PII_KEY,
        "WTF_CSRF_ENABLED": False,
        "API_TOKEN_USE_WRITE_SECONDS": 0,  # every use written at once; tests/domain/test_tokens.py batches
        "SMS_SENDER": "tests.support:RecordingSender",
        # Cheap argon2 parameters: the hashing rules are the same, only slower in production.
        "ARGON2_TIME_COST": 1,
        "ARGON2_MEMORY_COST": 1024,
        "ARGON2_PARALLELISM": 1,
        "SERVER_NAME": None,
        "BOARD_REFRESH_IN_PROCESS": False,  # tests refresh boards themselves (refresh_boards)
        "BOARD_EXPORT_IN_PROCESS": False,  # and write board exports themselves (run_board_export)
    }
    config.update(overrides)
    return create_app(config)


class IsolatedClient(FlaskClient):
    """A test client whose every request runs in its own app context, as in production.

    Tests keep an app context open for the builders; without this, requests would share its ``g`` (where
    Flask-Login caches the user) and its database session. The test's transaction is ended before each
    request and its objects are expired after, so both sides read what the other committed.
    """

    def open(self, *args, **kwargs):
        db.session.commit()
        response = contextvars.Context().run(super().open, *args, **kwargs)
        db.session.expire_all()
        return response


def dispose_engines(app: Flask) -> None:
    """Close the app's pooled connections now rather than leave them to the garbage collector."""
    with app.app_context():
        for engine in db.engines.values():
            engine.dispose()


@pytest.fixture(scope="session")
def _session_app(database_url: str) -> Iterator[Flask]:
    app = make_test_app(database_url)
    app.test_client_class = IsolatedClient
    with app.app_context():
        upgrade(directory=os.path.join(os.path.dirname(app.root_path), "migrations"))
    yield app
    dispose_engines(app)


@pytest.fixture
def make_app(database_url: str, tmp_path: Path) -> Iterator[Callable[..., Flask]]:
    """Builder for a separate app (other settings) on the test database; its connections are closed after.

    Flask-Limiter keeps one storage per ``Limiter`` object and the last ``init_app`` wins; the shared
    limiter's state is put back afterwards so the other tests keep their in-memory counters.
    """
    made: list[Flask] = []
    limiter_state = dict(vars(limiter))

    def build(**overrides) -> Flask:
        overrides.setdefault("MEDIA_DIR", str(tmp_path / "media"))  # the same folder as the ``app`` fixture's
        overrides.setdefault("EXPORT_DIR", str(tmp_path / "exports"))
        app = make_test_app(overrides.pop("database_url", database_url), **overrides)
        made.append(app)
        return app

    yield build
    for app in made:
        dispose_engines(app)
    vars(limiter).update(limiter_state)


def empty_all_tables() -> None:
    from sqlalchemy import inspect

    for name in inspect(db.engine).get_table_names():
        if name.startswith(SNAPSHOT_TABLE_PREFIX):  # the ranking boards' snapshots (not models)
            db.session.execute(text(f"DROP TABLE {name}"))
    tables = list(reversed(db.metadata.sorted_tables))
    if db.engine.dialect.name == "postgresql":
        # DELETE, not TRUNCATE: a test leaves a few rows, and TRUNCATE makes new files for every table and
        # index it names (0.2-0.5 s a test here). Foreign-key triggers are off for this transaction only
        # (the test database's user is a superuser), then every sequence starts again at 1.
        db.session.execute(text("SET LOCAL session_replication_role = replica"))
        for table in tables:
            db.session.execute(table.delete())
        db.session.execute(
            text(
                "SELECT setval(oid, 1, false) FROM pg_class "
                "WHERE relkind = 'S' AND relnamespace = 'public'::regnamespace"
            )
        )
    else:
        # Deleting a self-referencing table (the union tree) needs the check at commit, not per row.
        db.session.execute(text("PRAGMA defer_foreign_keys = ON"))
        for table in tables:
            db.session.execute(table.delete())
    db.session.commit()


@pytest.fixture
def app(_session_app: Flask, tmp_path: Path) -> Iterator[Flask]:
    _session_app.config["MEDIA_DIR"] = str(tmp_path / "media")  # each test's uploads on their own
    _session_app.config["EXPORT_DIR"] = str(tmp_path / "exports")  # and its board exports
    with _session_app.app_context():
        yield _session_app
        db.session.rollback()
        empty_all_tables()
        db.session.remove()
    # Per-process caches keyed by ids, which an emptied database hands out again.
    _session_app.extensions.pop("settled_campaign_terms", None)
    _session_app.extensions.pop("token_uses", None)
    _session_app.extensions.pop("api_local_windows", None)
    _session_app.extensions.pop("board_rows", None)
    limiter.reset()
    RecordingSender.outbox.clear()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask):
    return app.test_cli_runner()


@pytest.fixture
def sms_outbox(app: Flask) -> type[RecordingSender]:
    return RecordingSender


_phones = itertools.count(13700000001)
_id_serials = itertools.count(100)


def fresh_phone() -> str:
    return str(next(_phones))


def fresh_id_number(region: str = "320102", male: bool = True) -> str:
    """A valid, unused ID number: 500 serials a day, then the next birth date."""
    from datetime import date, timedelta

    number = next(_id_serials)
    birth = date(1990, 1, 1) + timedelta(days=number // 500)
    first17 = f"{region}{birth:%Y%m%d}{(number % 500) * 2 + (1 if male else 0):03d}"
    return first17 + check_character(first17)


@pytest.fixture
def make_user(app: Flask) -> Callable[..., User]:
    """Builder: ``make_user(profile=True, admin_of=None, platform_admin=False, **overrides)``."""

    def build(
        *,
        phone: str | None = None,
        password: str = DEFAULT_PASSWORD,
        profile: bool = True,
        real_name: str = "王小明",
        admin_of: Organisation | None = None,
        platform_admin: bool = False,
    ) -> User:
        user = create_account(phone or fresh_phone(), password)
        if profile:
            complete_profile(user, real_name, fresh_id_number())
        if admin_of is not None:
            grant_union_admin(user, admin_of, actor=None)
        user.is_platform_admin = platform_admin
        db.session.commit()
        return user

    return build


@pytest.fixture
def make_org(app: Flask) -> Callable[..., Organisation]:
    codes = itertools.count(1)

    def build(
        name: str | None = None,
        *,
        parent: Organisation | None = None,
        kind: OrgKind = OrgKind.GRASSROOTS_UNION,
        code: str | None = None,
        quota: int | None = None,
    ) -> Organisation:
        number = next(codes)
        org = create_org(
            code=code or f"T-{number}",
            name=name or f"测试工会{number}",
            kind=kind,
            parent=parent,
            quota=quota,
        )
        db.session.commit()
        return org

    return build


@pytest.fixture
def tree(make_org) -> dict[str, Organisation]:
    """Two provinces: 江苏 (a city union with a grassroots union, an industry union with a university
    union and its unit) and 陕西 with one city union."""
    js = make_org("江苏省总工会", kind=OrgKind.PROVINCE_FEDERATION, code="JS")
    nj = make_org("南京市总工会", parent=js, kind=OrgKind.CITY_UNION, code="JS-NJ")
    nj_company = make_org("紫金公司工会", parent=nj, code="JS-NJ-1")
    edu = make_org("江苏省教育科技工会", parent=js, kind=OrgKind.INDUSTRY_UNION, code="JS-EDU")
    njmu = make_org("南京医科大学工会", parent=edu, code="JS-EDU-NJMU")
    njmu_unit = make_org("基础医学院分工会", parent=njmu, kind=OrgKind.UNIT, code="JS-EDU-NJMU-1")
    sx = make_org("陕西省总工会", kind=OrgKind.PROVINCE_FEDERATION, code="SX")
    xa = make_org("西安市总工会", parent=sx, kind=OrgKind.CITY_UNION, code="SX-XA")
    return {
        "js": js,
        "nj": nj,
        "nj_company": nj_company,
        "edu": edu,
        "njmu": njmu,
        "njmu_unit": njmu_unit,
        "sx": sx,
        "xa": xa,
    }


@pytest.fixture
def login(client: FlaskClient) -> Callable[[User], None]:
    def sign_in(user: User, password: str = DEFAULT_PASSWORD) -> None:
        response = client.post("/auth/login", data={"phone": user.phone, "password": password})
        assert response.status_code == 303, response.data

    return sign_in

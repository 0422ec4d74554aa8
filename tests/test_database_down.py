"""While the database does not answer, pages answer a 503 page in Chinese and the API a JSON 503 with
Retry-After, never a traceback (docs/operations.md, "When the database is down")."""

from __future__ import annotations

import pytest

from tests.support import closed_port, text_of


def _check_unavailable(app) -> None:
    client = app.test_client()
    page = client.post("/auth/login", data={"phone": "13912345678", "password": "steady-walker-42"})
    assert (
        page.status_code == 503 and int(page.headers["Retry-After"]) >= 30
    )  # (a form's limit may ask longer)
    assert "暂时无法使用" in text_of(page.data) and "Traceback" not in page.get_data(as_text=True)
    api = client.get("/api/v1/me/campaigns", headers={"Authorization": "Bearer jbz_anything"})
    assert api.status_code == 503 and api.headers["Retry-After"] == "30"
    assert api.json["error"]["code"] == "unavailable" and api.json["error"]["message"]
    assert client.get("/readyz").status_code == 503
    assert client.get("/healthz").status_code == 503


def test_an_unreachable_sqlite_file_answers_503(app, make_app, tmp_path):
    _check_unavailable(make_app(database_url=f"sqlite:///{tmp_path / 'missing' / 'no.sqlite3'}"))


@pytest.mark.postgres
def test_an_unreachable_postgresql_answers_503(app, make_app):
    _check_unavailable(
        make_app(database_url=f"postgresql+psycopg://postgres@127.0.0.1:{closed_port()}/portal")
    )


@pytest.mark.postgres
def test_after_a_database_restart_the_pool_recovers_by_itself(app, make_app, make_user):
    """Every connection of the pool is cut, as a restart does: a request meeting a dead connection gets
    the 503 page at worst, and the next ones are served again, without restarting the app."""
    from sqlalchemy import text

    from portal.extensions import db

    options = {"pool_pre_ping": False, "connect_args": {"application_name": "restart-under-test"}}
    served = make_app(SQLALCHEMY_ENGINE_OPTIONS=options)
    client = served.test_client()
    assert client.get("/readyz").status_code == 200
    assert client.get("/readyz").status_code == 200  # the pool now holds a connection
    with db.engine.connect() as admin:
        cut = admin.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE application_name = 'restart-under-test'"  # this app's connections only
            )
        ).scalars()
        assert list(cut) == [True]  # the app's one pooled connection, cut
        admin.commit()
    first = client.get("/readyz")
    assert first.status_code in (200, 503) and "Traceback" not in first.get_data(as_text=True)
    assert [client.get("/readyz").status_code for _ in range(3)] == [200, 200, 200]

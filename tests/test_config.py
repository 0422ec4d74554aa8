"""Configuration guards: production refuses unsafe settings; Redis carries rate limits when configured."""

import os

import pytest

from portal import create_app
from tests.support import PII_KEY

REDIS_URL = os.environ.get("TEST_REDIS_URL")


def _production(tmp_path, **settings):
    config = {"ENV": "production", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'p.sqlite3'}"}
    config.update(settings)
    return create_app(config)


def test_production_needs_both_keys_and_no_demo(tmp_path):
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        _production(tmp_path, PII_KEY=PII_KEY)
    with pytest.raises(RuntimeError, match="PII_KEY"):
        _production(tmp_path, SECRET_KEY="s")
    with pytest.raises(RuntimeError, match="DEMO"):
        _production(tmp_path, SECRET_KEY="s", PII_KEY=PII_KEY, DEMO=True)


def test_production_cookies_are_secure(tmp_path):
    app = _production(tmp_path, SECRET_KEY="s", PII_KEY=PII_KEY)
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["REMEMBER_COOKIE_SECURE"]
    assert app.config["SESSION_COOKIE_HTTPONLY"] and app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_postgres_urls_get_the_psycopg_driver(tmp_path):
    app = create_app({"DATABASE_URL": "postgres://u@h/db", "SECRET_KEY": "s", "PII_KEY": PII_KEY})
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@h/db"


@pytest.mark.redis
def test_rate_limits_are_shared_through_redis(app, make_app):
    """Two apps (two workers) on one Redis: the second send to a number within a minute is refused."""
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()
    first_worker = make_app(REDIS_URL=REDIS_URL, RATELIMIT_STORAGE_URI="memory://")
    assert first_worker.config["RATELIMIT_STORAGE_URI"] == REDIS_URL
    assert (
        first_worker.test_client().post("/auth/code/register", data={"phone": "13912345678"}).status_code
        == 200
    )
    second_worker = make_app(REDIS_URL=REDIS_URL, RATELIMIT_STORAGE_URI="memory://")
    response = second_worker.test_client().post("/auth/code/register", data={"phone": "13912345678"})
    assert response.status_code == 429
    redis.Redis.from_url(REDIS_URL).flushdb()


def _documented_environment(monkeypatch, tmp_path, **overrides):
    """The variables of the README's production section, with a SQLite file for the database."""
    for name in list(os.environ):
        if name.startswith("PORTAL_") or name in ("SECRET_KEY", "DATABASE_URL", "REDIS_URL"):
            monkeypatch.delenv(name)
    variables = {
        "PORTAL_ENV": "production",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'p.sqlite3'}",
        "SECRET_KEY": "a-long-random-secret-from-the-vault",
        "PORTAL_PII_KEY": PII_KEY,
        "PORTAL_PROXY_FIX_X_FOR": "1",
        "PORTAL_SMS_SENDER": "portal.identity.sms_senders:LogSender",
    }
    variables.update(overrides)
    for name, value in variables.items():
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)


def test_the_readmes_production_variables_are_the_ones_read(monkeypatch, tmp_path):
    _documented_environment(monkeypatch, tmp_path)
    app = create_app()
    assert app.config["ENV"] == "production"
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["REMEMBER_COOKIE_SECURE"]
    assert app.config["SECRET_KEY"] == "a-long-random-secret-from-the-vault"
    assert app.config["PII_KEY"] == PII_KEY
    assert not (tmp_path / "secret_key").exists() and not (tmp_path / "pii_key").exists()
    # The prefixed name wins over the platform's.
    _documented_environment(monkeypatch, tmp_path, PORTAL_SECRET_KEY="prefixed")
    assert create_app().config["SECRET_KEY"] == "prefixed"


@pytest.mark.parametrize("missing", ["SECRET_KEY", "PORTAL_PII_KEY"])
def test_production_never_generates_a_missing_key(monkeypatch, tmp_path, missing):
    _documented_environment(monkeypatch, tmp_path, **{missing: None})
    with pytest.raises(RuntimeError, match=missing.removeprefix("PORTAL_")):
        create_app()


def test_production_refuses_demo_mode_and_unknown_settings(monkeypatch, tmp_path):
    _documented_environment(monkeypatch, tmp_path, PORTAL_DEMO="true")
    with pytest.raises(RuntimeError, match="DEMO"):
        create_app()
    _documented_environment(monkeypatch, tmp_path, PORTAL_SMS_SENDR="x")
    with pytest.raises(RuntimeError, match=r"PORTAL_SMS_SENDR \(did you mean PORTAL_SMS_SENDER"):
        create_app()
    _documented_environment(monkeypatch, tmp_path, PORTAL_ENV="prod")
    with pytest.raises(RuntimeError, match="PORTAL_ENV"):
        create_app()


def test_development_logs_unknown_settings(monkeypatch, tmp_path, caplog):
    _documented_environment(monkeypatch, tmp_path, PORTAL_ENV="development", PORTAL_BOARD_POLL_SECOND="9")
    create_app()
    assert "PORTAL_BOARD_POLL_SECOND (did you mean PORTAL_BOARD_POLL_SECONDS?)" in caplog.text


def test_production_answers_carry_hsts(monkeypatch, tmp_path):
    _documented_environment(monkeypatch, tmp_path)
    app = create_app()
    answer = app.test_client().get("/privacy")
    assert answer.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    _documented_environment(monkeypatch, tmp_path, PORTAL_ENV="development")
    assert "Strict-Transport-Security" not in create_app().test_client().get("/privacy").headers

"""Configuration guards: production refuses unsafe settings; Redis carries rate limits when configured."""

import os

import pytest

from portal import create_app
from tests.support import PII_KEY

REDIS_URL = os.environ.get("TEST_REDIS_URL")


def _production(tmp_path, **settings):
    config = {"ENV_NAME": "production", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'p.sqlite3'}"}
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

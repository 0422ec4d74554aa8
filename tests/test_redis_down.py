"""With Redis configured and not answering, members still sign in and get codes, the API answers, the
health check says "degraded" and the readiness check stays ready; when Redis comes back, everything uses
it again without a restart (docs/operations.md, "When Redis is down")."""

from __future__ import annotations

import shutil
import subprocess
import time

import pytest

from portal.campaigns.tokens import issue_personal_token
from portal.extensions import db
from tests.support import closed_port


def _sign_in(client, phone: str) -> int:
    return client.post("/auth/login", data={"phone": phone, "password": "steady-walker-42"}).status_code


def test_without_redis_members_sign_in_and_the_api_answers(app, make_app, make_user, caplog):
    url = f"redis://127.0.0.1:{closed_port()}/0"
    degraded = make_app(REDIS_URL=url, API_RATE_LIMIT_POLICY="shared")
    assert degraded.config["RATELIMIT_STORAGE_URI"] == url
    client = degraded.test_client()
    with degraded.app_context():
        user = make_user()
        secret = issue_personal_token(user, "phone").secret
        phone = user.phone
        db.session.commit()
    assert _sign_in(client, phone) == 303
    assert client.post("/auth/code/register", data={"phone": "13912340099"}).status_code == 200
    answer = client.get("/api/v1/me/campaigns", headers={"Authorization": f"Bearer {secret}"})
    assert answer.status_code == 200
    health = client.get("/healthz")
    assert health.status_code == 200 and health.json == {
        "status": "degraded",
        "database": "ok",
        "redis": "unreachable",
    }
    assert client.get("/readyz").status_code == 200
    assert "shared storage failed" in caplog.text


@pytest.mark.redis
@pytest.mark.skipif(shutil.which("redis-server") is None, reason="needs the redis-server program")
def test_when_redis_comes_back_it_is_used_again_without_a_restart(app, make_app, make_user, tmp_path):
    import redis

    port = closed_port()
    url = f"redis://127.0.0.1:{port}/0"
    degraded = make_app(REDIS_URL=url, API_RATE_LIMIT_POLICY="shared")
    client = degraded.test_client()
    with degraded.app_context():
        phone = make_user().phone
        db.session.commit()
    assert _sign_in(client, phone) == 303  # counted in memory meanwhile
    server = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--dir", str(tmp_path)],
        stdout=subprocess.DEVNULL,
    )
    try:
        store = redis.Redis.from_url(url)
        for _ in range(50):
            try:
                store.ping()
                break
            except redis.ConnectionError:
                time.sleep(0.1)
        assert client.get("/healthz").json["status"] == "ok"
        deadline = time.time() + 20  # Flask-Limiter tries its storage again after 1, 2, 4 … seconds
        while not store.keys("LIMITS*") and time.time() < deadline:
            client.post("/auth/code/register", data={"phone": "13912340098"})
            time.sleep(0.5)
        assert store.keys("LIMITS*"), "the limits are counted in Redis again"
    finally:
        server.terminate()
        server.wait(timeout=10)

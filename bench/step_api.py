"""The step-report API at 1,000,000 enrolled participants (docs/benchmarks.md, "Step-report API"), side by
side with a minimal endpoint.

    createdb -h 127.0.0.1 -U postgres portal_bench
    python -m bench.step_api --database-url postgresql://postgres@127.0.0.1:5432/portal_bench \
        --redis-url redis://127.0.0.1:6379/14 --rounds 5 --duration 15

Generates the participants in SQL (``--reuse`` measures again on an earlier run's data), then for each
round starts gunicorn twice on this machine — the minimal upsert endpoint, then the portal — and drives
each with wrk at 50 connections. Rounds alternate because this machine's speed drifts; the median ratio
is the result. A run with any non-2xx answer is void. Needs wrk (Debian package ``wrk``).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from flask_migrate import upgrade
from sqlalchemy import create_engine, inspect, text

from bench.serving import ROOT, serve_and_load, server_env
from portal import create_app
from portal.campaigns.day_rules import local_today
from portal.extensions import db
from portal.models import OrgKind
from portal.models.base import utcnow
from portal.orgs.tree import create_org
from portal.workflows.campaign_setup import create_campaign

PII_KEY = "A" * 43 + "="
LUA = """
math.randomseed(os.time())
local tokens, campaign, day = %(tokens)d, %(campaign)d, "%(day)s"
request = function()
  local user = math.random(1, tokens)
  local steps = math.random(0, 30000)
  local body = string.format('{"campaign_id": %%d, "day": "%%s", "steps": %%d}', campaign, day, steps)
  return wrk.format("POST", "/api/v1/steps", {["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer jbz_bench_" .. user}, body)
end
"""


def generated(url: str) -> tuple[int, str] | None:
    """The campaign and day of an earlier run's data in this database, if there is one."""
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        with engine.connect() as connection:
            if not inspect(connection).has_table("campaigns"):
                return None
            campaign_id = connection.scalar(text("SELECT max(id) FROM campaigns"))
    finally:
        engine.dispose()
    if campaign_id is None:
        return None
    return campaign_id, local_today(utcnow(), "Asia/Shanghai").isoformat()


def generate(url: str, participants: int, tokens: int) -> tuple[int, str]:
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url.replace("postgresql://", "postgresql+psycopg://", 1),
            "SECRET_KEY": "bench",
            "PII_KEY": PII_KEY,
        }
    )
    with app.test_request_context():
        upgrade(directory=str(ROOT / "migrations"))
        start = time.perf_counter()
        union = create_org(code="B", name="基准工会", kind=OrgKind.GRASSROOTS_UNION)
        today = local_today(utcnow(), "Asia/Shanghai")
        campaign = create_campaign(
            None, union, preset="teachers-7day", start_day=today - timedelta(days=2), publish=True
        )
        db.session.flush()
        db.session.execute(
            text(
                "INSERT INTO users (phone, session_nonce, is_platform_admin, created_at) "
                "SELECT '13' || lpad(g::text, 9, '0'), 'x', false, now() FROM generate_series(1, :n) g"
            ),
            {"n": participants},
        )
        db.session.execute(
            text(
                "INSERT INTO enrollments (campaign_id, user_id, unit_id, enrolled_at) "
                "SELECT :campaign, id, :unit, now() FROM users ORDER BY id"
            ),
            {"campaign": campaign.id, "unit": union.id},
        )
        db.session.execute(
            text(
                "INSERT INTO api_tokens (kind, name, token_hash, prefix, user_id, created_at) "
                "SELECT 'personal', 'bench', encode(sha256(convert_to('jbz_bench_' || id, 'UTF8')), 'hex'), "
                "'jbz_bench', id, now() "
                "FROM users ORDER BY id LIMIT :n"
            ),
            {"n": tokens},
        )
        db.session.commit()
        db.session.execute(text("ANALYZE"))
        db.session.commit()
        print(
            f"generated {participants:,} enrolled participants in {time.perf_counter() - start:.0f} s",
            flush=True,
        )
        campaign_id = campaign.id
        for engine in db.engines.values():
            engine.dispose()
    return campaign_id, today.isoformat()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--participants", type=int, default=1_000_000)
    parser.add_argument("--tokens", type=int, default=20_000)
    parser.add_argument("--duration", type=int, default=20)
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument(
        "--reuse", action="store_true", help="measure again on the data an earlier run generated here"
    )
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--redis-url", help="a Redis database the portal may use (and the benchmark empties) for rate limits"
    )
    args = parser.parse_args()
    existing = generated(args.database_url) if args.reuse else None
    campaign_id, day = existing or generate(args.database_url, args.participants, args.tokens)
    script = Path(tempfile.mkdtemp()) / "steps.lua"
    script.write_text(LUA % {"tokens": args.tokens, "campaign": campaign_id, "day": day})
    env = server_env(args.database_url, PII_KEY)
    if args.redis_url:
        env["REDIS_URL"] = args.redis_url
        _flush_redis(args.redis_url)
    # Side by side, alternating: this machine's speed drifts, so each round compares like with like.
    print("| round | minimal req/s | minimal p99 | portal req/s | portal p99 | portal / minimal |")
    print("|---|---|---|---|---|---|")
    ratios = []
    for round_ in range(1, args.rounds + 1):
        settings = {"workers": args.workers, "connections": args.connections, "duration": args.duration}
        baseline = serve_and_load("bench.minimal_upsert:app", 8101, env, script, **settings)
        portal = serve_and_load("wsgi:app", 8102, env, script, **settings)
        ratios.append(portal.rps / baseline.rps)
        ratio = f"{ratios[-1]:.0%}"
        cells = (round_, f"{baseline.rps:.0f}", baseline.p99, f"{portal.rps:.0f}", portal.p99, ratio)
        print("| " + " | ".join(str(cell) for cell in cells) + " |", flush=True)
    print(f"median portal / minimal = {statistics.median(ratios):.0%}")


def _flush_redis(url: str) -> None:
    """Start from empty rate-limit counters (the benchmark's Redis database only)."""
    import redis

    redis.Redis.from_url(url).flushdb()


if __name__ == "__main__":
    main()

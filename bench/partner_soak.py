"""Members stay fast while partners import: an evening peak on one machine (docs/benchmarks.md, "Partner
batches").

    createdb -h 127.0.0.1 -U postgres portal_soak
    python -m bench.partner_soak --database-url postgresql://postgres@127.0.0.1:5432/portal_soak \
        --redis-url redis://127.0.0.1:6379/13 --duration 600

Generates the rankings benchmark's campaign (``bench/board_data.py``, 300,000 participants by default,
30 days; ``--reuse`` takes an earlier run's), settles its closed days but the last, then serves the
portal under gunicorn (``--workers``; with ``--redis-url`` the board refreshes run in an RQ worker, as in
production, otherwise in the web processes) and for ``--duration`` seconds runs at once:

- members (``--members`` of them, each waiting 0.2–1 s between requests): 60% poll their board's panel
  as htmx does, 25% report today's steps through the personal API, 15% open the campaign page;
- partners (``--partners``), each sending batches of 200–500 records, a fifth of them for closed days,
  then pausing 0.5–2 s;
- the board refresh on the campaign's interval.

Prints the members' latency as the client saw it (p50, p95, p99), their 5xx, the partners' batches and
records per second with their 5xx, and the largest worker's memory. Target: members' p95 under 100 ms
and no 5xx for at least 10 minutes.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import random
import statistics
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select, text

from bench.boards import POLL_HEADERS, bench_app, member_cookies, prepare, settle_closed_days
from bench.serving import ROOT, server_env, start_gunicorn, worker_rss_mb
from portal.extensions import db
from portal.models import Enrollment, User

PII_KEY = "B" * 43 + "="
PARTNERS_SECRET = "jbz_soak_partner_{}"  # each partner its own token, as each app has
ZONE = ZoneInfo("Asia/Shanghai")


def tokens_and_phones(app, campaign_id: int, tokens: int, partners: int) -> tuple[list[str], list[str]]:
    """Personal tokens for ``tokens`` members (``jbz_soak_<user id>``), a token for each partner, and
    every enrolled phone (what the partners send)."""
    with app.app_context():
        db.session.execute(text("DELETE FROM api_tokens WHERE prefix = 'jbz_soak'"))
        db.session.execute(
            text(
                "INSERT INTO api_tokens (kind, name, token_hash, prefix, user_id, created_at) "
                "SELECT 'personal', 'soak', "
                "encode(sha256(convert_to('jbz_soak_' || user_id, 'UTF8')), 'hex'), 'jbz_soak', user_id, "
                "now() FROM enrollments WHERE campaign_id = :c ORDER BY id LIMIT :n"
            ),
            {"c": campaign_id, "n": tokens},
        )
        for index in range(partners):
            db.session.execute(
                text(
                    "INSERT INTO api_tokens (kind, name, token_hash, prefix, campaign_id, created_at) "
                    "VALUES ('partner', 'soak', encode(sha256(convert_to(:s, 'UTF8')), 'hex'), 'jbz_soak', "
                    ":c, now())"
                ),
                {"s": PARTNERS_SECRET.format(index), "c": campaign_id},
            )
        db.session.commit()
        users = db.session.scalars(
            select(Enrollment.user_id).where(Enrollment.campaign_id == campaign_id).order_by(Enrollment.id)
        ).all()
        secrets = [f"jbz_soak_{user}" for user in users[:tokens]]
        phones = db.session.scalars(
            select(User.phone)
            .join(Enrollment, Enrollment.user_id == User.id)
            .where(Enrollment.campaign_id == campaign_id)
        ).all()
    return secrets, phones


class Recorder:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.latencies: list[float] = []
        self.statuses: dict[int, int] = {}
        self.records = 0

    def note(self, seconds: float, status: int, records: int = 0) -> None:
        with self.lock:
            self.latencies.append(seconds)
            self.statuses[status] = self.statuses.get(status, 0) + 1
            self.records += records

    def errors(self) -> int:
        return sum(count for status, count in self.statuses.items() if status >= 500)


def request(port: int, method: str, path: str, headers: dict, body: str | None = None) -> tuple[float, int]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    begun = time.perf_counter()
    try:
        connection.request(method, path, body, headers)
        response = connection.getresponse()
        response.read()
        status = response.status
    except (OSError, http.client.HTTPException):
        status = 599  # no answer at all counts as a server failure
    finally:
        connection.close()
    return time.perf_counter() - begun, status


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--redis-url")
    parser.add_argument("--participants", type=int, default=300_000)
    parser.add_argument("--duration", type=int, default=600)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--members", type=int, default=24)
    parser.add_argument("--partners", type=int, default=6)
    parser.add_argument("--reuse", action="store_true")
    args = parser.parse_args()

    app = bench_app(args.database_url)
    campaign_id = prepare(app, args.participants, args.reuse)
    settle_closed_days(app, campaign_id, 2)
    cookies = member_cookies(app, campaign_id, count=100)
    secrets, phones = tokens_and_phones(app, campaign_id, 2_000, args.partners)
    today = datetime.now(ZONE).date()
    port = 8141
    env = server_env(args.database_url, PII_KEY)
    if args.redis_url:
        env["REDIS_URL"] = args.redis_url
    processes = [start_gunicorn("wsgi:app", port, env, workers=args.workers)]
    if args.redis_url:  # the refreshes run in the job worker, as in production
        processes.append(
            subprocess.Popen(
                [sys.executable, "-m", "flask", "--app", "portal", "jobs", "worker"],
                cwd=ROOT,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
    members, partners = Recorder(), Recorder()
    stop = threading.Event()
    peak = [0.0]

    def member(index: int) -> None:
        chance = random.Random(index)
        cookie = cookies[index % len(cookies)]
        while not stop.is_set():
            roll = chance.random()
            if roll < 0.60:
                headers = {"Cookie": cookie, **POLL_HEADERS}
                seconds, status = request(port, "GET", f"/campaigns/{campaign_id}/boards/individual", headers)
            elif roll < 0.85:
                body = json.dumps(
                    {"campaign_id": campaign_id, "day": today.isoformat(), "steps": chance.randint(0, 30000)}
                )
                headers = {
                    "Authorization": f"Bearer {chance.choice(secrets)}",
                    "Content-Type": "application/json",
                }
                seconds, status = request(port, "POST", "/api/v1/steps", headers, body)
            else:
                seconds, status = request(port, "GET", f"/campaigns/{campaign_id}", {"Cookie": cookie})
            members.note(seconds, status)
            stop.wait(chance.uniform(0.2, 1.0))

    def partner(index: int) -> None:
        chance = random.Random(1000 + index)
        headers = {
            "Authorization": f"Bearer {PARTNERS_SECRET.format(index)}",
            "Content-Type": "application/json",
        }
        while not stop.is_set():
            records = []
            for phone in chance.sample(phones, chance.randint(200, 500)):
                back = chance.choice((1, 2)) if chance.random() < 0.2 else 0
                day = today - timedelta(days=back)
                synced = min(
                    datetime.combine(day, datetime.min.time(), ZONE)
                    + timedelta(minutes=chance.randint(480, 1400)),
                    datetime.now(ZONE) - timedelta(seconds=30),
                )
                records.append(
                    {
                        "phone": phone,
                        "day": day.isoformat(),
                        "steps": chance.randint(0, 30000),
                        "reported_at": synced.isoformat(),
                        "checkin": chance.random() < 0.5,
                    }
                )
            body = json.dumps({"records": records})
            path = f"/api/v1/campaigns/{campaign_id}/steps/bulk"
            seconds, status = request(port, "POST", path, headers, body)
            partners.note(seconds, status, len(records) if status == 200 else 0)
            stop.wait(chance.uniform(0.5, 2.0))

    def sample() -> None:
        while not stop.wait(0.5):
            with contextlib.suppress(OSError):
                peak[0] = max(peak[0], worker_rss_mb(processes[0].pid))

    try:
        time.sleep(4)
        threads = [threading.Thread(target=member, args=(i,)) for i in range(args.members)]
        threads += [threading.Thread(target=partner, args=(i,)) for i in range(args.partners)]
        threads.append(threading.Thread(target=sample))
        begun = time.time()
        for thread in threads:
            thread.start()
        while time.time() - begun < args.duration:
            time.sleep(min(60, args.duration - (time.time() - begun)))
            if members.latencies:
                recent = sorted(members.latencies[-2000:])
                p95 = recent[int(len(recent) * 0.95)] * 1000
                print(
                    f"{time.time() - begun:5.0f} s: members p95 {p95:.0f} ms "
                    f"(last {len(recent)}), partners {len(partners.latencies)} batches",
                    flush=True,
                )
        stop.set()
        for thread in threads:
            thread.join(timeout=120)
        elapsed = time.time() - begun
    finally:
        stop.set()
        for process in processes:
            process.terminate()
            process.wait(timeout=30)
    times = sorted(members.latencies)

    def quantile(q: float) -> str:
        return f"{times[min(len(times) - 1, int(len(times) * q))] * 1000:.0f} ms"

    print(
        f"members: {len(times)} requests in {elapsed:.0f} s, p50 {quantile(0.5)}, p95 {quantile(0.95)}, "
        f"p99 {quantile(0.99)}, max {times[-1] * 1000:.0f} ms, 5xx {members.errors()} ({members.statuses})"
    )
    batch = sorted(partners.latencies)
    print(
        f"partners: {len(batch)} batches, {partners.records / elapsed:.0f} records/s, median batch "
        f"{statistics.median(batch) * 1000:.0f} ms, slowest {batch[-1] * 1000:.0f} ms, "
        f"5xx {partners.errors()} ({partners.statuses}); largest web worker {peak[0]:.0f} MB"
    )


if __name__ == "__main__":
    main()

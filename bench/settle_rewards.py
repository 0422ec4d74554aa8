"""Settling a day's points, badges and draw chances at 1,000,000 participants (docs/benchmarks.md, "Settling a
day's rewards").

    createdb -h 127.0.0.1 -U postgres portal_rewards
    python -m bench.settle_rewards --database-url postgresql://postgres@127.0.0.1:5432/portal_rewards

Generates the rankings benchmark's campaign (bench/board_data.py) over two days (yesterday and today,
seed 001's rules with check-ins that earn points), then times on yesterday, a closed day:
1. ``settle_day_rewards`` the first time (it pays: check-ins, step points, qualified days; looks for
   badges and chances);
2. the same again (it pays nothing: every key is taken), which is what a repeated settlement costs;
Each is one transaction, committed, timed around the call; statements of half a second or more are listed
with their time. ``--reuse`` measures again on an earlier run's data, from an emptied ledger.
"""

from __future__ import annotations

import argparse
import time

from sqlalchemy import event, func, select, text

from bench.boards import bench_app, prepare
from portal.extensions import db
from portal.models import Campaign, PointEntry
from portal.models.base import utcnow
from portal.rewards.earning import settle_day_rewards


class StatementTimer:
    """Times every statement the work sends, to say where a settlement's seconds go."""

    def __init__(self) -> None:
        self.times: list[tuple[float, str]] = []

    def before(self, conn, cursor, statement, parameters, context, executemany) -> None:
        conn.info["bench_started"] = time.perf_counter()

    def after(self, conn, cursor, statement, parameters, context, executemany) -> None:
        took = time.perf_counter() - conn.info.pop("bench_started")
        self.times.append((took, " ".join(statement.split())[:150]))

    def report(self, at_least: float = 0.5) -> None:
        for took, statement in self.times:
            if took >= at_least:
                print(f"    {took:6.1f} s  {statement}")
        self.times.clear()


def timed(label: str, work, timer: StatementTimer) -> None:
    start = time.perf_counter()
    work()
    db.session.commit()
    entries, points = db.session.execute(
        select(func.count(), func.coalesce(func.sum(PointEntry.points), 0))
    ).one()
    print(f"{label}: {time.perf_counter() - start:.1f} s  (ledger: {entries:,} entries, {points:,} points)")
    timer.report()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--participants", type=int, default=1_000_000)
    parser.add_argument("--reuse", action="store_true", help="measure again on an earlier run's data here")
    args = parser.parse_args()
    app = bench_app(args.database_url)
    campaign_id = prepare(app, args.participants, args.reuse, days=2, rules={"checkin": "points"})
    timer = StatementTimer()
    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", timer.before)
        event.listen(db.engine, "after_cursor_execute", timer.after)
        campaign = db.session.get(Campaign, campaign_id)
        day = campaign.start_day  # yesterday: closed, so every rule of the day is paid
        if args.reuse:  # start again from an empty ledger, as the first settlement of the day
            db.session.execute(text("TRUNCATE point_entries, draw_chances, badges CASCADE"))
            db.session.commit()
        timed("rewards, first settlement", lambda: settle_day_rewards(campaign, day, now=utcnow()), timer)
        timed("rewards, repeated", lambda: settle_day_rewards(campaign, day, now=utcnow()), timer)


if __name__ == "__main__":
    main()

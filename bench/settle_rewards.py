"""Settling a day's points, badges and draw chances at 1,000,000 participants (issue 8).

    createdb -h 127.0.0.1 -U postgres portal_rewards
    python -m bench.settle_rewards --database-url postgresql://postgres@127.0.0.1:5432/portal_rewards

Generates the rankings benchmark's campaign (bench/board_data.py) over two days (yesterday and today,
seed 001's rules with check-ins that earn points), then times on yesterday, a closed day:
1. ``settle_day_rewards`` the first time (it pays: check-ins, step points, qualified days; looks for
   badges and chances);
2. the same again (it pays nothing: every key is taken), which is what a repeated settlement costs;
3. the whole ``settle_day`` once more (recount, totals, team days, rewards).
Each is one transaction, committed, timed around the call.
"""

from __future__ import annotations

import argparse
import time

from flask_migrate import upgrade
from sqlalchemy import func, inspect, select

from bench.board_data import generate_board_campaign
from bench.rankings import bench_app
from bench.serving import ROOT
from portal.extensions import db
from portal.models import Campaign, PointEntry
from portal.models.base import utcnow
from portal.services.rewards import settle_day_rewards
from portal.services.settlement import settle_day


def prepare(app, participants: int, reuse: bool) -> int:
    with app.app_context():
        if reuse and inspect(db.engine).has_table("campaigns"):
            found = db.session.scalar(select(Campaign.id).order_by(Campaign.id.desc()).limit(1))
            if found is not None:
                return found
        upgrade(directory=str(ROOT / "migrations"))
        campaign_id = generate_board_campaign(participants, days=2)
        campaign = db.session.get(Campaign, campaign_id)
        campaign.rules = {**campaign.rules, "checkin": "points"}
        db.session.commit()
        return campaign_id


def timed(label: str, work) -> None:
    start = time.perf_counter()
    work()
    db.session.commit()
    entries, points = db.session.execute(
        select(func.count(), func.coalesce(func.sum(PointEntry.points), 0))
    ).one()
    print(f"{label}: {time.perf_counter() - start:.1f} s  (ledger: {entries:,} entries, {points:,} points)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--participants", type=int, default=1_000_000)
    parser.add_argument("--reuse", action="store_true", help="measure again on an earlier run's data here")
    args = parser.parse_args()
    app = bench_app(args.database_url)
    campaign_id = prepare(app, args.participants, args.reuse)
    with app.app_context():
        campaign = db.session.get(Campaign, campaign_id)
        day = campaign.start_day  # yesterday: closed, so every rule of the day is paid
        timed("rewards, first settlement", lambda: settle_day_rewards(campaign, day, now=utcnow()))
        timed("rewards, repeated", lambda: settle_day_rewards(campaign, day, now=utcnow()))
        timed("whole settle_day, repeated", lambda: settle_day(campaign, day))


if __name__ == "__main__":
    main()

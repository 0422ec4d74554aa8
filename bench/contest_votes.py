"""A works collection of a province at a million members (docs/benchmarks.md, "Works collection"): server time
of the gallery, a work's page and a vote, and votes racing for one popular work.

    createdb -h 127.0.0.1 -U postgres portal_contests
    python -m bench.contest_votes --database-url postgresql://postgres@127.0.0.1:5432/portal_contests

1. Generates (PostgreSQL, in SQL): the 100,000-node tree (bench/generate.py), 1,000,000 members spread over
   its grassroots unions, a collection of the root with the six preset categories, voting open for the
   last 10 days; 20,000 approved works and 2,000 waiting; on each of the 9 days before today one member
   in five picks two works, most often a few popular ones (a cubic skew): 3.1 million votes (the same
   pick twice in a day counts once), with the members' day counters and the works' counts. ``--reuse``
   measures again on an earlier run's data.
2. Times through the Flask test client, signed in as a member: the gallery (newest, most voted, one
   category most voted, page 100 of most voted), a work's page, and a vote with htmx by different
   members for different works. 60 runs after 5 warm-ups (votes: 200, each a new member and work);
   the whole request in the server, p50 and p99.
3. Races: 12 threads (the connection pool holds 15), each a different member, voting at once for the
   most voted work (its row is the hot spot every vote updates), 20 rounds: votes per second, and the
   work's count checked against its rows.
"""

from __future__ import annotations

import argparse
import random
import threading
import time
from datetime import timedelta

from flask_migrate import upgrade
from sqlalchemy import func, inspect, select, text, update

from bench.board_data import run_statements
from bench.boards import PASSWORD, bench_app
from bench.dashboard import print_row, timed_gets
from bench.generate import generate_org_tree
from bench.serving import ROOT
from portal.campaigns.day_rules import local_today
from portal.contests.contest import Windows, category_presets, create_contest, open_contest
from portal.contests.votes import cast_vote
from portal.extensions import db
from portal.identity.passwords import hash_password
from portal.models import Contest, ContestVote, ContestWork, Organisation, User
from portal.models.base import utcnow

NODES = 100_000
WORKS, PENDING = 20_000, 2_000
VOTING_DAYS = 10
# The work of member m's k-th vote on day d: skewed towards the first works (a few popular ones).
CHOICE = (
    "(power(((m::bigint * 2654435761 + d * 40503 + k * 97) % 1000003)::float / 1000003, 3) * :works)::int"
)


def generate(members: int) -> int:
    started = time.perf_counter()
    generate_org_tree(NODES)
    today = local_today(utcnow(), "Asia/Shanghai")
    contest = create_contest(
        None,
        db.session.get(Organisation, 1),
        title="基准作品征集",
        rules="",
        windows=Windows(
            submit_from=today - timedelta(days=20),
            submit_until=today + timedelta(days=5),
            vote_from=today - timedelta(days=VOTING_DAYS - 1),
            vote_until=today + timedelta(days=5),
            results_on=today + timedelta(days=10),
        ),
        votes_per_day=5,
        categories=list(category_presets()),
    )
    open_contest(None, contest)
    db.session.commit()
    leaves = db.session.execute(
        text("SELECT min(id), max(id) FROM organisations WHERE kind = 'grassroots_union'")
    ).one()
    first_category = contest.categories[0].id
    params = {
        "n": members,
        "contest": contest.id,
        "first": leaves[0],
        "count": leaves[1] - leaves[0] + 1,
        "works": WORKS,
        "all_works": WORKS + PENDING,
        "category": first_category,
        "vote_from": contest.vote_from,
    }
    steps = [
        (
            "members",
            "INSERT INTO users (phone, real_name, session_nonce, is_platform_admin, hide_from_boards, "
            "created_at) SELECT '15' || lpad(g::text, 9, '0'), '基准' || chr(19968 + g % 20000), 'x', false, "
            "false, now() - interval '60 days' FROM generate_series(1, :n) g",
        ),
        (
            "memberships",
            "INSERT INTO memberships (user_id, organisation_id, category, started_at) "
            "SELECT u.id, :first + u.id % :count, 'enterprise', now() FROM users u ORDER BY u.id",
        ),
        (
            "works",
            "INSERT INTO contest_works (contest_id, category_id, author_id, organisation_id, title, body, "
            "status, revision, submitted_at, updated_at, votes, late_votes) "
            "SELECT :contest, :category + g % 6, g * 37 % :n + 1, :first + g % :count, '作品' || g, '', "
            "CASE WHEN g <= :works THEN 'approved' ELSE 'pending' END, 1, "
            "now() - make_interval(mins => :all_works - g), now(), 0, 0 "
            "FROM generate_series(1, :all_works) g",
        ),
        (
            "votes",
            "INSERT INTO contest_votes (contest_id, work_id, user_id, day, cast_at, late_account) "
            f"SELECT :contest, (SELECT min(id) FROM contest_works) + {CHOICE}, m, :vote_from + d, now(), "
            f"false FROM generate_series(1, :n) m, generate_series(0, {VOTING_DAYS - 2}) d, "
            "generate_series(0, 1) k "
            "WHERE (m * 7 + d) % 5 = 0 ON CONFLICT DO NOTHING",
        ),
        (
            "voter days",
            "INSERT INTO contest_voter_days (contest_id, user_id, day, votes) "
            "SELECT contest_id, user_id, day, count(*) FROM contest_votes GROUP BY contest_id, user_id, day",
        ),
        (
            "work counts",
            "UPDATE contest_works w SET votes = c.n FROM (SELECT work_id, count(*) AS n FROM contest_votes "
            "GROUP BY work_id) c WHERE w.id = c.work_id",
        ),
    ]
    run_statements(steps, params)
    print(f"generated in {time.perf_counter() - started:.0f} s", flush=True)
    return contest.id


def prepare(app, members: int, reuse: bool) -> int:
    with app.app_context():
        if reuse and inspect(db.engine).has_table("contests"):
            contest_id = db.session.scalar(select(Contest.id).order_by(Contest.id.desc()).limit(1))
            if contest_id is not None:
                return contest_id
        upgrade(directory=str(ROOT / "migrations"))
        return generate(members)


def _signed_in(app, user_id: int):
    with app.app_context():
        db.session.execute(
            update(User).where(User.id == user_id).values(password_hash=hash_password(PASSWORD))
        )
        db.session.commit()
        phone = db.session.get(User, user_id).phone
    client = app.test_client()
    assert client.post("/auth/login", data={"phone": phone, "password": PASSWORD}).status_code == 303
    return client


def time_pages(app, contest_id: int, runs: int) -> None:
    with app.app_context():
        contest = db.session.get(Contest, contest_id)
        category = contest.categories[2].id
        popular = db.session.scalar(
            select(ContestWork.id)
            .where(ContestWork.contest_id == contest_id)
            .order_by(ContestWork.votes.desc())
        )
        totals = db.session.execute(
            select(func.count(), func.max(ContestWork.votes)).select_from(ContestWork)
        ).one()
        votes = db.session.scalar(select(func.count()).select_from(ContestVote))
        print(f"works: {totals[0]:,} (most votes {totals[1]:,}); votes: {votes:,}", flush=True)
    client = _signed_in(app, 1)
    base = f"/contests/{contest_id}"
    print("| request | p50 ms | p99 ms |")
    print("|---|---|---|")
    for label, path in (
        ("gallery, newest", base),
        ("gallery, most voted", f"{base}?sort=votes"),
        ("gallery, one category, most voted", f"{base}?category={category}&sort=votes"),
        ("gallery, most voted, page 100", f"{base}?sort=votes&page=100"),
        ("the most voted work's page", f"/contests/works/{popular}"),
    ):
        print_row(label, timed_gets(client, path, runs))
    samples = []
    # Members and works of this run (the generated votes are all before today; a run with --reuse starts
    # elsewhere, so that its votes are new ones too).
    first = random.randrange(100_000, 600_000)
    for index in range(205):
        voter = _signed_in(app, first + index * 3)
        work = popular + 1000 + index
        headers = {"HX-Request": "true", "HX-Target": f"vote-{work}"}
        begun = time.perf_counter()
        response = voter.post(f"/contests/works/{work}/vote", headers=headers)
        took = (time.perf_counter() - begun) * 1000
        assert response.status_code in (200, 422), response.status_code
        if index >= 5:
            samples.append(took)
    print_row("a vote (htmx), each by another member", samples)


def race_for_one_work(app, contest_id: int, threads: int, rounds: int) -> None:
    """``threads`` members at once for the most voted work, ``rounds`` times over (new members each round)."""
    with app.app_context():
        work_id = db.session.scalar(
            select(ContestWork.id)
            .where(ContestWork.contest_id == contest_id)
            .order_by(ContestWork.votes.desc())
        )
    first_voter = random.randrange(600_000, 900_000)
    outcomes: list[str] = []

    def vote(user_id: int, barrier: threading.Barrier) -> None:
        with app.app_context():
            user, work = db.session.get(User, user_id), db.session.get(ContestWork, work_id)
            barrier.wait()
            try:
                cast_vote(user, work)
                db.session.commit()
                outcomes.append("ok")
            except Exception as error:
                db.session.rollback()
                outcomes.append(type(error).__name__)
            finally:
                db.session.remove()

    begun = time.perf_counter()
    for round_index in range(rounds):
        barrier = threading.Barrier(threads)
        pool = [
            threading.Thread(target=vote, args=(first_voter + round_index * threads + i, barrier))
            for i in range(threads)
        ]
        for thread in pool:
            thread.start()
        for thread in pool:
            thread.join()
    took = time.perf_counter() - begun
    with app.app_context():
        work = db.session.get(ContestWork, work_id)
        rows = db.session.scalar(select(func.count()).where(ContestVote.work_id == work_id))
    accepted = outcomes.count("ok")
    print(
        f"race: {threads} threads × {rounds} rounds for one work: {accepted} accepted "
        f"({len(outcomes) - accepted} refused: {sorted(set(outcomes) - {'ok'})}), "
        f"{accepted / took:.0f} votes/s; "
        f"count {work.votes:,} = rows {rows:,}: {work.votes == rows}",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--members", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=60)
    parser.add_argument("--threads", type=int, default=12)  # within the pool of 15
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--reuse", action="store_true", help="measure again on an earlier run's data here")
    args = parser.parse_args()
    app = bench_app(args.database_url)
    app.config["RATELIMIT_VERIFY_PER_IP"] = "100000/minute"  # 200 members sign in from this one address
    contest_id = prepare(app, args.members, args.reuse)
    time_pages(app, contest_id, args.runs)
    race_for_one_work(app, contest_id, args.threads, args.rounds)


if __name__ == "__main__":
    main()

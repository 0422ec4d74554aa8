"""Refreshes racing each other, readers reading through refreshes, and export jobs racing for one request
(PostgreSQL, real threads)."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest

from portal.boards.reading import read_board
from portal.boards.snapshots import refresh_boards
from portal.campaigns.rules import BoardKind
from portal.campaigns.steps import report_steps
from portal.extensions import db
from portal.models import Campaign, ReportSource
from portal.models.base import utcnow
from tests.campaign_helpers import enrolled, member_of, running_campaign, today_local
from tests.concurrency.test_races import race

pytestmark = pytest.mark.postgres


@pytest.fixture
def campaign(app, tree, make_user):
    app.config["BOARD_LIVE_MAX_PARTICIPANTS"] = 0  # read from snapshots, as a large campaign is
    made = running_campaign(tree["edu"])
    day, instant = today_local() - timedelta(days=1), utcnow()
    for steps in (12000, 9000, 9000, 3000):  # received at one instant: the two 9,000s tie on all four keys
        member = enrolled(member_of(make_user(), tree["njmu"]), made, tree["njmu"])
        report_steps(member, day=day, steps=steps, source=ReportSource.IMPORT, now=instant, allow_closed=True)
    db.session.commit()
    yield made
    app.config["BOARD_LIVE_MAX_PARTICIPANTS"] = 2000


def test_racing_refreshes_compute_the_boards_once(app, campaign):
    campaign_id = campaign.id
    results = []

    def refresh(_index):
        results.append(refresh_boards(db.session.get(Campaign, campaign_id)))

    assert race(app, refresh, threads=6) == {"ok": 6}
    done = [result for result in results if result is not None]
    assert len(done) >= 1 and all(result.rows == {"individual": 4} for result in done)
    # Whoever ran, the board is whole and names one table.
    assert [row.rank for row in read_board(campaign, BoardKind.INDIVIDUAL, limit=10).rows] == [1, 2, 2, 4]


def test_readers_never_wait_for_or_miss_a_board_during_refreshes(app, campaign):
    campaign_id = campaign.id
    refresh_boards(campaign)
    stop = threading.Event()
    seen, failures = [], []

    def reader():
        with app.app_context():
            try:
                while not stop.is_set():
                    view = read_board(db.session.get(Campaign, campaign_id), BoardKind.INDIVIDUAL, limit=10)
                    seen.append([row.rank for row in view.rows])
                    db.session.commit()
            except Exception as error:
                failures.append(error)
            finally:
                db.session.remove()

    readers = [threading.Thread(target=reader) for _ in range(3)]
    for thread in readers:
        thread.start()
    with app.app_context():
        for _ in range(5):
            assert refresh_boards(db.session.get(Campaign, campaign_id)) is not None
        db.session.remove()
    stop.set()
    for thread in readers:
        thread.join(timeout=30)
    assert failures == [] and seen and all(ranks == [1, 2, 2, 4] for ranks in seen)


def test_racing_jobs_write_an_export_once(app, campaign, make_user, tree):
    """A request enqueued twice (an RQ retry, two threads) is claimed by one job; the others write nothing."""
    from portal.boards.export_files import export_dir, request_board_export, run_board_export
    from portal.models import BoardExport, ExportStatus

    refresh_boards(campaign)
    export_id = request_board_export(make_user(admin_of=tree["edu"]), campaign, BoardKind.INDIVIDUAL).id
    db.session.commit()
    ended = []

    def write(_index):
        ended.append(run_board_export(export_id))

    assert race(app, write, threads=6) == {"ok": 6}
    assert ended.count(ExportStatus.DONE) == 1 and ended.count(None) == 5
    assert db.session.get(BoardExport, export_id).row_count == 4
    assert len(list(export_dir().iterdir())) == 1

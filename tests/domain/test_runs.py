"""Runs from GPX: consent first, safe XML only, totals kept, too-fast runs not counted, health days."""

from datetime import UTC, datetime, timedelta

import pytest

from portal.campaigns.day_rules import end_of_local_day
from portal.campaigns.errors import DuplicateRun, InvalidGpx, LocationConsentRequired
from portal.campaigns.runs import CLOCK_AHEAD, add_run, distance_by_day, give_location_consent, list_runs
from portal.extensions import db
from tests.campaign_helpers import (
    WALK_MINUTES,
    enrolled,
    gpx_track,
    member_of,
    running_campaign,
    today_local,
)


@pytest.fixture
def enrollment(app, tree, make_user):
    campaign = running_campaign(tree["edu"], "eco-walk")
    return enrolled(member_of(make_user(), tree["njmu"]), campaign, tree["njmu"])


def test_nothing_is_read_before_consent(enrollment, walk_start):
    with pytest.raises(LocationConsentRequired):
        add_run(enrollment, gpx_track(walk_start))


def test_a_walk_adds_its_distance_to_the_day(enrollment, walk_start):
    give_location_consent(enrollment)
    start = walk_start
    run = add_run(enrollment, gpx_track(start))
    db.session.commit()
    assert 2000 < run.distance_m < 2200 and run.duration_s == 19 * 60 and not run.too_fast
    assert distance_by_day(list_runs(enrollment)) == {run.day: run.distance_m}
    with pytest.raises(DuplicateRun):
        add_run(enrollment, gpx_track(start))


def test_too_fast_runs_are_kept_but_not_counted(enrollment, walk_start):
    give_location_consent(enrollment)
    run = add_run(enrollment, gpx_track(walk_start, seconds_apart=10))  # about 40 km/h
    assert run.too_fast and distance_by_day(list_runs(enrollment)) == {}


def test_a_track_that_ends_after_now_is_refused(app, enrollment):
    give_location_consent(enrollment)
    noon = end_of_local_day(today_local() - timedelta(days=1), "Asia/Shanghai") + timedelta(hours=12)
    now = noon.astimezone(UTC)  # gpx_track writes UTC
    ahead = now - timedelta(minutes=WALK_MINUTES) + CLOCK_AHEAD  # ends at the edge of a fast clock
    run = add_run(enrollment, gpx_track(ahead), now=now)
    assert run.duration_s == WALK_MINUTES * 60
    with app.test_request_context(), pytest.raises(InvalidGpx) as raised:
        add_run(enrollment, gpx_track(ahead + timedelta(seconds=1)), now=now)
    assert "晚于现在" in str(raised.value.message)


NO_TIMES = (
    b'<gpx xmlns="http://www.topografix.com/GPX/1/1">'
    b'<trk><trkseg><trkpt lat="1" lon="1"/></trkseg></trk></gpx>'
)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b'<?xml version="1.0"?><!DOCTYPE gpx [<!ENTITY a "b">]><gpx>&a;</gpx>', "DOCTYPE"),
        (b'<?xml version="1.0"?><!DOCTYPE gpx SYSTEM "file:///etc/passwd"><gpx/>', "DOCTYPE"),
        (b"not xml at all", "GPX"),
        (NO_TIMES, "GPX"),
        (b"<gpx>" + b" " * (5 * 1024 * 1024) + b"</gpx>", "5 MB"),
    ],
)
def test_unsafe_or_useless_files_are_refused(app, enrollment, data, message):
    give_location_consent(enrollment)
    with app.test_request_context(), pytest.raises(InvalidGpx) as raised:
        add_run(enrollment, data)
    assert message in str(raised.value.message)


def test_runs_on_closed_days_are_refused(app, enrollment):
    from portal.campaigns.errors import DayNotOpen

    give_location_consent(enrollment)
    yesterday_noon = datetime.combine(
        today_local() - timedelta(days=1), datetime.min.time(), tzinfo=UTC
    ) + timedelta(hours=4)
    with pytest.raises(DayNotOpen):
        add_run(enrollment, gpx_track(yesterday_noon))

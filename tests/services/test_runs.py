"""Runs from GPX: consent first, safe XML only, totals kept, too-fast runs not counted, health days."""

from datetime import UTC, datetime, timedelta

import pytest

from portal.extensions import db
from portal.services.errors import DuplicateRun, InvalidGpx, LocationConsentRequired
from portal.services.runs import add_run, give_location_consent, run_distance_by_day
from tests.campaign_helpers import (
    a_walk_start_today,
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


def test_nothing_is_read_before_consent(enrollment):
    with pytest.raises(LocationConsentRequired):
        add_run(enrollment, gpx_track(a_walk_start_today()))


def test_a_walk_adds_its_distance_to_the_day(enrollment):
    give_location_consent(enrollment)
    start = a_walk_start_today()
    run = add_run(enrollment, gpx_track(start))
    db.session.commit()
    assert 2000 < run.distance_m < 2200 and run.duration_s == 19 * 60 and not run.too_fast
    assert run_distance_by_day(enrollment) == {run.day: run.distance_m}
    with pytest.raises(DuplicateRun):
        add_run(enrollment, gpx_track(start))


def test_too_fast_runs_are_kept_but_not_counted(enrollment):
    give_location_consent(enrollment)
    run = add_run(enrollment, gpx_track(a_walk_start_today(), seconds_apart=10))  # about 40 km/h
    assert run.too_fast and run_distance_by_day(enrollment) == {}


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
    from portal.services.errors import DayNotOpen

    give_location_consent(enrollment)
    yesterday_noon = datetime.combine(
        today_local() - timedelta(days=1), datetime.min.time(), tzinfo=UTC
    ) + timedelta(hours=4)
    with pytest.raises(DayNotOpen):
        add_run(enrollment, gpx_track(yesterday_noon))

"""Runs from GPX files (rules §5): distance added to the day, the health-day rule, speed plausibility.

A GPX file is location data: nothing is read before the member's separate consent, and only the run's
totals (start, distance, duration) are kept. The XML is first checked by defusedxml, which refuses a
DOCTYPE, entities and external references (billion laughs, XXE), and only then handed to gpxpy.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from xml.etree.ElementTree import ParseError

import gpxpy
import gpxpy.gpx
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from portal.campaigns.day_rules import local_datetime
from portal.campaigns.errors import DuplicateRun, InvalidGpx, LocationConsentRequired
from portal.campaigns.steps import CampaignTerms, check_day_open
from portal.extensions import db
from portal.models.base import utcnow
from portal.models.campaign import Enrollment
from portal.models.steps import Run

MAX_GPX_BYTES = 5 * 1024 * 1024
MAX_SPEED_KMH = 25.0
# How far ahead of the server's clock a track may end: a watch or phone a little fast, uploaded at once.
CLOCK_AHEAD = timedelta(minutes=5)


def give_location_consent(enrollment: Enrollment) -> None:
    if enrollment.location_consent_at is None:
        enrollment.location_consent_at = utcnow()


def _parse(data: bytes) -> gpxpy.gpx.GPX:
    if len(data) > MAX_GPX_BYTES:
        raise InvalidGpx(_l("The file is larger than 5 MB."))
    try:
        fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException:
        raise InvalidGpx(
            _l("The file declares a DOCTYPE or entities, which a GPX track never needs.")
        ) from None
    except ParseError:
        raise InvalidGpx() from None
    try:
        return gpxpy.parse(data.decode("utf-8"))
    except (gpxpy.gpx.GPXException, UnicodeDecodeError, ValueError):
        raise InvalidGpx() from None


def add_run(enrollment: Enrollment, data: bytes, *, now: datetime | None = None) -> Run:
    """Read a GPX upload and keep its totals for the local day it started on. A track that ends after
    now (beyond ``CLOCK_AHEAD``) is refused: its times are wrong, and a run not yet over counts nothing."""
    now = now or utcnow()
    if enrollment.location_consent_at is None:
        raise LocationConsentRequired()
    gpx = _parse(data)
    bounds = gpx.get_time_bounds()
    if bounds.start_time is None or bounds.end_time is None:
        raise InvalidGpx()
    start = bounds.start_time if bounds.start_time.tzinfo else bounds.start_time.replace(tzinfo=UTC)
    end = bounds.end_time if bounds.end_time.tzinfo else bounds.end_time.replace(tzinfo=UTC)
    duration = int((end - start).total_seconds())
    distance = round(gpx.length_2d() or 0)
    if duration <= 0:
        raise InvalidGpx()
    if end > now + CLOCK_AHEAD:
        raise InvalidGpx(
            _l("The track ends later than now. Check your device's clock and export the run again.")
        )
    campaign = enrollment.campaign
    day = local_datetime(start, campaign.timezone).date()
    check_day_open(CampaignTerms.of(campaign), day, now=now)
    run = Run(
        enrollment_id=enrollment.id,
        day=day,
        started_at=start.astimezone(UTC),
        distance_m=distance,
        duration_s=duration,
        too_fast=distance / duration * 3.6 > MAX_SPEED_KMH,
    )
    try:
        with db.session.begin_nested():
            db.session.add(run)
    except IntegrityError:
        raise DuplicateRun() from None
    return run


def distance_by_day(runs: Iterable[Run]) -> dict[date, int]:
    """Metres run each day, counting only plausible runs (a member's runs: a few a day at most)."""
    metres: dict[date, int] = {}
    for run in runs:
        if not run.too_fast:
            metres[run.day] = metres.get(run.day, 0) + run.distance_m
    return metres


def list_runs(enrollment: Enrollment) -> list[Run]:
    return list(
        db.session.scalars(
            select(Run).where(Run.enrollment_id == enrollment.id).order_by(Run.started_at.desc())
        )
    )

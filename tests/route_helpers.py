"""Builders for route tests: days reported in the past, photos with and without metadata."""

from __future__ import annotations

import io
from datetime import timedelta

from PIL import Image

from portal.campaigns.steps import report_steps
from portal.extensions import db
from portal.models import Enrollment, ReportSource
from tests.campaign_helpers import today_local


def walk_days(enrollment: Enrollment, steps: list[int]) -> None:
    """Report ``steps`` for the days before today, oldest first (as an admin import backfills them)."""
    for back, count in enumerate(reversed(steps), start=1):
        report_steps(
            enrollment,
            day=today_local() - timedelta(days=back),
            steps=count,
            source=ReportSource.IMPORT,
            allow_closed=True,
        )
    db.session.commit()


def photo_bytes(size=(800, 600), image_format="JPEG", *, gps: bool = False, colour=(40, 120, 200)) -> bytes:
    image = Image.new("RGB", size, colour)
    for x in range(0, size[0], 40):  # some detail, so a blank result is told apart
        for y in range(0, size[1], 40):
            image.putpixel((x, y), (255, 255, 255))
    buffer = io.BytesIO()
    if gps:
        exif = Image.Exif()
        exif[0x010F] = "TestCam"  # Make
        exif[0x8825] = {1: "N", 2: (32.0, 3.0, 0.0), 3: "E", 4: (118.0, 47.0, 0.0)}  # GPS IFD
        image.save(buffer, image_format, exif=exif)
    else:
        image.save(buffer, image_format)
    return buffer.getvalue()


def bomb_png() -> bytes:
    """A small PNG whose header claims 30,000 × 30,000 pixels: refused before it is decoded."""
    buffer = io.BytesIO()
    Image.new("1", (30_000, 30_000)).save(buffer, "PNG")
    return buffer.getvalue()

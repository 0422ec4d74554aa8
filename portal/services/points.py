"""The points ledger (SPEC §9): every award is a row with a key, so paying twice is impossible."""

from __future__ import annotations

from sqlalchemy import func, select

from portal.database import insert_for
from portal.extensions import db
from portal.models.campaign import Enrollment
from portal.models.points import PointEntry, PointReason


def award_points(enrollment: Enrollment, reason: PointReason, key: str, points: int) -> bool:
    """Pay ``points`` for ``reason``/``key`` once; True when this call paid them. Safe under concurrency:
    the ledger's unique key decides, with ``INSERT … ON CONFLICT DO NOTHING``."""
    if points <= 0:
        return False
    statement = (
        insert_for(db.engine.dialect.name, PointEntry)
        .values(
            enrollment_id=enrollment.id,
            campaign_id=enrollment.campaign_id,
            reason=reason,
            award_key=key,
            points=points,
        )
        .on_conflict_do_nothing(index_elements=["enrollment_id", "reason", "award_key"])
    )
    return db.session.execute(statement).rowcount == 1


def points_of(enrollment: Enrollment) -> int:
    return db.session.scalar(
        select(func.coalesce(func.sum(PointEntry.points), 0)).where(PointEntry.enrollment_id == enrollment.id)
    )

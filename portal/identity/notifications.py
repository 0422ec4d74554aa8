"""In-app notifications: one row per message, unread until the person opens the list."""

from __future__ import annotations

from sqlalchemy import ColumnElement, ScalarSelect, func, select, update

from portal.extensions import db
from portal.models.base import utcnow
from portal.models.membership import Application, Notification


def notify(user_id: int, kind: str, application: Application | None = None) -> Notification:
    notification = Notification(
        user_id=user_id, kind=kind, application_id=application.id if application else None
    )
    db.session.add(notification)
    return notification


def unread_of(user_id: int | ColumnElement[int]) -> ScalarSelect[int]:
    """How many of the user's notifications are unread (``user_id`` a value, or a column it correlates
    to: the sign-in reads it with the user, ``accounts.load_session_user``)."""
    return (
        select(func.count())
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
        .scalar_subquery()
    )


def count_unread(user_id: int) -> int:
    return db.session.scalar(select(unread_of(user_id))) or 0


def list_notifications(user_id: int, *, limit: int = 50) -> list[Notification]:
    return list(
        db.session.scalars(
            select(Notification)
            .where(Notification.user_id == user_id)
            .order_by(Notification.created_at.desc(), Notification.id.desc())
            .limit(limit)
        )
    )


def mark_all_read(user_id: int) -> None:
    db.session.execute(
        update(Notification)
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
        .execution_options(synchronize_session=False)
    )

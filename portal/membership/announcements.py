"""Announcements (通知公告): a union admin publishes a notice for everyone whose membership lies
in the union's subtree; members see the newest on their home pages and open them, which is counted once
per member (the read count admins see)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from portal.common.audit import record_audit
from portal.common.errors import NotFound
from portal.database import insert_for
from portal.extensions import db
from portal.membership.applications import active_membership
from portal.membership.permissions import can_announce, can_withdraw
from portal.models.announcements import Announcement, AnnouncementRead
from portal.models.base import utcnow
from portal.models.identity import User
from portal.models.org import Organisation
from portal.orgs.permissions import require
from portal.orgs.scope import AdminScope


@dataclass(frozen=True)
class AnnouncementLine:
    announcement: Announcement
    reads: int = 0  # for admins: members who opened it
    read: bool = False  # for a member: they opened it


def publish_announcement(actor: User | None, org: Organisation, *, title: str, body: str) -> Announcement:
    require(can_announce(actor, org))
    announcement = Announcement(
        organisation_id=org.id, title=title.strip(), body=body.strip(), author_id=actor.id if actor else None
    )
    db.session.add(announcement)
    db.session.flush()
    record_audit(
        actor,
        "announcement.publish",
        subject_type="announcement",
        subject_id=announcement.id,
        organisation_id=org.id,
        after={"title": announcement.title},
    )
    return announcement


def withdraw_announcement(actor: User, announcement: Announcement) -> None:
    """Take it off members' pages (its reads are kept)."""
    require(can_withdraw(actor, announcement))
    if announcement.withdrawn_at is None:
        announcement.withdrawn_at = utcnow()
        record_audit(
            actor,
            "announcement.withdraw",
            subject_type="announcement",
            subject_id=announcement.id,
            organisation_id=announcement.organisation_id,
        )


def announcements_in_scope(scope: AdminScope, *, limit: int = 50) -> list[AnnouncementLine]:
    """The newest announcements of the unions in scope, with how many members read each."""
    announcements = db.session.scalars(
        select(Announcement)
        .join(Announcement.organisation)
        .where(scope.clause(Organisation.path))
        .order_by(Announcement.published_at.desc(), Announcement.id.desc())
        .limit(limit)
    ).all()
    reads = dict(
        db.session.execute(
            select(AnnouncementRead.announcement_id, func.count())
            .where(AnnouncementRead.announcement_id.in_([a.id for a in announcements]))
            .group_by(AnnouncementRead.announcement_id)
        ).all()
    )
    return [AnnouncementLine(a, reads=reads.get(a.id, 0)) for a in announcements]


def announcement_in_scope(scope: AdminScope, announcement_id: int) -> Announcement:
    announcement = db.session.get(Announcement, announcement_id)
    if announcement is None or not scope.contains(announcement.organisation):
        raise NotFound()
    return announcement


def _visible_to(user: User):
    """The announcements a member sees: live ones of their union and every union above it."""
    membership = active_membership(user)
    unions = membership.organisation.ancestor_ids() if membership else []
    return select(Announcement).where(
        Announcement.organisation_id.in_(unions), Announcement.withdrawn_at.is_(None)
    )


def announcements_for(user: User, *, limit: int = 5) -> list[AnnouncementLine]:
    """The member's newest announcements, each marked read or not."""
    announcements = db.session.scalars(
        _visible_to(user).order_by(Announcement.published_at.desc(), Announcement.id.desc()).limit(limit)
    ).all()
    read = set(
        db.session.scalars(
            select(AnnouncementRead.announcement_id).where(
                AnnouncementRead.user_id == user.id,
                AnnouncementRead.announcement_id.in_([a.id for a in announcements]),
            )
        )
    )
    return [AnnouncementLine(a, read=a.id in read) for a in announcements]


def open_announcement(user: User, announcement_id: int) -> Announcement:
    """The announcement, if the member may see it, counted as read by them (once)."""
    announcement = db.session.scalar(_visible_to(user).where(Announcement.id == announcement_id))
    if announcement is None:
        raise NotFound()
    db.session.execute(
        insert_for(db.engine.dialect.name, AnnouncementRead)
        .values(announcement_id=announcement.id, user_id=user.id, read_at=utcnow())
        .on_conflict_do_nothing()
    )
    return announcement

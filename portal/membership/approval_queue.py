"""The admins' approval queue: applications whose target union lies in the admin's scope."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Select, func, select
from sqlalchemy.orm import contains_eager, selectinload

from portal.common.errors import DomainError, NotFound
from portal.common.phones import mask_phone
from portal.extensions import db
from portal.identity.accounts import person_matches
from portal.membership.applications import approve_application
from portal.models.identity import User
from portal.models.membership import Application, ApplicationKind, ApplicationStatus
from portal.models.org import Organisation
from portal.orgs.scope import AdminScope

LOCAL_ZONE = ZoneInfo("Asia/Shanghai")


@dataclass(frozen=True)
class QueueFilters:
    status: ApplicationStatus | None = ApplicationStatus.PENDING
    kind: ApplicationKind | None = None
    union: str = ""  # part of the target union's name
    submitted_from: date | None = None  # local days, inclusive
    submitted_to: date | None = None
    query: str = ""  # a name, a phone's last four digits, or a masked phone such as 139****5678


def _local_day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=LOCAL_ZONE)


def queue_query(scope: AdminScope, filters: QueueFilters) -> Select:
    query = (
        select(Application)
        .join(Application.target_org)
        .join(Application.user)
        .options(contains_eager(Application.target_org), contains_eager(Application.user))
        .where(scope.clause(Organisation.path))
    )
    if filters.status is not None:
        query = query.where(Application.status == filters.status)
    if filters.kind is not None:
        query = query.where(Application.kind == filters.kind)
    if filters.union:
        query = query.where(Organisation.name.contains(filters.union, autoescape=True))
    if filters.submitted_from:
        query = query.where(Application.submitted_at >= _local_day_start(filters.submitted_from))
    if filters.submitted_to:
        query = query.where(
            Application.submitted_at < _local_day_start(filters.submitted_to + timedelta(days=1))
        )
    if (matches := person_matches(filters.query)) is not None:
        query = query.where(matches)
    return query


def decider_name(application: Application) -> str:
    """Who decided the application, as the queue and its export show them: the admin's name, or their
    masked number; "" while it waits."""
    decider = application.decided_by
    if decider is None:
        return ""
    return decider.real_name or mask_phone(decider.phone)


def list_queue(
    scope: AdminScope, filters: QueueFilters, *, limit: int = 50, offset: int = 0
) -> tuple[list[Application], int]:
    """One page of the queue, oldest first (first come, first decided), and how many match in all."""
    query = queue_query(scope, filters)
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    rows = db.session.scalars(
        query.options(selectinload(Application.decided_by))
        .order_by(Application.submitted_at, Application.id)
        .limit(limit)
        .offset(offset)
    ).all()
    return list(rows), total


def application_in_scope(scope: AdminScope, application_id: int) -> Application:
    application = db.session.get(Application, application_id)
    if application is None or not scope.contains(application.target_org):
        raise NotFound()
    return application


@dataclass
class BulkOutcome:
    approved: int = 0
    skipped: int = 0


def bulk_approve(actor: User, scope: AdminScope, application_ids: list[int]) -> BulkOutcome:
    """Approve each pending application of the selection that lies in scope; each in its own savepoint,
    so one that cannot be approved (decided meanwhile, applicant already a member) skips only itself."""
    outcome = BulkOutcome()
    query = (
        select(Application)
        .join(Application.target_org)
        .where(Application.id.in_(application_ids), scope.clause(Organisation.path))
        .order_by(Application.id)
    )
    found = list(db.session.scalars(query))
    outcome.skipped = len(set(application_ids)) - len(found)
    for application in found:
        try:
            with db.session.begin_nested():
                approve_application(actor, application)
        except DomainError:
            outcome.skipped += 1
        else:
            outcome.approved += 1
    return outcome

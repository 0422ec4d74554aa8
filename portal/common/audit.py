"""Writing the audit log. Callers pass plain dicts of the fields that changed."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal.extensions import db
from portal.models.audit import AuditEntry
from portal.models.identity import User
from portal.models.org import Organisation


def record_audit(
    actor: User | None,
    action: str,
    *,
    subject_type: str,
    subject_id: int | None,
    organisation_id: int | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEntry:
    entry = AuditEntry(
        actor_id=actor.id if actor else None,
        action=action,
        subject_type=subject_type,
        subject_id=subject_id,
        organisation_id=organisation_id,
        before=before,
        after=after,
    )
    db.session.add(entry)
    return entry


def list_audit(scope, *, limit: int = 100) -> list[AuditEntry]:
    """Entries about organisations in ``scope`` (a platform admin also sees those about no organisation)."""
    query = (
        select(AuditEntry).options(selectinload(AuditEntry.actor)).order_by(AuditEntry.id.desc()).limit(limit)
    )
    if not scope.everything:
        query = query.join(Organisation, Organisation.id == AuditEntry.organisation_id).where(scope.clause())
    return list(db.session.scalars(query))

"""Writing the audit log. Callers pass plain dicts of the fields that changed."""

from __future__ import annotations

from typing import Any

from portal.extensions import db
from portal.models.audit import AuditEntry
from portal.models.identity import User


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

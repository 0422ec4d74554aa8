"""Who may run a works collection (rules §10, §11): edit it, open it, review works, award and publish
results. One predicate; the services enforce it (``portal.orgs.permissions.require``), whoever calls."""

from __future__ import annotations

from portal.models.contest import Contest
from portal.models.identity import User
from portal.orgs.permissions import can_administer


def can_manage_contest(admin: User | None, contest: Contest) -> bool:
    """An admin whose scope contains the collection's union, or a platform admin."""
    return can_administer(admin, contest.organisation)

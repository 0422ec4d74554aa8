"""Who may decide applications, keep the roster and publish announcements (rules §3.2, §3.4, §11). One
predicate per decision; the services enforce them (``portal.orgs.permissions.require``), whoever calls."""

from __future__ import annotations

from portal.models.announcements import Announcement
from portal.models.identity import User
from portal.models.membership import Application, Membership
from portal.models.org import Organisation
from portal.orgs.permissions import can_administer


def can_decide(admin: User | None, application: Application) -> bool:
    """Approving or rejecting a join or transfer application: an admin whose scope (their union and
    everything under it) contains the application's target union, or a platform admin (rules §3.2)."""
    return can_administer(admin, application.target_org)


def can_announce(admin: User | None, org: Organisation) -> bool:
    """Publishing an announcement to everyone under ``org``."""
    return can_administer(admin, org)


def can_withdraw(admin: User | None, announcement: Announcement) -> bool:
    return can_administer(admin, announcement.organisation)


def can_manage_member(admin: User | None, membership: Membership) -> bool:
    """Ending a membership, moving the member between units, mending their name: an admin whose scope
    contains the member's unit (rules §3.4)."""
    return can_administer(admin, membership.organisation)

"""Who may run a campaign (rules §4.1, §11): change its rules and route, publish it, review its flagged
days, import its steps, issue its partner tokens, keep its prize pools and question bank. One predicate;
the services enforce it (``portal.orgs.permissions.require``), whoever calls."""

from __future__ import annotations

from portal.models.campaign import Campaign
from portal.models.identity import User
from portal.orgs.permissions import can_administer


def can_manage(admin: User | None, campaign: Campaign) -> bool:
    """An admin whose scope contains the campaign's union, or a platform admin."""
    return can_administer(admin, campaign.organisation)

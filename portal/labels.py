"""Display names of the enums, translatable; templates use ``label(value)``. An enum defined above the
models (a campaign rule's) carries its own ``label``."""

from __future__ import annotations

import enum

from flask_babel import lazy_gettext as _l

from portal.models.contest import WorkKind, WorkStatus
from portal.models.membership import ApplicationKind, ApplicationStatus, MemberCategory
from portal.models.org import OrgKind
from portal.models.points import BadgeKind, PointReason
from portal.models.prizes import ChanceSource, DrawOutcome, PrizeKind

LABELS: dict[enum.Enum, object] = {
    OrgKind.PROVINCE_FEDERATION: _l("Province federation"),
    OrgKind.CITY_UNION: _l("City union"),
    OrgKind.INDUSTRY_UNION: _l("Industry union"),
    OrgKind.DIRECT_UNION: _l("Directly managed union"),
    OrgKind.DISTRICT_UNION: _l("District union"),
    OrgKind.GRASSROOTS_UNION: _l("Grassroots union"),
    OrgKind.UNIT: _l("Unit"),
    MemberCategory.PUBLIC_INSTITUTION: _l("Staff of a government body or public institution"),
    MemberCategory.ENTERPRISE: _l("Enterprise employee"),
    MemberCategory.NEW_EMPLOYMENT_FORM: _l("Worker in a new form of employment"),
    MemberCategory.OTHER: _l("Other employee"),
    ApplicationKind.JOIN: _l("Join"),
    ApplicationKind.TRANSFER: _l("Transfer"),
    ApplicationStatus.PENDING: _l("Pending"),
    ApplicationStatus.APPROVED: _l("Approved"),
    ApplicationStatus.REJECTED: _l("Rejected"),
    ApplicationStatus.WITHDRAWN: _l("Withdrawn"),
    PointReason.CHECKIN: _l("Daily check-in"),
    PointReason.STEPS: _l("Steps turned into points"),
    PointReason.QUALIFIED_DAY: _l("Qualified day"),
    PointReason.REFLECTION: _l("Reflection at a landmark"),
    PointReason.QUIZ: _l("Correct quiz answer"),
    PointReason.TEAM_DAY: _l("Team-qualified day"),
    PointReason.CAPTAIN_TASK: _l("Captain's task: a full team"),
    PointReason.REDEEM: _l("Redeemed for a draw chance"),
    BadgeKind.FULL_ATTENDANCE: _l("Full attendance"),
    BadgeKind.ROUTE_COMPLETE: _l("Route complete"),
    BadgeKind.QUALIFIED_DAYS: _l("Qualified days"),
    ChanceSource.POINTS: _l("Bought with points"),
    ChanceSource.CHECKIN: _l("Daily check-in draw"),
    ChanceSource.BADGE: _l("Badge draw"),
    ChanceSource.FINAL_RANK: _l("Final ranking draw"),
    ChanceSource.HEALTH_DAY: _l("Health day draw"),
    PrizeKind.CASH: _l("Red packet or credit"),
    PrizeKind.VOUCHER: _l("Voucher"),
    PrizeKind.PHYSICAL: _l("Shipped prize"),
    DrawOutcome.WON: _l("Won"),
    DrawOutcome.NO_PRIZE: _l("No prize"),
    DrawOutcome.SOLD_OUT: _l("Sold out: no prize"),
    WorkKind.PHOTO: _l("Photos"),
    WorkKind.VIDEO: _l("A video link"),
    WorkKind.TEXT: _l("A written text"),
    WorkStatus.PENDING: _l("Pending"),
    WorkStatus.APPROVED: _l("Approved"),
    WorkStatus.REJECTED: _l("Rejected"),
}


AUDIT_ACTIONS = {
    "application.join": _l("Applied to join"),
    "application.transfer": _l("Applied to transfer"),
    "application.withdraw": _l("Withdrew an application"),
    "application.approve": _l("Approved an application"),
    "application.reject": _l("Rejected an application"),
    "org.create": _l("Added an organisation"),
    "org.update": _l("Changed an organisation"),
    "org.move": _l("Moved an organisation"),
    "admin.grant": _l("Appointed an admin"),
    "admin.revoke": _l("Revoked an admin"),
    "members.import": _l("Imported members"),
    "prizes.codes": _l("Uploaded voucher codes"),
    "prizes.edit": _l("Changed a prize pool"),
    "prizes.final_rank": _l("Gave the final-ranking draws"),
    "prizes.export_winners": _l("Exported the winners"),
    "prizes.export_addresses": _l("Exported the shipping addresses"),
    "contest.create": _l("Created a works collection"),
    "contest.update": _l("Changed a works collection"),
    "contest.open": _l("Opened a works collection"),
    "contest.category": _l("Changed the categories of a works collection"),
    "contest.work_approve": _l("Approved a work"),
    "contest.work_reject": _l("Rejected a work"),
    "contest.award": _l("Changed the winners of a works collection"),
    "contest.publish_results": _l("Published the results of a works collection"),
    "campaign.create": _l("Created a campaign"),
    "campaign.update": _l("Changed a campaign's rules"),
    "campaign.publish": _l("Published a campaign"),
    "announcement.publish": _l("Published an announcement"),
    "announcement.withdraw": _l("Withdrew an announcement"),
    "applications.export": _l("Exported the applications"),
    "board.export": _l("Exported a board"),
    "dashboard.export": _l("Exported the participation figures"),
    "day.appeal": _l("Appealed a flagged day"),
    "day.cleared": _l("Cleared a flagged day"),
    "day.confirmed": _l("Confirmed a flagged day"),
    "landmark.add": _l("Added a landmark"),
    "landmark.update": _l("Changed a landmark"),
    "landmark.move": _l("Moved a landmark"),
    "landmark.image": _l("Changed a landmark's picture"),
    "questions.import": _l("Imported quiz questions"),
    "reflection.hide": _l("Hid a reflection"),
    "steps.import": _l("Imported steps"),
    "token.partner": _l("Issued a partner token"),
    "membership.end": _l("Ended a membership"),
    "membership.move": _l("Moved a member to another unit"),
    "member.rename": _l("Corrected a member's name"),
    "roster.export": _l("Exported the roster"),
}


def audit_action(code: str) -> str:
    return str(AUDIT_ACTIONS.get(code, code))


def label(value: enum.Enum | None) -> str:
    if value is None:
        return ""
    if value in LABELS:
        return str(LABELS[value])
    return str(getattr(value, "label", value))

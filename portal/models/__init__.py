"""SQLAlchemy models, one module per aggregate. Importing this package registers them all."""

from portal.models.announcements import Announcement, AnnouncementRead
from portal.models.api import ApiToken, TokenKind
from portal.models.audit import AuditEntry
from portal.models.base import Base, utcnow
from portal.models.board import Board, BoardExport, EnrollmentTotals, ExportStatus, TotalsCutoff
from portal.models.campaign import Campaign, CampaignDay, Enrollment
from portal.models.contest import (
    Contest,
    ContestAward,
    ContestCategory,
    ContestVote,
    ContestVoterDay,
    ContestWork,
    ContestWorkImage,
    WorkKind,
    WorkStatus,
)
from portal.models.figures import FiguresRefresh, NodeDayFigures, NodeFigures
from portal.models.identity import Gender, SmsCode, SmsPurpose, UnionAdminRole, User
from portal.models.membership import (
    Application,
    ApplicationKind,
    ApplicationStatus,
    MemberCategory,
    Membership,
    Notification,
)
from portal.models.org import Organisation, OrgKind
from portal.models.points import Badge, BadgeKind, PointEntry, PointReason
from portal.models.prizes import (
    ChanceSource,
    Draw,
    DrawChance,
    DrawOutcome,
    PrizeCode,
    PrizeKind,
    PrizePool,
    PrizeTier,
    ShippingAddress,
)
from portal.models.route import Certificate, Landmark, LandmarkVisit, Question, QuizAnswer, Reflection
from portal.models.steps import Checkin, DailyRecord, DayFlag, DayReview, ReportSource, Run
from portal.models.team import JoinRequestStatus, Team, TeamAnnouncement, TeamDay, TeamJoinRequest, TeamMember

__all__ = [
    "Announcement",
    "AnnouncementRead",
    "ApiToken",
    "Application",
    "ApplicationKind",
    "ApplicationStatus",
    "AuditEntry",
    "Badge",
    "BadgeKind",
    "Base",
    "Board",
    "BoardExport",
    "Campaign",
    "CampaignDay",
    "Certificate",
    "ChanceSource",
    "Checkin",
    "Contest",
    "ContestAward",
    "ContestCategory",
    "ContestVote",
    "ContestVoterDay",
    "ContestWork",
    "ContestWorkImage",
    "DailyRecord",
    "DayFlag",
    "DayReview",
    "Draw",
    "DrawChance",
    "DrawOutcome",
    "Enrollment",
    "EnrollmentTotals",
    "ExportStatus",
    "FiguresRefresh",
    "Gender",
    "JoinRequestStatus",
    "Landmark",
    "LandmarkVisit",
    "MemberCategory",
    "Membership",
    "NodeDayFigures",
    "NodeFigures",
    "Notification",
    "OrgKind",
    "Organisation",
    "PointEntry",
    "PointReason",
    "PrizeCode",
    "PrizeKind",
    "PrizePool",
    "PrizeTier",
    "Question",
    "QuizAnswer",
    "Reflection",
    "ReportSource",
    "Run",
    "ShippingAddress",
    "SmsCode",
    "SmsPurpose",
    "Team",
    "TeamAnnouncement",
    "TeamDay",
    "TeamJoinRequest",
    "TeamMember",
    "TokenKind",
    "TotalsCutoff",
    "UnionAdminRole",
    "User",
    "WorkKind",
    "WorkStatus",
    "utcnow",
]

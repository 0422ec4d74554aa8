"""Domain errors of teams (the shared base and the generic ones are in ``portal.common.errors``)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from portal.common.errors import DomainError


class TeamsNotEnabled(DomainError):
    message = _l("This campaign has no teams.")
    status = 404


class TeamFull(DomainError):
    message = _l("This team is full: it already has as many members as the rules allow.")
    status = 409


class AlreadyInTeam(DomainError):
    message = _l("You are already in a team of this campaign: one team per person.")
    status = 409


class TeamOfAnotherCampaign(DomainError):
    message = _l("This team belongs to another campaign.")
    status = 404


class InvalidInviteCode(DomainError):
    field = "code"
    message = _l("No team has this invitation code. Check it with your captain.")
    status = 404


class NotCaptain(DomainError):
    message = _l("Only the team's captain can do this.")
    status = 403


class InvalidGoals(DomainError):
    field = "member_goal"


class InvalidTeamName(DomainError):
    field = "name"
    message = _l("Give the team a name of 1 to 30 characters.")


class TeamNameTaken(DomainError):
    field = "name"
    message = _l("Another team of this campaign has this name.")
    status = 409


class CannotLeaveTeam(DomainError):
    status = 409


class AlreadyRequested(DomainError):
    message = _l("You have already asked to join this team; the captain will answer.")
    status = 409


class RequestNotPending(DomainError):
    message = _l("This request has been answered already.")
    status = 409


class InvalidAnnouncement(DomainError):
    field = "text"
    message = _l("Write the announcement in 1 to 500 characters.")

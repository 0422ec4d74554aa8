"""Domain errors of campaigns (the shared base and the generic ones are in ``portal.common.errors``)."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from portal.common.errors import DomainError


class StaleImport(DomainError):
    field = "file"
    message = _l("Some people in the file changed union since the preview. Upload the file again.")
    status = 409


class CampaignNotOpen(DomainError):
    message = _l("This campaign is not open for enrolment.")
    status = 409


class NotEligible(DomainError):
    message = _l("This campaign is for members of its union. Apply to join the union first.")
    status = 403


class UnitOutsideUnion(DomainError):
    field = "unit"
    message = _l("Choose a unit of your own union.")


class AlreadyEnrolled(DomainError):
    message = _l("You are already enrolled in this campaign.")
    status = 409


class InvalidSteps(DomainError):
    field = "steps"
    message = _l("Enter the step count as a whole number from 0 to 1,000,000.")


class DayNotOpen(DomainError):
    """A well-formed report for a day the campaign does not accept now: a conflict with its state."""

    field = "day"
    status = 409


class DayOutsideCampaign(DayNotOpen):
    message = _l("This day is not part of the campaign.")


class DayNotYet(DayNotOpen):
    message = _l("Steps cannot be reported for a day that has not come yet.")


class DayClosed(DayNotOpen):
    message = _l("This day has closed; its steps can no longer be changed.")


class CampaignFrozen(DayNotOpen):
    """The campaign's last day has closed and been settled: its final boards are frozen."""

    message = _l("The campaign has ended and its final boards are frozen; no more steps are accepted.")


class NotEnrolled(DomainError):
    """A partner's record for a phone that no member of the campaign is enrolled with."""

    field = "phone"
    status = 404
    message = _l("No member with this number is enrolled in the campaign.")


class ReportedAtInFuture(DomainError):
    """A report time later than its arrival (beyond the allowed clock skew): the device's clock is wrong."""

    field = "reported_at"
    message = _l(
        "reported_at is later than the time the record arrived; check the clock of the phone or the server "
        "that sent it."
    )


class ReportedAtBeforeDay(DomainError):
    """A day's steps cannot have been read before that day began."""

    field = "reported_at"
    message = _l("reported_at is before the day it reports; a day's steps are read on or after that day.")


class CheckinNotOffered(DomainError):
    field = "checkin"
    message = _l("This campaign has no daily check-in; the steps were taken without it.")


class NotFlagged(DomainError):
    message = _l("This day is not held for review.")
    status = 409


class AlreadyAppealed(DomainError):
    field = "note"
    message = _l("You have already appealed this day. The union will review it.")
    status = 409


class AlreadyReviewed(DomainError):
    message = _l("This day has already been reviewed.")
    status = 409


class AppealNoteRequired(DomainError):
    field = "note"
    message = _l("Say briefly why the count is right (at most 300 characters).")


class InvalidGpx(DomainError):
    field = "gpx"
    message = _l("This is not a GPX track with times. Export the run as GPX from your sports app.")


class LocationConsentRequired(DomainError):
    field = "gpx"
    message = _l("Agree to the processing of your track's location data first.")
    status = 409


class DuplicateRun(DomainError):
    field = "gpx"
    message = _l("This run was already uploaded.")
    status = 409


class InvalidRules(DomainError):
    field = "rules"
    message = _l("These rules contradict each other.")


class CampaignStarted(DomainError):
    field = "rules"
    message = _l("The campaign has started: its counting rules can no longer change.")
    status = 409


class CampaignNotReady(DomainError):
    status = 409

    def __init__(self, missing_labels: list[str]) -> None:
        super().__init__(
            _(
                "It cannot be published yet. Still missing: %(items)s",
                items="；".join(missing_labels),
            )
        )


class UnknownToken(DomainError):
    """No live token has this secret (never issued, or revoked)."""

    status = 401


class NotAPersonalToken(DomainError):
    status = 403


class OwnerNotEnrolled(DomainError):
    """The token's owner has no enrolment in the campaign the report names."""

    status = 404

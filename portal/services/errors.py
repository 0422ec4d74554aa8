"""Domain errors. Each carries a translatable message a member can act on, and the form field it concerns."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l


class DomainError(Exception):
    """A rule said no. ``message`` is shown to the person; ``field`` names the input it is about."""

    message = _l("The request could not be completed.")
    field: str | None = None
    status = 422

    def __init__(self, message: str | None = None, *, field: str | None = None) -> None:
        if message is not None:
            self.message = message
        if field is not None:
            self.field = field
        super().__init__(str(self.message))


class InvalidPhone(DomainError):
    message = _l("Enter an 11-digit mainland mobile number, such as 13912345678.")
    field = "phone"


class InvalidIdNumber(DomainError):
    field = "id_number"
    message = _l("This is not a valid 18-digit resident ID number.")


class IdNumberTaken(DomainError):
    field = "id_number"
    message = _l("This ID number is already linked to another account.")
    status = 409


class PhoneAlreadyRegistered(DomainError):
    field = "phone"
    message = _l("This number is already registered. Log in, or reset the password if you forgot it.")
    status = 409


class PhoneNotRegistered(DomainError):
    field = "phone"
    message = _l("No account uses this number yet. Register first.")
    status = 404


class WeakPassword(DomainError):
    field = "password"


class BadCredentials(DomainError):
    field = "password"
    message = _l("The number or the password is wrong.")
    status = 401


class SmsCodeProblem(DomainError):
    """Any reason a one-time code was not accepted."""

    field = "code"


class SmsCodeWrong(SmsCodeProblem):
    message = _l("The verification code is wrong.")


class SmsCodeExpired(SmsCodeProblem):
    message = _l("The verification code has expired or was already used. Request a new one.")


class SmsCodeLocked(SmsCodeProblem):
    message = _l("Too many wrong codes. Request a new one.")


class ProfileAlreadyVerified(DomainError):
    field = "id_number"
    message = _l("Your real-name profile is already verified and cannot be changed here.")
    status = 409


class OrgCodeTaken(DomainError):
    field = "code"
    message = _l("Another organisation already uses this code.")
    status = 409


class OrgNotFound(DomainError):
    field = "org"
    message = _l("No organisation has this code.")
    status = 404


class ProfileRequired(DomainError):
    message = _l("Complete your real-name profile first.")
    status = 409


class NotAGrassrootsUnion(DomainError):
    field = "union"
    message = _l("Choose a grassroots union from the list.")


class AlreadyAMember(DomainError):
    message = _l("You are already a union member. To change union, apply for a transfer.")
    status = 409


class NotAMember(DomainError):
    message = _l("Only union members can transfer. Apply to join first.")
    status = 409


class SameUnion(DomainError):
    field = "union"
    message = _l("You are already a member of this union.")
    status = 409


class ApplicationAlreadyPending(DomainError):
    message = _l("You already have an application waiting for a decision. Withdraw it first to apply again.")
    status = 409


class ApplicationNotPending(DomainError):
    message = _l("This application has already been decided or withdrawn.")
    status = 409


class RejectReasonRequired(DomainError):
    field = "reason"
    message = _l("Give the member a reason for the rejection.")


class InvalidMove(DomainError):
    field = "parent_code"
    message = _l("A node cannot move under itself or below its own children.")


class OutsideScope(DomainError):
    field = "parent_code"
    message = _l("You can only use unions that you administer.")
    status = 404


class CannotGrantHere(DomainError):
    field = "phone"
    message = _l("You can appoint admins only for the unions below your own.")
    status = 403


class NotASpreadsheet(DomainError):
    field = "file"
    message = _l(
        "This file is not a CSV or Excel (.xlsx) spreadsheet. Save it as one of those and try again."
    )


class MissingColumns(DomainError):
    field = "file"


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


class LandmarkNotLit(DomainError):
    message = _l("This landmark is not lit yet: keep walking to reach it.")
    status = 409


class LandmarkNotPassed(DomainError):
    message = _l("Pass this landmark first by answering its question.")
    status = 409


class WrongAnswer(DomainError):
    field = "choice"
    message = _l("That is not the right answer. Read the introduction again and try once more.")


class InvalidChoice(DomainError):
    field = "choice"
    message = _l("Choose one of the answers.")


class AlreadyReflected(DomainError):
    message = _l("You have already written your reflection on this landmark.")
    status = 409


class InvalidReflection(DomainError):
    field = "text"
    message = _l("Write your reflection in 10 to 1,000 characters.")


class InvalidImage(DomainError):
    field = "photo"
    message = _l("Upload a photo as a JPEG or PNG file.")


class ImageTooLarge(DomainError):
    field = "photo"
    message = _l("This image is too large: at most 10 MB and 40 megapixels.")
    status = 413


class FontMissing(DomainError):
    message = _l(
        "The server has no Chinese font, so it cannot draw this picture. Ask the administrator to install "
        "fonts-noto-cjk."
    )
    status = 503


class NotInQuizSet(DomainError):
    field = "choice"
    message = _l("This question is not in your set for today.")


class AlreadyAnswered(DomainError):
    field = "choice"
    message = _l("You have already answered this question.")
    status = 409


class InvalidLandmark(DomainError):
    message = _l("Check the landmark's fields.")


class RouteFrozen(DomainError):
    message = _l("The campaign has started: its landmarks' order and targets can no longer change.")
    status = 409


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


class InvalidAnnouncement(DomainError):
    field = "text"
    message = _l("Write the announcement in 1 to 500 characters.")


class AlreadyRequested(DomainError):
    message = _l("You have already asked to join this team; the captain will answer.")
    status = 409


class RequestNotPending(DomainError):
    message = _l("This request has been answered already.")
    status = 409

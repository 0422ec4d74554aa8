"""Domain errors of works collections and voting (rules §10); the shared base is in errors.py."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from portal.common.errors import DomainError


class ContestWindowsOutOfOrder(DomainError):
    status = 422


class CategoryNameTaken(DomainError):
    field = "name"
    message = _l("This collection already has a category of that name.")
    status = 409


class CategoryHasWorks(DomainError):
    message = _l("Works were submitted in this category: it can no longer be removed.")
    status = 409


class ContestHasNoCategory(DomainError):
    message = _l("Add at least one category before opening the collection.")
    status = 409


class NotEligibleForContest(DomainError):
    message = _l("Only members of the unions this collection is open to can take part.")
    status = 403


class SubmissionsClosed(DomainError):
    message = _l("The submission window is closed: works can be submitted and edited only while it is open.")
    status = 409


class SubmissionsNotOpen(DomainError):
    message = _l("Submissions have not opened yet.")
    status = 409


class WorkNeedsPhotos(DomainError):
    field = "photos"
    message = _l("A photo work needs at least one photo (JPEG or PNG).")


class TooManyPhotos(DomainError):
    field = "photos"


class WorkNeedsText(DomainError):
    field = "body"
    message = _l("Write the text of your work.")


class VideoLinkRequired(DomainError):
    field = "video_url"
    message = _l("Paste the link to your video.")


class VideoHostNotAllowed(DomainError):
    field = "video_url"


class WorkChangedSinceReview(DomainError):
    message = _l("The author changed this work after you opened it. Look at it again before deciding.")
    status = 409


class RejectionNeedsReason(DomainError):
    field = "reason"
    message = _l("Give the reason for the rejection: the author sees it.")


class VotingNotOpen(DomainError):
    message = _l("Voting has not opened yet.")
    status = 409


class VotingClosed(DomainError):
    message = _l("Voting has closed.")
    status = 409


class WorkNotOpenToVotes(DomainError):
    message = _l("This work is not in the gallery: only approved works receive votes.")
    status = 409


class AlreadyVotedToday(DomainError):
    message = _l("You have already voted for this work today. Come back tomorrow.")
    status = 409


class DailyVotesUsed(DomainError):
    status = 409


class ResultsAlreadyPublished(DomainError):
    message = _l("The results are published: the winners can no longer change.")
    status = 409


class ResultsBeforeVotingEnds(DomainError):
    message = _l("The results can be published once voting has closed.")
    status = 409


class NoWinners(DomainError):
    message = _l("Name at least one winner before publishing the results.")
    status = 409


class AwardNeedsApprovedWork(DomainError):
    field = "work"
    message = _l("Only approved works of this category can win.")


class WorkAlreadyAwarded(DomainError):
    field = "work"
    message = _l("This work already has an award.")
    status = 409

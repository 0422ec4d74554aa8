"""Domain errors of route (the shared base and the generic ones are in ``portal.common.errors``)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from portal.common.errors import DomainError


class LandmarkNotLit(DomainError):
    message = _l("This landmark is not lit yet: keep walking to reach it.")
    status = 409


class LandmarkNotPassed(DomainError):
    message = _l("Pass this landmark first by answering its question.")
    status = 409


class WrongAnswer(DomainError):
    field = "choice"
    message = _l("That is not the right answer. Read the introduction again and try once more.")


class AlreadyReflected(DomainError):
    message = _l("You have already written your reflection on this landmark.")
    status = 409


class InvalidReflection(DomainError):
    field = "text"
    message = _l("Write your reflection in 10 to 1,000 characters.")


class InvalidLandmark(DomainError):
    message = _l("Check the landmark's fields.")


class RouteFrozen(DomainError):
    message = _l("The campaign has started: its landmarks' order and targets can no longer change.")
    status = 409

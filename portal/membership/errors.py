"""Domain errors of membership (the shared base and the generic ones are in ``portal.common.errors``)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from portal.common.errors import DomainError


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


class EndReasonRequired(DomainError):
    field = "reason"
    message = _l("Say why the membership ends (at most 200 characters).")


class NotAUnitOfTheUnion(DomainError):
    field = "unit"
    message = _l("Choose a unit of the member's own grassroots union.")

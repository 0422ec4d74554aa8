"""Domain errors of orgs (the shared base and the generic ones are in ``portal.common.errors``)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from portal.common.errors import DomainError


class OrgCodeTaken(DomainError):
    field = "code"
    message = _l("Another organisation already uses this code.")
    status = 409


class OrgNotFound(DomainError):
    field = "org"
    message = _l("No organisation has this code.")
    status = 404


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


class LastAdminOfUnion(DomainError):
    message = _l("You are the last admin of this union: appoint another before you step down.")
    status = 409

"""Domain errors of identity (the shared base and the generic ones are in ``portal.common.errors``)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from portal.common.errors import DomainError


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


class ProfileRequired(DomainError):
    message = _l("Complete your real-name profile first.")
    status = 409


class InvalidRealName(DomainError):
    field = "real_name"
    message = _l("Enter your name as on your ID card (2–30 characters).")

"""Fields shared by the portal's forms: mobile numbers, SMS codes, new passwords."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, ValidationError

from portal.common.errors import DomainError
from portal.common.phones import normalise_digits, parse_phone
from portal.identity.passwords import MAX_LENGTH


def _phone_validator(_form, field) -> None:
    try:
        field.data = parse_phone(field.data or "")
    except DomainError as error:
        raise ValidationError(str(error.message)) from None


def _code_validator(_form, field) -> None:
    value = normalise_digits(field.data or "").replace(" ", "")
    if not (len(value) == 6 and value.isdigit()):
        raise ValidationError(_l("Enter the 6-digit code from the text message."))
    field.data = value


def phone_field(label=None) -> StringField:
    return StringField(
        label or _l("Mobile number"),
        validators=[DataRequired(_l("Enter your mobile number.")), _phone_validator],
        render_kw={"type": "tel", "inputmode": "numeric", "autocomplete": "tel", "maxlength": 20},
    )


def code_field() -> StringField:
    return StringField(
        _l("SMS verification code"),
        validators=[DataRequired(_l("Enter the 6-digit code from the text message.")), _code_validator],
        render_kw={"inputmode": "numeric", "autocomplete": "one-time-code", "maxlength": 12},
    )


def new_password_fields() -> tuple[PasswordField, PasswordField]:
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(_l("Choose a password.")), Length(max=MAX_LENGTH)],
        description=_l("At least 8 characters; not your mobile number or a common password."),
        render_kw={"autocomplete": "new-password", "minlength": 8},
    )
    confirm = PasswordField(
        _l("Repeat the password"),
        validators=[
            DataRequired(_l("Repeat the password.")),
            EqualTo("password", _l("The two passwords differ.")),
        ],
        render_kw={"autocomplete": "new-password"},
    )
    return password, confirm

"""Forms for registering, signing in, resetting a password and the real-name profile."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, Length

from portal.web.forms.fields import code_field, new_password_fields, phone_field


class SendCodeForm(FlaskForm):
    phone = phone_field()


class RegisterForm(FlaskForm):
    phone = phone_field()
    code = code_field()
    password, password_confirm = new_password_fields()
    consent = BooleanField(
        _l("I have read and agree to the privacy notice"),
        validators=[DataRequired(_l("Registration needs your agreement to the privacy notice."))],
    )


class PasswordLoginForm(FlaskForm):
    phone = phone_field()
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(_l("Enter your password."))],
        render_kw={"autocomplete": "current-password"},
    )
    remember = BooleanField(_l("Keep me signed in on this phone"))
    next = HiddenField()


class CodeLoginForm(FlaskForm):
    phone = phone_field()
    code = code_field()
    remember = BooleanField(_l("Keep me signed in on this phone"))
    next = HiddenField()


class ResetPasswordForm(FlaskForm):
    phone = phone_field()
    code = code_field()
    password, password_confirm = new_password_fields()


class ProfileForm(FlaskForm):
    real_name = StringField(
        _l("Real name"),
        validators=[DataRequired(_l("Enter your name as on your ID card.")), Length(max=30)],
        render_kw={"autocomplete": "name", "maxlength": 30},
    )
    id_number = StringField(
        _l("Resident ID number"),
        validators=[DataRequired(_l("Enter your 18-digit ID number."))],
        description=_l("Stored encrypted and always shown masked. Gender and birth date are read from it."),
        render_kw={"autocomplete": "off", "maxlength": 24, "inputmode": "text"},
    )
    next = HiddenField()


class LogoutForm(FlaskForm):
    pass


class TokenForm(FlaskForm):
    name = StringField(
        _l("What the token is for"),
        validators=[DataRequired(_l("Name the token, e.g. 'iPhone Shortcut'.")), Length(max=60)],
        render_kw={"maxlength": 60, "placeholder": "iPhone"},
    )

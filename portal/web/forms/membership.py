"""Forms of the join and transfer wizard, and the admin's rejection."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, RadioField, SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired

from portal.labels import LABELS
from portal.models.membership import MemberCategory
from portal.web.forms.fields import code_field


class CategoryForm(FlaskForm):
    category = RadioField(
        _l("Member category"),
        choices=[SelectChoice(category.value, LABELS[category]) for category in MemberCategory],
        validators=[InputRequired(_l("Choose the category that describes your work."))],
    )


class RegionForm(FlaskForm):
    region = SelectField(
        _l("Region or industry union"),
        coerce=int,
        validate_choice=False,  # the service checks the choice against the tree
        validators=[DataRequired(_l("Choose the city union or industry union your workplace belongs to."))],
    )


class UnionForm(FlaskForm):
    union = IntegerField(
        _l("Grassroots union"),
        validators=[InputRequired(_l("Search for your workplace's union and choose it."))],
    )


class ConfirmForm(FlaskForm):
    code = code_field()
    agree = BooleanField(
        _l("I have read the application letter and agree to it"),
        validators=[DataRequired(_l("Agree to the application letter to submit it."))],
    )


class RejectForm(FlaskForm):
    # The reason is checked by the service, so the message is the same from every way in.
    reason = TextAreaField(_l("Reason for rejection"), render_kw={"maxlength": 500, "rows": 2})

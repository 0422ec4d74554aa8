"""Forms of the admin area: the union tree and its admins."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp

from portal.labels import LABELS
from portal.models.org import OrgKind
from portal.web.forms.fields import phone_field

CHILD_KINDS = (
    OrgKind.DISTRICT_UNION,
    OrgKind.GRASSROOTS_UNION,
    OrgKind.UNIT,
    OrgKind.CITY_UNION,
    OrgKind.INDUSTRY_UNION,
)
_CODE = Regexp(
    r"^[A-Za-z0-9][A-Za-z0-9\-_.]{0,31}$", message=_l("Use letters, digits, - _ or . (at most 32).")
)
_NAME = [DataRequired(_l("Enter the name.")), Length(max=100)]
_COUNT = [Optional(), NumberRange(min=0, max=100_000_000, message=_l("Enter a whole number of people."))]


class OrgChildForm(FlaskForm):
    name = StringField(_l("Organisation name"), validators=_NAME)
    code = StringField(_l("Code"), validators=[DataRequired(_l("Enter a code.")), _CODE])
    kind = SelectField(_l("Kind"), choices=[SelectChoice(kind.value, LABELS[kind]) for kind in CHILD_KINDS])
    quota = IntegerField(_l("Participation quota"), validators=_COUNT)


class OrgEditForm(FlaskForm):
    name = StringField(_l("Organisation name"), validators=_NAME)
    quota = IntegerField(_l("Participation quota"), validators=_COUNT)
    member_total = IntegerField(_l("Member total"), validators=_COUNT)


class OrgMoveForm(FlaskForm):
    parent_code = StringField(
        _l("Code of the new parent"),
        validators=[DataRequired(_l("Enter the code of the new parent.")), _CODE],
    )


class GrantAdminForm(FlaskForm):
    phone = phone_field(_l("Mobile number of the new admin"))


class EndMembershipForm(FlaskForm):
    reason = StringField(
        _l("Why the membership ends"),
        validators=[DataRequired(_l("Say why the membership ends.")), Length(max=200)],
    )


class MoveMemberForm(FlaskForm):
    unit = SelectField(_l("New unit"), coerce=int, validate_choice=True)


class RenameMemberForm(FlaskForm):
    name = StringField(
        _l("Name as on the ID card"), validators=[DataRequired(_l("Enter the name.")), Length(max=30)]
    )

"""Admin forms for campaigns: create from a preset, edit the rules, issue partner tokens."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, DateField, IntegerField, SelectField, StringField, TextAreaField, TimeField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from portal.campaigns.rules import CheckinMode, preset_names

_STEPS = [
    Optional(),
    NumberRange(min=1, max=1_000_000, message=_l("Enter a number of steps from 1 to 1,000,000.")),
]
_REQUIRED_STEPS = [
    InputRequired(_l("Enter a number of steps.")),
    NumberRange(min=1, max=100_000, message=_l("Enter a number of steps from 1 to 100,000.")),
]


class CampaignCreateForm(FlaskForm):
    org_code = StringField(
        _l("Union running the campaign (code)"),
        validators=[DataRequired(_l("Enter the code of a union you administer."))],
    )
    preset = SelectField(_l("Rule preset"), choices=[SelectChoice(name, name) for name in preset_names()])
    start_day = DateField(_l("First day"), validators=[InputRequired(_l("Choose the first day."))])
    title = StringField(_l("Title (the preset's if empty)"), validators=[Optional(), Length(max=100)])


class CampaignEditForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(_l("Enter the title.")), Length(max=100)])
    description = TextAreaField(_l("Description"), validators=[Length(max=2000)], render_kw={"rows": 3})
    start_day = DateField(_l("First day"), validators=[InputRequired(_l("Choose the first day."))])
    length_days = IntegerField(
        _l("Length in days"),
        validators=[
            InputRequired(_l("Enter the length.")),
            NumberRange(min=1, max=366, message=_l("From 1 to 366 days.")),
        ],
    )
    qualify_steps = IntegerField(_l("Steps to qualify a day"), validators=_REQUIRED_STEPS)
    daily_cap = IntegerField(_l("Daily cap (empty: none)"), validators=_STEPS)
    total_cap = IntegerField(_l("Total cap (empty: none)"), validators=_STEPS)
    grace_minutes = IntegerField(
        _l("Minutes after midnight a day still accepts reports"),
        validators=[
            InputRequired(_l("Enter 0 or more minutes.")),
            NumberRange(min=0, max=1440, message=_l("From 0 to 1,440 minutes.")),
        ],
    )
    checkin = SelectField(
        _l("Daily check-in"), choices=[SelectChoice(mode.value, mode.label) for mode in CheckinMode]
    )
    settle_start = TimeField(_l("Settle window opens (empty: none)"), validators=[Optional()])
    implausible_steps = IntegerField(
        _l("Steps above which a day is held for review"),
        validators=[_REQUIRED_STEPS[0], _STEPS[1]],
    )
    enrolment_closed = BooleanField(_l("Enrolment closed"))
    open_to_non_members = BooleanField(_l("Open to people who are not members yet"))


class PartnerTokenForm(FlaskForm):
    name = StringField(
        _l("Partner platform"), validators=[DataRequired(_l("Name the partner platform.")), Length(max=60)]
    )


class StepImportForm(FlaskForm):
    file = FileField(
        _l("Spreadsheet (.xlsx or .csv)"),
        validators=[FileRequired(_l("Choose the file to import."))],
        description=_l("First row: 手机号, 日期, 步数 (or phone, day, steps)."),
        render_kw={"accept": ".xlsx,.csv"},
    )


class LandmarkForm(FlaskForm):
    name = StringField(
        _l("Landmark name"), validators=[DataRequired(_l("Enter the landmark's name.")), Length(max=60)]
    )
    introduction = TextAreaField(_l("Introduction"), validators=[Length(max=2000)], render_kw={"rows": 3})
    steps_target = IntegerField(
        _l("Lights at cumulative steps"),
        validators=[Optional(), NumberRange(min=1, max=100_000_000, message=_l("Enter a number of steps."))],
    )
    question = StringField(_l("Question (optional)"), validators=[Length(max=300)])
    choices = TextAreaField(
        _l("Answers, one a line"),
        render_kw={"rows": 3},
        description=_l("Leave empty when there is no question."),
    )
    answer = IntegerField(
        _l("Number of the right answer"),
        validators=[
            Optional(),
            NumberRange(min=1, max=8, message=_l("Enter 1 for the first answer, 2 for the second …")),
        ],
    )


class LandmarkImageForm(FlaskForm):
    image = FileField(
        _l("Picture (JPEG or PNG, at most 10 MB)"),
        validators=[FileRequired(_l("Choose a picture."))],
        render_kw={"accept": "image/jpeg,image/png"},
    )


class QuestionImportForm(FlaskForm):
    file = FileField(
        _l("Question bank (CSV or Excel)"),
        validators=[FileRequired(_l("Choose a CSV or Excel file."))],
        description=_l("Columns 题目, 选项 (answers separated by |) and 答案 (A, B … or 1, 2 …)."),
    )

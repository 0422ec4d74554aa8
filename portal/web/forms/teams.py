"""Team forms: create, join by code, the captain's goals, announcements and handing over."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

from portal.teams.team import MAX_GOAL


class TeamCreateForm(FlaskForm):
    name = StringField(
        _l("Team name"), validators=[DataRequired(_l("Give the team a name.")), Length(max=30)]
    )
    slogan = StringField(_l("Slogan (optional)"), validators=[Length(max=60)])


class JoinCodeForm(FlaskForm):
    code = StringField(
        _l("Invitation code"),
        validators=[DataRequired(_l("Enter the code your captain gave you.")), Length(max=12)],
        render_kw={"autocomplete": "off", "autocapitalize": "characters"},
    )


class GoalsForm(FlaskForm):
    member_goal = IntegerField(
        _l("Member goal (steps a day)"),
        validators=[
            InputRequired(_l("Enter the member goal.")),
            NumberRange(min=1, max=MAX_GOAL, message=_l("Enter a number of steps from 1 to 100,000.")),
        ],
        render_kw={"inputmode": "numeric"},
    )
    team_goal = IntegerField(
        _l("Team goal (steps a day, all members together)"),
        validators=[
            InputRequired(_l("Enter the team goal.")),
            NumberRange(min=1, max=MAX_GOAL * 50, message=_l("Enter a whole number of steps.")),
        ],
        render_kw={"inputmode": "numeric"},
    )


class AnnouncementForm(FlaskForm):
    text = TextAreaField(
        _l("Announcement"),
        validators=[DataRequired(_l("Write the announcement first.")), Length(max=500)],
        render_kw={"rows": 3, "maxlength": 500},
    )


class HandOverForm(FlaskForm):
    new_captain = SelectField(
        _l("New captain"),
        coerce=int,
        validate_choice=False,
        validators=[InputRequired(_l("Choose a member."))],
    )

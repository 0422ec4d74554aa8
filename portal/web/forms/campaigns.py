"""Member forms of a campaign: enrol, check in, report steps."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField
from wtforms.validators import InputRequired, NumberRange

from portal.campaigns.steps import MAX_STEPS


class EnrolForm(FlaskForm):
    unit = SelectField(
        _l("The unit you walk for"),
        coerce=int,
        validate_choice=False,  # the service checks the unit against the member's union
        validators=[InputRequired(_l("Choose the unit you walk for."))],
    )


class CheckinForm(FlaskForm):
    pass


class StepsForm(FlaskForm):
    steps = IntegerField(
        _l("Today's steps"),
        validators=[
            InputRequired(_l("Enter today's step count.")),
            NumberRange(
                min=0,
                max=MAX_STEPS,
                message=_l("Enter the step count as a whole number from 0 to 1,000,000."),
            ),
        ],
        render_kw={"inputmode": "numeric", "min": 0, "max": MAX_STEPS, "autocomplete": "off"},
    )

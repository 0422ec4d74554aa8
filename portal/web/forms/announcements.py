"""The admin's announcement form."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length


class AnnouncementForm(FlaskForm):
    union = SelectField(_l("From (and to everyone below)"), coerce=int)
    title = StringField(
        _l("Title"),
        validators=[
            DataRequired(_l("Enter a title.")),
            Length(max=100, message=_l("At most 100 characters.")),
        ],
    )
    body = TextAreaField(
        _l("Text"),
        validators=[
            DataRequired(_l("Enter the text.")),
            Length(max=5000, message=_l("At most 5,000 characters.")),
        ],
    )

"""Member forms of the virtual route: answering, a photo for the poster, a reflection, the daily quiz."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField, RadioField, TextAreaField
from wtforms.validators import InputRequired, Length

from portal.route.progress import REFLECTION_LENGTH


class AnswerForm(FlaskForm):
    # Choices are the landmark's (or question's) answers, set by the view; the service checks the index.
    choice = RadioField(
        _l("Your answer"),
        coerce=int,
        validate_choice=False,
        validators=[InputRequired(_l("Choose one of the answers."))],
    )


class QuizAnswerForm(AnswerForm):
    question_id = HiddenField()


class PhotoForm(FlaskForm):
    photo = FileField(
        _l("Your photo (JPEG or PNG, at most 10 MB)"),
        validators=[FileRequired(_l("Choose a photo to put on the poster."))],
        render_kw={"accept": "image/jpeg,image/png"},
    )


class ReflectionForm(FlaskForm):
    text = TextAreaField(
        _l("Your reflection"),
        validators=[
            InputRequired(_l("Write your reflection first.")),
            Length(*REFLECTION_LENGTH, message=_l("Write your reflection in 10 to 1,000 characters.")),
        ],
        render_kw={"rows": 4, "maxlength": REFLECTION_LENGTH[1]},
    )

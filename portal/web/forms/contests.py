"""Forms of works collections: the admin's collection, categories, reviews and awards; the member's work."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import (
    DateField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    URLField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, HiddenInput, ListWidget

from portal.labels import LABELS
from portal.models.contest import WorkKind


class CheckboxList(SelectMultipleField):
    """Several choices as checkboxes (usable without JavaScript, unlike a multiple select on a phone)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _day(label) -> DateField:
    return DateField(label, validators=[InputRequired(_l("Choose a day."))])


class ContestForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(_l("Enter the title.")), Length(max=100)])
    rules = TextAreaField(
        _l("Rules of the collection"),
        validators=[Length(max=5000)],
        render_kw={"rows": 6},
        description=_l(
            "What may be submitted, how works are judged, the awards: shown on the collection's page."
        ),
    )
    submit_from = _day(_l("Submissions open on"))
    submit_until = _day(_l("Submissions close after"))
    vote_from = _day(_l("Voting opens on"))
    vote_until = _day(_l("Voting closes after"))
    results_on = _day(_l("Results announced on"))
    votes_per_day = IntegerField(
        _l("Votes per member per day"),
        default=5,
        validators=[
            InputRequired(_l("Enter how many votes a member has each day.")),
            NumberRange(min=1, max=100, message=_l("From 1 to 100 votes.")),
        ],
        description=_l("Across the whole collection; a member votes for one work at most once a day."),
    )


class ContestCreateForm(ContestForm):
    org_code = StringField(
        _l("Union running the collection (code)"),
        validators=[DataRequired(_l("Enter the code of a union you administer."))],
        description=_l("Members of this union and of every union below it can take part."),
    )
    categories = CheckboxList(
        _l("Categories"),
        validators=[DataRequired(_l("Choose at least one category; you can add your own later."))],
    )


class CategoryForm(FlaskForm):
    name = StringField(
        _l("Category name"), validators=[DataRequired(_l("Name the category.")), Length(max=40)]
    )
    kind = SelectField(
        _l("Works of this category are"),
        choices=[SelectChoice(kind.value, LABELS[kind]) for kind in WorkKind],
    )


class WorkForm(FlaskForm):
    category = SelectField(_l("Category"), coerce=int, validate_choice=True)
    title = StringField(
        _l("Title of the work"), validators=[DataRequired(_l("Give your work a title.")), Length(max=60)]
    )
    body = TextAreaField(
        _l("Text or description"),
        validators=[Length(max=5000)],
        render_kw={"rows": 6},
        description=_l(
            "The essay or case itself for a written work; a caption or description for the others."
        ),
    )
    video_url = URLField(
        _l("Video link"),
        validators=[Optional(), Length(max=500)],
        render_kw={"inputmode": "url", "placeholder": "https://"},
        description=_l("For video and recitation works: the link to your video on a video site."),
    )
    photos = MultipleFileField(
        _l("Photos (JPEG or PNG)"),
        render_kw={"accept": "image/jpeg,image/png"},
        description=_l(
            "At most 6 photos of up to 10 MB each, 16 MB in one upload; location data is removed."
        ),
    )
    remove_images = SelectMultipleField(_l("Remove these photos"), coerce=int, validate_choice=True)


class ReviewForm(FlaskForm):
    revision = IntegerField(widget=HiddenInput(), validators=[InputRequired()])
    reason = StringField(
        _l("Reason for a rejection"),
        validators=[Length(max=200)],
        description=_l("The author sees it."),
    )


class AwardForm(FlaskForm):
    work = SelectField(_l("Work"), coerce=int, validate_choice=True)
    award = StringField(
        _l("Award"),
        validators=[DataRequired(_l("Name the award, such as 一等奖.")), Length(max=30)],
        render_kw={"list": "award-names"},
    )
    position = IntegerField(
        _l("Order on the results page"),
        default=1,
        validators=[Optional(), NumberRange(min=0, max=999, message=_l("From 0 to 999."))],
        description=_l("1 first; winners with the same number are ordered by votes."),
    )

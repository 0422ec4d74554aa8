"""Admins' work on a campaign's route: landmarks (texts, questions, targets, order, images), the question
bank, and reflections to hide."""

from __future__ import annotations

from flask import Blueprint, flash
from flask_babel import gettext as _
from flask_login import current_user

from portal.campaigns.campaign import campaign_rules, campaign_started
from portal.common.errors import DomainError, ImageTooLarge
from portal.common.images import MAX_UPLOAD_BYTES
from portal.extensions import db
from portal.models.route import Landmark, Reflection
from portal.rewards.quiz import check_question_rows, count_questions, import_questions
from portal.route.admin import (
    LandmarkText,
    add_landmark,
    list_reflections,
    move_landmark,
    set_landmark_image,
    update_landmark,
)
from portal.route.progress import hide_reflection, landmark_of, list_landmarks
from portal.web.forms.campaign_admin import LandmarkForm, LandmarkImageForm, QuestionImportForm
from portal.web.helpers import (
    campaign_in_scope_or_404,
    redirect_to,
    refused,
    require_admin_scope,
    show_domain_error,
)
from portal.web.htmx import render
from portal.web.route import landmark_image_response

bp = Blueprint("route_admin", __name__, url_prefix="/admin/campaigns/<id:campaign_id>")
bp.before_request(require_admin_scope)


def _form_of(landmark: Landmark) -> LandmarkForm:
    return LandmarkForm(
        formdata=None,
        prefix=f"l{landmark.id}",
        name=landmark.name,
        introduction=landmark.introduction,
        steps_target=landmark.steps_target,
        question=landmark.question or "",
        choices="\n".join(landmark.choices),
        answer=landmark.answer + 1 if landmark.answer is not None else None,
    )


def _text_of(form: LandmarkForm) -> LandmarkText:
    return LandmarkText(
        name=form.name.data or "",
        introduction=form.introduction.data or "",
        question=form.question.data,
        choices=(form.choices.data or "").splitlines(),
        answer=form.answer.data - 1 if form.answer.data else None,
    )


def _back_to(landmark: Landmark):
    return redirect_to(
        "route_admin.landmarks", campaign_id=landmark.campaign_id, _anchor=f"landmark-{landmark.id}"
    )


def _page(campaign, *, failed: dict | None = None, new_form=None, image_forms=None):
    failed = failed or {}
    landmarks = list_landmarks(campaign)
    return render(
        "route_admin/landmarks.html",
        campaign=campaign,
        rules=campaign_rules(campaign),
        started=campaign_started(campaign),
        landmarks=landmarks,
        forms={item.id: failed.get(item.id) or _form_of(item) for item in landmarks},
        image_forms={
            item.id: (image_forms or {}).get(item.id)
            or LandmarkImageForm(formdata=None, prefix=f"i{item.id}")
            for item in landmarks
        },
        new_form=new_form or LandmarkForm(formdata=None, prefix="new"),
    )


@bp.get("/route")
def landmarks(campaign_id: int):
    """Every landmark of the route, each with its form."""
    return _page(campaign_in_scope_or_404(campaign_id))


@bp.post("/route/<id:landmark_id>")
def update(campaign_id: int, landmark_id: int):
    """Save one landmark's texts, question and target."""
    campaign = campaign_in_scope_or_404(campaign_id)
    landmark = landmark_of(campaign, landmark_id)
    form = LandmarkForm(prefix=f"l{landmark.id}")
    if form.validate_on_submit():
        try:
            update_landmark(current_user, campaign, landmark, _text_of(form), form.steps_target.data)
        except DomainError as error:
            show_domain_error(form, error)
        else:
            flash(_("Saved %(name)s.", name=landmark.name), "success")
            return _back_to(landmark)
    return _page(campaign, failed={landmark.id: form})


@bp.post("/route/new")
def add(campaign_id: int):
    """Add a landmark at the end of the route."""
    campaign = campaign_in_scope_or_404(campaign_id)
    form = LandmarkForm(prefix="new")
    if form.validate_on_submit():
        try:
            landmark = add_landmark(current_user, campaign, _text_of(form), form.steps_target.data)
        except DomainError as error:
            show_domain_error(form, error)
        else:
            flash(_("Added %(name)s.", name=landmark.name), "success")
            return _back_to(landmark)
    return _page(campaign, new_form=form)


@bp.post("/route/<id:landmark_id>/move/<any(up,down):direction>")
def move(campaign_id: int, landmark_id: int, direction: str):
    """Move a landmark one place earlier or later."""
    campaign = campaign_in_scope_or_404(campaign_id)
    landmark = landmark_of(campaign, landmark_id)
    try:
        move_landmark(current_user, campaign, landmark, -1 if direction == "up" else 1)
    except DomainError as error:
        flash(refused(error), "error")
    return _back_to(landmark)


@bp.post("/route/<id:landmark_id>/image")
def upload_image(campaign_id: int, landmark_id: int):
    """Replace the landmark's drawn picture with an uploaded one."""
    campaign = campaign_in_scope_or_404(campaign_id)
    landmark = landmark_of(campaign, landmark_id)
    form = LandmarkImageForm(prefix=f"i{landmark.id}")
    if form.validate_on_submit():
        data = form.image.data.read(MAX_UPLOAD_BYTES + 1)
        try:
            if len(data) > MAX_UPLOAD_BYTES:
                raise ImageTooLarge(field="image")
            set_landmark_image(current_user, campaign, landmark, data)
        except DomainError as error:
            show_domain_error(form, type(error)(error.message, field="image"))
        else:
            flash(_("The picture of %(name)s is replaced.", name=landmark.name), "success")
            return _back_to(landmark)
    return _page(campaign, image_forms={landmark.id: form})


@bp.get("/route/<id:landmark_id>/image")
def image(campaign_id: int, landmark_id: int):
    """The landmark's picture, for the admin page."""
    return landmark_image_response(landmark_of(campaign_in_scope_or_404(campaign_id), landmark_id))


@bp.route("/questions", methods=["GET", "POST"])
def questions(campaign_id: int):
    """Import questions into the bank; a file with any refused row imports nothing and lists them."""
    campaign = campaign_in_scope_or_404(campaign_id)
    form = QuestionImportForm()
    refused = []
    if form.validate_on_submit():
        try:
            rows = check_question_rows(form.file.data.read(), form.file.data.filename or "")
        except DomainError as error:
            show_domain_error(form, error)
        else:
            refused = [row for row in rows if not row.ok]
            if not rows:
                form.file.errors = [_("The file has no questions.")]
            elif not refused:
                imported = import_questions(current_user, campaign, rows)
                flash(_("Imported %(n)d questions.", n=imported), "success")
                return redirect_to("route_admin.questions", campaign_id=campaign.id)
    return render(
        "route_admin/questions.html",
        campaign=campaign,
        rules=campaign_rules(campaign),
        form=form,
        refused=refused,
        count=count_questions(campaign),
    )


@bp.get("/reflections")
def reflections(campaign_id: int):
    """The latest reflections of the campaign, to hide what should not be shown."""
    campaign = campaign_in_scope_or_404(campaign_id)
    return render("route_admin/reflections.html", campaign=campaign, reflections=list_reflections(campaign))


@bp.post("/reflections/<id:reflection_id>/hide")
def hide(campaign_id: int, reflection_id: int):
    """Hide a reflection from others."""
    campaign = campaign_in_scope_or_404(campaign_id)
    reflection = db.session.get(Reflection, reflection_id)
    if reflection is None or reflection.landmark.campaign_id != campaign.id:
        return redirect_to("route_admin.reflections", campaign_id=campaign.id)
    hide_reflection(current_user, reflection)
    flash(_("Hidden."), "success")
    return redirect_to("route_admin.reflections", campaign_id=campaign.id)

"""The virtual route as a member walks it: the route, a landmark, its question, poster and reflection."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, render_template
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portal.campaigns.participation import campaign_for_member, enrollment_for_member
from portal.common.errors import DomainError, ImageTooLarge
from portal.common.images import MAX_UPLOAD_BYTES
from portal.common.media import read_media
from portal.models.campaign import Campaign, Enrollment
from portal.models.route import Landmark
from portal.route.errors import WrongAnswer
from portal.route.posters import find_poster, make_poster
from portal.route.progress import (
    answer_landmark,
    find_reflection,
    find_visit,
    is_lit,
    landmark_of,
    pass_without_question,
    progress_of,
    progress_value,
    route_view,
    target_of,
    visible_reflections,
    write_reflection,
)
from portal.web.forms.route import AnswerForm, PhotoForm, ReflectionForm
from portal.web.helpers import redirect_to, refusal_message
from portal.web.htmx import is_htmx, render

bp = Blueprint("route", __name__, url_prefix="/campaigns/<id:campaign_id>/route")

# The route is drawn as a serpentine of nodes: the start, then each landmark, COLUMNS to a row.
COLUMNS = 4
WIDTH, ROW_HEIGHT, MARGIN = 360, 96, 36


def route_points(count: int) -> list[tuple[float, float]]:
    """Where the start and ``count`` landmarks stand in the SVG (left to right, then right to left)."""
    step = (WIDTH - 2 * MARGIN) / (COLUMNS - 1)
    points = []
    for index in range(count + 1):
        row, column = divmod(index, COLUMNS)
        if row % 2:
            column = COLUMNS - 1 - column
        points.append((MARGIN + column * step, MARGIN + row * ROW_HEIGHT))
    return points


def marker_point(points: list[tuple[float, float]], position: float) -> tuple[float, float]:
    """The member's place between two nodes, ``position`` being 0 at the start and k at landmark k."""
    whole = min(int(position), len(points) - 1)
    if whole >= len(points) - 1:
        return points[-1]
    fraction = position - whole
    (x0, y0), (x1, y1) = points[whole], points[whole + 1]
    return (x0 + (x1 - x0) * fraction, y0 + (y1 - y0) * fraction)


@bp.get("/")
@login_required
def show(campaign_id: int):
    """The route: lit and unlit landmarks, the member's position and how far the next one is."""
    campaign, enrollment = enrollment_for_member(current_user, campaign_id)
    view = route_view(enrollment)
    if not view.stops:
        abort(404)
    points = route_points(len(view.stops))
    return render(
        "route/show.html",
        campaign=campaign,
        view=view,
        points=points,
        marker=marker_point(points, view.position),
        height=points[-1][1] + MARGIN + 24,
    )


def _landmark_page(
    campaign, enrollment, landmark, *, answer_form=None, photo_form=None, reflection_form=None, message=None
):
    """The landmark page; an htmx request aimed at the landmark panel gets only the panel."""
    progress = progress_of(enrollment)
    lit = is_lit(landmark, progress)
    visit = find_visit(enrollment, landmark)
    answer_form = answer_form or AnswerForm(formdata=None)
    answer_form.choice.choices = list(enumerate(landmark.choices))
    return render(
        "route/landmark.html",
        block="landmark_panel",
        campaign=campaign,
        landmark=landmark,
        lit=lit,
        missing=max(0, target_of(landmark) - progress_value(landmark, progress)),
        passed=visit is not None and visit.passed_at is not None,
        wrong_answers=visit.wrong_answers if visit else 0,
        answer_form=answer_form,
        photo_form=photo_form or PhotoForm(formdata=None),
        reflection_form=reflection_form or ReflectionForm(formdata=None),
        reflection=find_reflection(enrollment, landmark),
        reflections=visible_reflections(landmark),
        has_poster=find_poster(enrollment, landmark) is not None,
        message=message,
    )


def _landmark_of(campaign_id: int, landmark_id: int) -> tuple[Campaign, Enrollment, Landmark]:
    campaign, enrollment = enrollment_for_member(current_user, campaign_id)
    return campaign, enrollment, landmark_of(campaign, landmark_id)


@bp.get("/<id:landmark_id>")
@login_required
def landmark(campaign_id: int, landmark_id: int):
    """One landmark: its introduction once lit, its question, then the poster and the reflection."""
    campaign, enrollment, stop = _landmark_of(campaign_id, landmark_id)
    pass_without_question(enrollment, stop)
    return _landmark_page(campaign, enrollment, stop)


@bp.post("/<id:landmark_id>/answer")
@login_required
def answer(campaign_id: int, landmark_id: int):
    """Answer the landmark's question; a wrong answer may be tried again."""
    campaign, enrollment, stop = _landmark_of(campaign_id, landmark_id)
    form = AnswerForm()
    form.choice.choices = list(enumerate(stop.choices))
    message = None
    if form.validate_on_submit():
        try:
            right = answer_landmark(enrollment, stop, form.choice.data)
        except DomainError as error:
            message = refusal_message(form, error)
        else:
            if right:
                message = {"category": "success", "text": _("Right! You have passed this landmark.")}
                if not is_htmx():
                    flash(message["text"], "success")
                    return redirect_to("route.landmark", campaign_id=campaign.id, landmark_id=stop.id)
            else:
                form.choice.errors = [str(WrongAnswer.message)]
    return _landmark_page(campaign, enrollment, stop, answer_form=form, message=message)


@bp.post("/<id:landmark_id>/poster")
@login_required
def upload_photo(campaign_id: int, landmark_id: int):
    """Make the poster from the member's photo (no htmx: a file upload, then a download link)."""
    campaign, enrollment, stop = _landmark_of(campaign_id, landmark_id)
    form = PhotoForm()
    message = None
    if form.validate_on_submit():
        data = form.photo.data.read(MAX_UPLOAD_BYTES + 1)
        try:
            if len(data) > MAX_UPLOAD_BYTES:
                raise ImageTooLarge()
            make_poster(enrollment, stop, data)
        except DomainError as error:
            message = refusal_message(form, error)
        else:
            flash(_("Your poster is ready. Download it below."), "success")
            return redirect_to(
                "route.landmark", campaign_id=campaign.id, landmark_id=stop.id, _anchor="poster"
            )
    return _landmark_page(campaign, enrollment, stop, photo_form=form, message=message)


@bp.get("/<id:landmark_id>/poster.png")
@login_required
def poster(campaign_id: int, landmark_id: int):
    """Download the member's poster for this landmark."""
    _campaign, enrollment, stop = _landmark_of(campaign_id, landmark_id)
    png = find_poster(enrollment, stop)
    if png is None:
        abort(404)
    return Response(
        png,
        mimetype="image/png",
        headers={
            "Content-Disposition": f'attachment; filename="poster-{stop.position}.png"',
            "Cache-Control": "private, no-cache",
        },
    )


@bp.post("/<id:landmark_id>/reflection")
@login_required
def reflect(campaign_id: int, landmark_id: int):
    """Write the reflection on a passed landmark (its points are paid once)."""
    campaign, enrollment, stop = _landmark_of(campaign_id, landmark_id)
    form = ReflectionForm()
    message = None
    if form.validate_on_submit():
        try:
            write_reflection(enrollment, stop, form.text.data)
        except DomainError as error:
            message = refusal_message(form, error)
        else:
            message = _("Thank you for your reflection.")
            if is_htmx():
                return _landmark_page(
                    campaign, enrollment, stop, message={"category": "success", "text": message}
                )
            flash(message, "success")
            return redirect_to("route.landmark", campaign_id=campaign.id, landmark_id=stop.id)
    return _landmark_page(campaign, enrollment, stop, reflection_form=form, message=message)


@bp.get("/<id:landmark_id>/image")
@login_required
def image(campaign_id: int, landmark_id: int):
    """The landmark's picture: the uploaded image, or the illustration the portal draws."""
    campaign = campaign_for_member(current_user, campaign_id)
    return landmark_image_response(landmark_of(campaign, landmark_id))


def landmark_image_response(stop: Landmark) -> Response:
    """Shared with the admin pages: an uploaded image as stored, else a drawn SVG from the palette."""
    headers = {"Cache-Control": "private, max-age=300"}
    data = read_media("landmarks", stop.image_name)
    if data is not None:
        mimetype = "image/jpeg" if stop.image_name.endswith(".jpg") else "image/png"
        return Response(data, mimetype=mimetype, headers=headers)
    sky, _sep, land = (stop.palette or "#bfe3f5,#5aa05a").partition(",")
    svg = render_template("route/illustration.svg", landmark=stop, sky=sky, land=land or "#5aa05a")
    return Response(svg, mimetype="image/svg+xml", headers=headers)

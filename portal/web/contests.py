"""Works collections for members and the public (rules §10): the gallery, each work's page (a share link
anyone can open), the member's submissions, voting in place with htmx, and the published results."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms.fields.choices import SelectChoice

from portal.common.errors import DomainError
from portal.common.media import read_media
from portal.contests.contest import (
    category_of,
    contest_state,
    contests_for,
    is_eligible,
    public_contest,
)
from portal.contests.results import results_of
from portal.contests.votes import cast_vote, voter_day
from portal.contests.works import (
    MEDIA_KIND,
    GalleryOrder,
    WorkDraft,
    edit_work,
    gallery_page,
    submit_work,
    visible_work,
    works_of,
)
from portal.extensions import limiter
from portal.labels import label
from portal.models.contest import Contest, ContestWork, WorkStatus
from portal.orgs.scope import admin_scope
from portal.web.forms.contests import WorkForm
from portal.web.helpers import (
    config_value,
    int_arg,
    page_arg,
    refusal_message,
    safe_next_url,
    saved,
    show_domain_error,
)
from portal.web.htmx import is_htmx, render

bp = Blueprint("contests", __name__, url_prefix="/contests")


def _viewer_scope():
    return admin_scope(current_user) if current_user.is_authenticated else None


@bp.get("/")
@login_required
def index():
    """The collections open to the member: their union's and those of the unions above it."""
    contests = contests_for(current_user)
    return render("contests/index.html", lines=[(c, contest_state(c)) for c in contests])


@bp.get("/<id:contest_id>")
def show(contest_id: int):
    """The public gallery: approved works by category, newest or most voted first."""
    contest = public_contest(contest_id)
    category_id = int_arg("category")
    category = category_of(contest, category_id) if category_id else None
    try:
        order = GalleryOrder(request.args.get("sort", GalleryOrder.NEWEST))
    except ValueError:
        order = GalleryOrder.NEWEST
    state = contest_state(contest)
    page = gallery_page(contest, category=category, order=order, page=page_arg())
    return render(
        "contests/show.html",
        contest=contest,
        state=state,
        category=category,
        order=order,
        gallery=page,
        voter=voter_day(current_user, contest, [work.id for work in page.works], state.today),
    )


@bp.get("/works/<id:work_id>")
def work(work_id: int):
    """One work on its own page, with its share link."""
    item = visible_work(current_user, work_id, _viewer_scope())
    contest = item.contest
    state = contest_state(contest)
    return render(
        "contests/work.html",
        contest=contest,
        work=item,
        state=state,
        voter=voter_day(current_user, contest, [item.id], state.today),
        share_url=url_for("contests.work", work_id=item.id, _external=True),
    )


@bp.get("/works/<id:work_id>/photos/<id:image_id>")
def photo(work_id: int, image_id: int):
    """A photo of a work (``?size=s`` for the gallery's small copy), seen by whoever may see the work."""
    item = visible_work(current_user, work_id, _viewer_scope())
    image = next((image for image in item.images if image.id == image_id), None)
    data = (
        read_media(MEDIA_KIND, image.thumb_name if request.args.get("size") == "s" else image.name)
        if image
        else None
    )
    if data is None:
        abort(404)
    public = item.status is WorkStatus.APPROVED
    return Response(
        data,
        mimetype="image/jpeg",
        headers={"Cache-Control": f"{'public' if public else 'private'}, max-age=3600"},
    )


def _work_form(contest: Contest, work: ContestWork | None = None) -> WorkForm:
    form = WorkForm(obj=work) if work is not None and request.method == "GET" else WorkForm()
    form.category.choices = [SelectChoice(c.id, f"{c.name}（{label(c.kind)}）") for c in contest.categories]
    form.remove_images.choices = [
        SelectChoice(image.id, str(image.position)) for image in (work.images if work else [])
    ]
    if work is not None and request.method == "GET":
        form.category.data = work.category_id
    return form


def _draft(contest: Contest, form: WorkForm) -> WorkDraft:
    photos = [upload.read() for upload in (form.photos.data or []) if upload and upload.filename]
    return WorkDraft(
        category=category_of(contest, form.category.data),
        title=form.title.data,
        body=form.body.data or "",
        video_url=form.video_url.data or "",
        photos=photos,
        remove_image_ids=frozenset(form.remove_images.data or []),
    )


@bp.route("/<id:contest_id>/submit", methods=["GET", "POST"])
@login_required
def submit(contest_id: int):
    """Submit a work; it waits for review before it appears in the gallery."""
    contest = public_contest(contest_id)
    form = _work_form(contest)
    if form.validate_on_submit():
        try:
            submit_work(current_user, contest, _draft(contest, form))
        except DomainError as error:
            show_domain_error(form, error)
        else:
            return saved(
                _("Submitted. Your work appears in the gallery once the union has approved it."),
                "contests.mine",
                contest_id=contest.id,
            )
    return render(
        "contests/submit.html",
        contest=contest,
        form=form,
        state=contest_state(contest),
        eligible=is_eligible(current_user, contest),
    )


@bp.get("/<id:contest_id>/mine")
@login_required
def mine(contest_id: int):
    """The member's works in the collection, with their review status."""
    contest = public_contest(contest_id)
    return render(
        "contests/mine.html",
        contest=contest,
        works=works_of(current_user, contest),
        state=contest_state(contest),
    )


@bp.route("/works/<id:work_id>/edit", methods=["GET", "POST"])
@login_required
def edit(work_id: int):
    """Change a work while submissions are open; it goes back to review."""
    item = visible_work(current_user, work_id, None)
    if item.author_id != current_user.id:
        abort(404)
    contest = item.contest
    form = _work_form(contest, item)
    if form.validate_on_submit():
        try:
            edit_work(current_user, item, _draft(contest, form))
        except DomainError as error:
            show_domain_error(form, error)
        else:
            return saved(
                _("Saved. The changed work waits for review again."), "contests.mine", contest_id=contest.id
            )
    return render("contests/edit.html", contest=contest, work=item, form=form, state=contest_state(contest))


@bp.post("/works/<id:work_id>/vote")
@login_required
@limiter.limit(config_value("RATELIMIT_CONTEST_VOTE"), key_func=lambda: f"vote:{current_user.get_id()}")
def vote(work_id: int):
    """One vote for the work, today; htmx swaps the count and the button in place."""
    item = visible_work(current_user, work_id, None)
    contest = item.contest
    status = 200
    try:
        left = cast_vote(current_user, item)
    except DomainError as error:  # refused: the message in place, nothing written
        message, status = refusal_message(None, error), 422
    else:
        message = {
            "category": "success",
            "text": _("Thank you for your vote. Votes left today: %(n)s.", n=left),
        }
    if not is_htmx():
        flash(message["text"], message["category"])
        return redirect(
            safe_next_url(request.form.get("next")) or url_for("contests.work", work_id=item.id), 303
        )
    state = contest_state(contest)
    return render(
        "contests/vote.html",
        block="vote",
        oob=["votes_left"],
        status=status,
        contest=contest,
        work=item,
        state=state,
        voter=voter_day(current_user, contest, [item.id], state.today),
        message=message,
    )


@bp.get("/<id:contest_id>/results")
def results(contest_id: int):
    """The winners by category, public once published and the announced day has come."""
    contest = public_contest(contest_id)
    state = contest_state(contest)
    return render(
        "contests/results.html",
        contest=contest,
        state=state,
        results=results_of(contest) if state.results_public else [],
    )

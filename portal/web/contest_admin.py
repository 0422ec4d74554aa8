"""Works collections for union admins (rules §10): open a collection for a union in scope, set its
categories and windows, review works, see the votes (late accounts apart), name and publish winners."""

from __future__ import annotations

from flask import Blueprint, flash, g, request
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from portal.common.errors import DomainError
from portal.contests.contest import (
    Windows,
    add_category,
    category_of,
    category_presets,
    contest_in_scope,
    contest_state,
    contests_in_scope,
    create_contest,
    open_contest,
    remove_category,
    update_contest,
)
from portal.contests.results import (
    AWARD_SUGGESTIONS,
    add_award,
    award_candidates,
    publish_results,
    remove_award,
    results_of,
)
from portal.contests.votes import vote_summary
from portal.contests.works import count_by_status, review_queue, review_work, work_of
from portal.labels import label
from portal.models.contest import Contest, WorkKind, WorkStatus
from portal.orgs.scope import get_org_in_scope_by_code, list_scope_roots
from portal.web.forms.contests import AwardForm, CategoryForm, ContestCreateForm, ContestForm, ReviewForm
from portal.web.helpers import (
    redirect_to,
    refusal_message,
    refused,
    require_admin_scope,
    saved,
    show_domain_error,
)
from portal.web.htmx import render

bp = Blueprint("contest_admin", __name__, url_prefix="/admin/contests")
bp.before_request(require_admin_scope)


def _windows(form: ContestForm) -> Windows:
    return Windows(
        submit_from=form.submit_from.data,
        submit_until=form.submit_until.data,
        vote_from=form.vote_from.data,
        vote_until=form.vote_until.data,
        results_on=form.results_on.data,
    )


@bp.get("/")
def index():
    """The collections of the unions in scope."""
    contests = contests_in_scope(g.scope)
    return render("contest_admin/index.html", lines=[(c, contest_state(c)) for c in contests])


@bp.route("/new", methods=["GET", "POST"])
def new():
    """Create a collection (members see it once it is opened)."""
    presets = category_presets()
    form = ContestCreateForm()
    form.categories.choices = [
        SelectChoice(str(i), f"{p.name}（{label(p.kind)}）") for i, p in enumerate(presets)
    ]
    if request.method == "GET":
        roots = list_scope_roots(g.scope)
        form.org_code.data = roots[0].code if len(roots) == 1 else ""
    if form.validate_on_submit():
        try:
            org = get_org_in_scope_by_code(g.scope, form.org_code.data)
            contest = create_contest(
                current_user,
                org,
                title=form.title.data,
                rules=form.rules.data or "",
                windows=_windows(form),
                votes_per_day=form.votes_per_day.data,
                categories=[presets[int(index)] for index in form.categories.data],
            )
        except DomainError as error:
            show_domain_error(form, error)
        else:
            return saved(
                _("Created. Check the categories, then open the collection to members."),
                "contest_admin.edit",
                contest_id=contest.id,
            )
    return render("contest_admin/new.html", form=form)


def _edit_page(contest: Contest, form: ContestForm, category_form: CategoryForm | None = None, message=None):
    return render(
        "contest_admin/edit.html",
        contest=contest,
        form=form,
        category_form=category_form or CategoryForm(formdata=None),
        state=contest_state(contest),
        counts=count_by_status(contest),
        message=message,
    )


@bp.route("/<id:contest_id>", methods=["GET", "POST"])
def edit(contest_id: int):
    """The collection's settings, categories and state."""
    contest = contest_in_scope(g.scope, contest_id)
    form = ContestForm(obj=contest)
    if form.validate_on_submit():
        try:
            update_contest(
                current_user,
                contest,
                title=form.title.data,
                rules=form.rules.data or "",
                windows=_windows(form),
                votes_per_day=form.votes_per_day.data,
            )
        except DomainError as error:
            show_domain_error(form, error)
        else:
            return saved(_("Saved."), "contest_admin.edit", contest_id=contest.id)
    return _edit_page(contest, form)


@bp.post("/<id:contest_id>/open")
def open_(contest_id: int):
    """Show the collection to the members of its subtree."""
    contest = contest_in_scope(g.scope, contest_id)
    try:
        open_contest(current_user, contest)
    except DomainError as error:
        return _edit_page(
            contest, ContestForm(obj=contest, formdata=None), message=refusal_message(None, error)
        )
    return saved(
        _("Opened: members of the union and the unions below it see the collection."),
        "contest_admin.edit",
        contest_id=contest.id,
    )


@bp.post("/<id:contest_id>/categories")
def add_category_(contest_id: int):
    """Add a category."""
    contest = contest_in_scope(g.scope, contest_id)
    category_form = CategoryForm()
    if category_form.validate_on_submit():
        try:
            add_category(
                current_user, contest, name=category_form.name.data, kind=WorkKind(category_form.kind.data)
            )
        except DomainError as error:
            show_domain_error(category_form, error)
        else:
            return saved(_("Category added."), "contest_admin.edit", contest_id=contest.id)
    return _edit_page(contest, ContestForm(obj=contest, formdata=None), category_form)


@bp.post("/<id:contest_id>/categories/<id:category_id>/remove")
def remove_category_(contest_id: int, category_id: int):
    """Remove a category without works."""
    contest = contest_in_scope(g.scope, contest_id)
    try:
        remove_category(current_user, contest, category_of(contest, category_id))
    except DomainError as error:
        return _edit_page(
            contest, ContestForm(obj=contest, formdata=None), message=refusal_message(None, error)
        )
    return saved(_("Category removed."), "contest_admin.edit", contest_id=contest.id)


def _status_filter() -> WorkStatus | None:
    value = request.args.get("status", WorkStatus.PENDING.value)
    return WorkStatus(value) if value in WorkStatus.__members__.values() else None


@bp.get("/<id:contest_id>/review")
def review(contest_id: int):
    """Works waiting for review (or of another status), each with its content and vote counts."""
    contest = contest_in_scope(g.scope, contest_id)
    status = _status_filter()
    return render(
        "contest_admin/review.html",
        contest=contest,
        shown=status,
        works=review_queue(contest, status),
        counts=count_by_status(contest),
        statuses=list(WorkStatus),
        form=ReviewForm(formdata=None),
    )


@bp.post("/<id:contest_id>/works/<id:work_id>/review")
def decide(contest_id: int, work_id: int):
    """Approve or reject a work (a rejection needs a reason)."""
    contest = contest_in_scope(g.scope, contest_id)
    work = work_of(contest, work_id)
    form = ReviewForm()
    back = request.form.get("back_status", WorkStatus.PENDING.value)
    if not form.validate_on_submit():
        flash(_("The page was out of date. Look at the work again."), "error")
    else:
        approve = request.form.get("decision") == "approve"
        try:
            review_work(
                current_user,
                work,
                approve=approve,
                revision=form.revision.data,
                reason=form.reason.data or "",
            )
        except DomainError as error:
            flash(refused(error), "error")
        else:
            flash(
                _("Approved: 《%(title)s》 is in the gallery.", title=work.title)
                if approve
                else _("Rejected; the author sees the reason."),
                "success",
            )
    return redirect_to("contest_admin.review", contest_id=contest.id, status=back)


def _results_page(contest: Contest, form: AwardForm, message=None):
    return render(
        "contest_admin/results.html",
        contest=contest,
        form=form,
        state=contest_state(contest),
        results=results_of(contest),
        summary=vote_summary(contest),
        suggestions=AWARD_SUGGESTIONS,
        message=message,
    )


def _award_form(contest: Contest) -> AwardForm:
    form = AwardForm()
    names = {c.id: c.name for c in contest.categories}
    form.work.choices = [
        SelectChoice(
            work.id,
            _(
                "%(category)s · %(title)s · %(votes)s votes (%(late)s from new accounts)",
                category=names.get(work.category_id, ""),
                title=work.title,
                votes=work.votes,
                late=work.late_votes,
            ),
        )
        for work in award_candidates(contest)
    ]
    return form


@bp.route("/<id:contest_id>/results", methods=["GET", "POST"])
def results(contest_id: int):
    """Name the winners of each category, then publish them."""
    contest = contest_in_scope(g.scope, contest_id)
    form = _award_form(contest)
    if form.validate_on_submit():
        try:
            work = work_of(contest, form.work.data)
            add_award(current_user, contest, work, award=form.award.data, position=form.position.data or 0)
        except DomainError as error:
            show_domain_error(form, error)
        else:
            return saved(_("Winner added."), "contest_admin.results", contest_id=contest.id)
    return _results_page(contest, form)


@bp.post("/<id:contest_id>/results/<id:award_id>/remove")
def remove_award_(contest_id: int, award_id: int):
    """Take a winner off the list before publication."""
    contest = contest_in_scope(g.scope, contest_id)
    try:
        remove_award(current_user, contest, award_id)
    except DomainError as error:
        return _results_page(contest, _award_form(contest), refusal_message(None, error))
    return saved(_("Winner removed."), "contest_admin.results", contest_id=contest.id)


@bp.post("/<id:contest_id>/results/publish")
def publish(contest_id: int):
    """Publish the winners: final, public from the announced day."""
    contest = contest_in_scope(g.scope, contest_id)
    try:
        publish_results(current_user, contest)
    except DomainError as error:
        return _results_page(contest, _award_form(contest), refusal_message(None, error))
    return saved(_("Results published."), "contest_admin.results", contest_id=contest.id)

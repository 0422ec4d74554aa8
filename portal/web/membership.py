"""The member's side of 入会 and 转会: a four-step wizard, and withdrawing an application.

The steps keep what was chosen in the session, so going back shows the earlier answers, and each step
is a plain form: htmx only makes the union search answer as the member types.
"""

from __future__ import annotations

from functools import wraps

from flask import Blueprint, abort, current_app, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms.fields.choices import SelectChoice

from portal.common.errors import DomainError
from portal.common.phones import mask_phone
from portal.extensions import db, limiter
from portal.identity.errors import ProfileRequired
from portal.identity.sms_codes import issue_code
from portal.membership.applications import (
    JOINABLE_KINDS,
    active_membership,
    application_letter,
    check_can_apply,
    submit_application,
    withdraw_application,
)
from portal.membership.errors import NotAGrassrootsUnion
from portal.models.identity import SmsPurpose
from portal.models.membership import Application, ApplicationKind, MemberCategory
from portal.models.org import Organisation
from portal.orgs.tree import list_region_choices, search_unions
from portal.web.forms.membership import CategoryForm, ConfirmForm, RegionForm, UnionForm
from portal.web.helpers import config_value, redirect_to, refused, show_domain_error
from portal.web.htmx import render

bp = Blueprint("membership", __name__, url_prefix="/membership")

STEPS = ("category", "region", "union", "confirm")


def _kind(kind: str) -> ApplicationKind:
    try:
        return ApplicationKind(kind)
    except ValueError:
        abort(404)


def _state(kind: ApplicationKind) -> dict:
    return session.setdefault(f"apply_{kind.value}", {})


def _save(kind: ApplicationKind, **values) -> None:
    state = _state(kind)
    state.update(values)
    session[f"apply_{kind.value}"] = state


def _region(state: dict) -> Organisation | None:
    region = db.session.get(Organisation, state.get("region") or 0)
    return region if region is not None and region.depth == 1 else None


def _union(state: dict, region: Organisation | None) -> Organisation | None:
    union = db.session.get(Organisation, state.get("union") or 0)
    if union is None or region is None or union.kind not in JOINABLE_KINDS or not region.contains(union):
        return None
    return union


def _guard(kind: ApplicationKind, step: str):
    """Send the member to where they must go before ``step``: profile, an earlier step, or their center."""
    try:
        check_can_apply(current_user, kind)
    except ProfileRequired as error:
        flash(str(error.message), "warning")
        return redirect(url_for("me.profile", next=url_for(f"membership.{step}", kind=kind.value)), code=303)
    except DomainError as error:
        flash(refused(error), "error")
        return redirect_to("me.index")
    state = _state(kind)
    needed = {
        "region": ("category",),
        "union": ("category", "region"),
        "confirm": ("category", "region", "union"),
    }
    for earlier in needed.get(step, ()):
        if not state.get(earlier):
            return redirect_to(f"membership.{earlier}", kind=kind.value)
    return None


def wizard_step(step: str):
    """Resolve ``<kind>`` and send the member where they must go first; the view gets the kind."""

    def decorate(view):
        @wraps(view)
        def wrapper(kind: str):
            application_kind = _kind(kind)
            if (detour := _guard(application_kind, step)) is not None:
                return detour
            return view(application_kind)

        return login_required(wrapper)

    return decorate


@bp.get("/<kind>/")
@login_required
def start(kind: str):
    """Begin a join or transfer application at its first step."""
    return redirect_to("membership.category", kind=_kind(kind).value)


@bp.route("/<kind>/category", methods=["GET", "POST"])
@wizard_step("category")
def category(application_kind: ApplicationKind):
    """Step 1: the member category."""
    kind = application_kind.value
    form = CategoryForm(data={"category": _state(application_kind).get("category")})
    if form.validate_on_submit():
        _save(application_kind, category=form.category.data)
        return redirect_to("membership.region", kind=kind)
    return render("membership/category.html", form=form, kind=application_kind, step=1)


@bp.route("/<kind>/region", methods=["GET", "POST"])
@wizard_step("region")
def region(application_kind: ApplicationKind):
    """Step 2: the city union or industry union the workplace belongs to."""
    kind = application_kind.value
    state = _state(application_kind)
    form = RegionForm(data={"region": state.get("region")})
    groups = list_region_choices()
    form.region.choices = [
        SelectChoice(child.id, child.name, optgroup=root.name)
        for root, children in groups
        for child in children
    ]
    if form.validate_on_submit():
        if _region({"region": form.region.data}) is None:
            form.region.errors = [_("Choose the city union or industry union your workplace belongs to.")]
        else:
            if form.region.data != state.get("region"):
                _save(application_kind, union=None)
            _save(application_kind, region=form.region.data)
            return redirect_to("membership.union", kind=kind)
    return render("membership/region.html", form=form, kind=application_kind, step=2)


@bp.route("/<kind>/union", methods=["GET", "POST"])
@wizard_step("union")
def union(application_kind: ApplicationKind):
    """Step 3: search the grassroots union by name and choose it."""
    kind = application_kind.value
    state = _state(application_kind)
    region_org = _region(state)
    if region_org is None:
        return redirect_to("membership.region", kind=kind)
    form = UnionForm(data={"union": state.get("union")})
    if form.validate_on_submit():
        chosen = _union({"union": form.union.data}, region_org)
        if chosen is None:
            form.union.errors = [str(NotAGrassrootsUnion.message)]
        else:
            _save(application_kind, union=chosen.id)
            return redirect_to("membership.confirm", kind=kind)
    query = request.args.get("q", "").strip()[:50]
    results = search_unions(region_org, query, kinds=JOINABLE_KINDS)
    return render(
        "membership/union.html",
        block="union_results",
        form=form,
        kind=application_kind,
        step=3,
        region=region_org,
        query=query,
        results=results,
        chosen=_union(state, region_org),
    )


def _confirm_context(kind: ApplicationKind) -> dict:
    state = _state(kind)
    target = _union(state, _region(state))
    category_value = MemberCategory(state["category"])
    current = active_membership(current_user)
    return {
        "kind": kind,
        "step": 4,
        "target": target,
        "category": category_value,
        "current": current,
        "letter": application_letter(kind, current_user, target, category_value, current) if target else "",
        "masked_phone": mask_phone(current_user.phone),
    }


@bp.route("/<kind>/confirm", methods=["GET", "POST"])
@wizard_step("confirm")
def confirm(application_kind: ApplicationKind):
    """Step 4: name and ID from the profile, SMS confirmation, the letter in full, agree and submit."""
    kind = application_kind.value
    context = _confirm_context(application_kind)
    if context["target"] is None:
        return redirect_to("membership.union", kind=kind)
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            submit_application(
                current_user, application_kind, context["target"], context["category"], form.code.data
            )
        except DomainError as error:
            show_domain_error(form, error)
        else:
            session.pop(f"apply_{application_kind.value}", None)
            flash(_("Your application was submitted. You will be notified of the decision."), "success")
            return redirect_to("me.index")
    return render("membership/confirm.html", form=form, sms={}, **context)


@bp.post("/<kind>/code")
@limiter.limit(
    config_value("RATELIMIT_SMS_SEND_PER_PHONE"),
    key_func=lambda: f"sms:{getattr(current_user, 'phone', '')}",
    exempt_when=lambda: not current_user.is_authenticated,
)
@wizard_step("confirm")
def send_code(application_kind: ApplicationKind):
    """Send the confirmation code to the member's own number; answered like the sign-in pages."""
    context = _confirm_context(application_kind)
    issued = issue_code(current_user.phone, SmsPurpose.VERIFY)
    status = {
        "message": _(
            "A code was sent to %(phone)s. It is valid for 5 minutes.", phone=context["masked_phone"]
        )
    }
    if current_app.config["DEMO"]:
        status["demo_code"] = issued.code
    return render("membership/confirm.html", block="sms_status", form=ConfirmForm(), sms=status, **context)


@bp.post("/applications/<id:application_id>/withdraw")
@login_required
def withdraw(application_id: int):
    """Take back one's own pending application."""
    application = db.session.get(Application, application_id)
    if application is None or application.user_id != current_user.id:
        abort(404)
    try:
        withdraw_application(current_user, application)
    except DomainError as error:
        flash(refused(error), "error")
    else:
        flash(_("Your application was withdrawn."), "success")
    return redirect_to("me.index")

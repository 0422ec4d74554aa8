"""Small helpers the blueprints share: safe redirects, signing in, turning domain errors into form errors."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import partial
from pathlib import Path
from typing import IO
from urllib.parse import urlsplit

from flask import abort, current_app, flash, g, redirect, request, session, url_for
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from portal.common.errors import DomainError
from portal.common.phones import parse_phone
from portal.extensions import db, login_manager
from portal.identity.accounts import load_session_user
from portal.identity.errors import SmsCodeWrong
from portal.identity.notifications import count_unread
from portal.models.campaign import Campaign
from portal.models.identity import User
from portal.orgs.scope import admin_scope


def safe_next_url(candidate: str | None) -> str | None:
    """``candidate`` if it is a path on this site (no scheme, no host, no ``//``), else None."""
    if not candidate or not candidate.startswith("/") or candidate.startswith("//") or "\\" in candidate:
        return None
    parts = urlsplit(candidate)
    return candidate if not parts.scheme and not parts.netloc else None


def redirect_to(endpoint: str, **values) -> Response:
    """A 303 See Other, so that a POST is never repeated by the browser."""
    return redirect(url_for(endpoint, **values), code=303)


def saved(message: str, endpoint: str, **values) -> Response:
    """The end of a form's work that went through: say so and send the browser on (303); the request's
    end commits (``portal.transactions``)."""
    flash(message, "success")
    return redirect_to(endpoint, **values)


def redirect_next(form_next: str | None, default_endpoint: str) -> Response:
    target = safe_next_url(form_next) or safe_next_url(request.args.get("next"))
    return redirect(target or url_for(default_endpoint), code=303)


def sign_in(user: User, *, remember: bool = False) -> None:
    """Start a fresh session for ``user`` (the old session's data, CSRF token included, is dropped)."""
    session.clear()
    login_user(user, remember=remember)
    session.permanent = True


def refused(error: DomainError) -> str:
    """A refusal's message, with everything the request wrote dropped at once, so that the page shown
    next reads what is stored and the request's end (``portal.transactions``) has nothing to commit.

    A wrong SMS code's failed attempt is the exception: services check the code after every other rule
    and write nothing before it, so the attempt alone is kept (rules §2.1: a code dies after 5 tries).
    """
    if not isinstance(error, SmsCodeWrong):
        db.session.rollback()
    return str(error.message)


def show_domain_error(form: FlaskForm, error: DomainError) -> None:
    """Attach ``error`` to its field (or to the form), dropping what the request wrote (``refused``)."""
    message = refused(error)
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = [*field.errors, message]
    else:
        form.form_errors.append(message)


def refusal_message(form: FlaskForm | None, error: DomainError) -> dict | None:
    """A refusal about an input goes to its field (None is returned); one about the state of things (not
    lit, not the captain, the campaign has started) becomes a message for the top of the page. Either way
    nothing the request wrote is kept."""
    if form is not None and error.field and getattr(form, error.field, None) is not None:
        show_domain_error(form, error)
        return None
    return {"category": "error", "text": refused(error)}


def posted_phone() -> str | None:
    """The valid number in the posted form, for per-number rate limits (None when it is not one)."""
    try:
        return parse_phone(request.form.get("phone", ""))
    except DomainError:
        return None


def per_phone_key(prefix: str, *, with_address: bool = False):
    """A rate limit's key: the posted number (and, ``with_address``, the client's address)."""

    def key() -> str:
        if with_address:
            return f"{prefix}:{posted_phone()}:{get_remote_address()}"
        return f"{prefix}:{posted_phone()}"

    return key


# Bounds of what a query string may ask for: ids as the ``id`` converter takes them, pages of lists, days.
ROW_ID_MAX = 2**31 - 1
PAGE_MAX = 100_000
FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(2999, 12, 31)


def int_arg(name: str, default: int | None = None, *, low: int = 1, high: int = ROW_ID_MAX) -> int | None:
    """A whole number of the query string from ``low`` to ``high``; ``default`` for anything else (a
    huge number would otherwise reach the database and fail there)."""
    value = request.args.get(name, type=int)
    return value if value is not None and low <= value <= high else default


def page_arg(name: str = "page") -> int:
    return int_arg(name, 1, high=PAGE_MAX)


def day_arg(name: str) -> date | None:
    """A day of the query string (YYYY-MM-DD) from 1900 to 2999; None for anything else (0001-01-01 or
    9999-12-31 would overflow the arithmetic of local days)."""
    try:
        day = date.fromisoformat(request.args.get(name, ""))
    except ValueError:
        return None
    return day if FIRST_DAY <= day <= LAST_DAY else None


def config_value(name: str):
    """Read a setting when the request comes in (Flask-Limiter accepts callables for limits)."""
    return lambda: current_app.config[name]


def load_signed_in_user(session_id: str) -> User | None:
    """Flask-Login's loader. The user's unread count, read in the same statement, is kept in ``g`` (one
    per request: Flask pushes an app context for each) for this request's header (``inject_unread_count``)."""
    found = load_session_user(session_id)
    if found is None:
        return None
    g.unread_at_sign_in = (found.user.id, found.unread_notifications)
    return found.user


def inject_unread_count() -> dict[str, object]:
    """The unread-notification badge in the header: the count read with the signed-in user when they
    were loaded this request, else one indexed count; made only when the header is rendered (an htmx
    fragment has none), hence a function the template calls. It counts what was unread when the request
    began: a page that marks them read says so itself (``me.notifications``)."""
    if not current_user.is_authenticated:
        return {}
    return {"unread_notifications": lambda: header_unread_count(current_user.id)}


def header_unread_count(user_id: int) -> int:
    """The count read with the user at sign-in this request, when it was, else ``count_unread``."""
    known = g.get("unread_at_sign_in")
    return known[1] if known is not None and known[0] == user_id else count_unread(user_id)


def require_admin_scope():
    """``before_request`` of the admin blueprints: sign-in required, then ``g.scope``; those who
    administer nothing are told nothing exists here (404)."""
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    g.scope = admin_scope(current_user)
    if g.scope.is_empty:
        abort(404)
    return None


PREVIEW_REFUSED_SHOWN = 500


def split_preview(rows: list) -> dict:
    """What an import preview shows: the good rows, the first refused ones, and how many were refused."""
    good = [row for row in rows if row.ok]
    bad = [row for row in rows if not row.ok]
    return {"good": good, "bad": bad[:PREVIEW_REFUSED_SHOWN], "bad_total": len(bad)}


def campaign_in_scope_or_404(campaign_id: int) -> Campaign:
    """A campaign of a union in the admin's scope (``g.scope``); any other is a 404."""
    campaign = db.session.get(Campaign, campaign_id)
    if campaign is None or not g.scope.contains(campaign.organisation):
        abort(404)
    return campaign


XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_response(handle, filename: str) -> Response:
    """Stream a rewound workbook file as a download, closing it at the end."""
    return _xlsx_download(lambda: handle, filename)


def xlsx_file_response(path: Path, filename: str) -> Response:
    """Stream a workbook on disk as a download: the file is opened when its first bytes are sent and
    closed after its last (a response never sent leaves nothing open)."""
    response = _xlsx_download(partial(path.open, "rb"), filename)
    response.content_length = path.stat().st_size
    return response


def _xlsx_download(opened: Callable[[], IO[bytes]], filename: str) -> Response:
    def chunks():
        with opened() as handle:
            while data := handle.read(256 * 1024):
                yield data

    response = Response(chunks(), mimetype=XLSX_MIMETYPE)
    response.headers.set("Content-Disposition", "attachment", filename=filename)
    return response

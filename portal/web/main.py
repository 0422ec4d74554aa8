"""The public pages: home, privacy notice, language choice and the health check."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, make_response, request
from flask_login import current_user
from sqlalchemy import text

from portal.extensions import db
from portal.i18n import LANGUAGE_COOKIE
from portal.jobs import redis_state
from portal.membership.announcements import announcements_for
from portal.web.helpers import redirect_next
from portal.web.htmx import render

bp = Blueprint("main", __name__)


@bp.get("/")
def index():
    """What the portal is, and the way in; a signed-in member's newest announcements."""
    lines = announcements_for(current_user) if current_user.is_authenticated else []
    return render("main/index.html", announcements=lines)


@bp.get("/privacy")
def privacy():
    """The privacy notice a member agrees to at registration."""
    return render("main/privacy.html")


@bp.post("/language")
def set_language():
    """Remember the chosen interface language in a cookie."""
    response = redirect_next(request.form.get("next"), "main.index")
    language = request.form.get("language", "")
    if language in current_app.config["LANGUAGES"]:
        response.set_cookie(LANGUAGE_COOKIE, language, max_age=365 * 24 * 3600, samesite="Lax", httponly=True)
    return response


@bp.get("/healthz")
def health():
    """How the process and its services are: 200 as long as the process answers and its database does;
    ``"status": "degraded"`` while Redis is configured but does not answer (limits, caches and jobs then
    run in each process, docs/operations.md). For monitoring; load balancers use ``/readyz``."""
    db.session.execute(text("SELECT 1"))
    redis = redis_state(current_app)
    status = "degraded" if redis == "unreachable" else "ok"
    return make_response(jsonify(status=status, database="ok", redis=redis), 200)


@bp.get("/readyz")
def ready():
    """For load balancers: 200 while this process can serve pages (its database answers), 503 when not
    (the database error page answers that, ``errors.database_unavailable``). Redis is not needed."""
    db.session.execute(text("SELECT 1"))
    return make_response(jsonify(status="ready"), 200)

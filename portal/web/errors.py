"""Error pages in Chinese, and an htmx-friendly variant that replaces the target in place."""

from __future__ import annotations

import logging

from flask import Flask, make_response, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DataError, OperationalError
from werkzeug.exceptions import HTTPException, InternalServerError, MethodNotAllowed
from werkzeug.exceptions import NotFound as HttpNotFound

from portal.api import API_PATH_PREFIX
from portal.api.errors import error_response
from portal.common.errors import NotFound
from portal.extensions import db
from portal.web.htmx import htmx_target, is_htmx

log = logging.getLogger(__name__)

ERROR_TEXTS = {
    400: (_l("Bad request"), _l("The request could not be understood. Go back and try again.")),
    403: (_l("Not allowed"), _l("You do not have permission to do this.")),
    404: (_l("Page not found"), _l("The page does not exist, or you cannot see it.")),
    405: (_l("Not allowed"), _l("This address does not accept that kind of request.")),
    413: (_l("File too large"), _l("The upload is larger than allowed.")),
    429: (
        _l("Too many attempts"),
        _l("You tried too often in a short time. Wait a few minutes and try again."),
    ),
    500: (_l("Something went wrong"), _l("The error has been logged. Please try again later.")),
    503: (
        _l("Temporarily unavailable"),
        _l("The database cannot be reached right now. Nothing you sent was saved; try again in a minute."),
    ),
}
# How long a client waits before trying again while the database does not answer.
RETRY_AFTER_SECONDS = 30
API_ERROR_CODES = {
    401: "unauthenticated",
    404: "not_found",
    405: "method_not_allowed",
    413: "too_large",
    429: "rate_limited",
    503: "unavailable",
}
CSRF_TEXT = (
    _l("Page expired"),
    _l("The page was open too long or was opened elsewhere. Reload it and try again."),
)


def render_error(code: int, title: str, message: str):
    if request.path.startswith(API_PATH_PREFIX):
        # The API answers every error, whatever raised it, in its JSON shape.
        fallback = "error" if code < 500 else "server_error"
        return error_response(code, API_ERROR_CODES.get(code, fallback), message)
    if is_htmx() and (target := htmx_target()):
        return render_template("errors/fragment.html", target=target, message=message), code
    return render_template("errors/error.html", code=code, title=title, message=message), code


def register_error_pages(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(_error: CSRFError):
        return render_error(400, *map(str, CSRF_TEXT))

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        code = error.code or 500
        title, message = ERROR_TEXTS.get(code, (error.name, error.description or ""))
        response = make_response(render_error(code, str(title), str(message)))
        if isinstance(error, MethodNotAllowed) and error.valid_methods:  # RFC 9110: a 405 names them
            response.headers["Allow"] = ", ".join(sorted(error.valid_methods))
        return response

    @app.errorhandler(NotFound)
    def not_found(_error: NotFound):
        """A domain lookup found nothing the caller may see: the same 404 as an unknown address."""
        return http_error(HttpNotFound())

    @app.errorhandler(DataError)
    def bad_data(error: DataError):
        """The database refused a value as data (out of range, not encodable): the request's content was
        bad, so a 400, never a 500. The checks at the request's edge should have caught it: logged."""
        log.warning("a value reached the database and was refused: %s", error.orig)
        db.session.rollback()  # the aborted transaction, reset before the page reads the signed-in user
        title, message = ERROR_TEXTS[400]
        return render_error(400, str(title), str(message))

    @app.errorhandler(OperationalError)
    def database_unavailable(error: OperationalError):
        """The database did not answer (down, restarting, out of connections): a 503 that says so, in the
        API's shape under /api/, with Retry-After; the pool drops the broken connections by itself."""
        log.warning("the database is unavailable: %s", error.orig)
        try:
            db.session.rollback()
        except Exception:  # the connection is already gone
            db.session.remove()
        title, message = ERROR_TEXTS[503]
        response = make_response(render_error(503, str(title), str(message)))
        response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response

    @app.errorhandler(InternalServerError)
    def server_error(_error: InternalServerError):
        db.session.rollback()
        title, message = ERROR_TEXTS[500]
        return render_error(500, str(title), str(message))

"""HTTP security headers. The CSP allows only the portal's own scripts and styles, which htmx works
under because its indicator styles and eval are switched off in the htmx-config meta tag."""

from __future__ import annotations

from flask import Flask, Request, Response, abort, current_app, g, request
from flask.sessions import SecureCookieSessionInterface

from portal.api import API_PATH_PREFIX

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: blob:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


SECURITY_HEADERS = (
    ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    ("Referrer-Policy", "same-origin"),
    ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
)


# A JSON answer of the API is never a document: it loads nothing, is never framed and is not sniffed.
# Those two headers say all of that (OWASP's REST Security Cheat Sheet); the pages' long policy and
# their referrer and permissions policies would only be checked and copied on every API call (each
# header is checked by werkzeug when added and again when the answer is sent, then by gunicorn; the five
# cost about a seventeenth of a step report's instructions, docs/benchmarks.md).
API_SECURITY_HEADERS = (
    ("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'"),
    ("X-Content-Type-Options", "nosniff"),
)


# In production every answer also tells browsers to use HTTPS only, for a year (the portal runs behind
# TLS there; in development it is served over plain HTTP on localhost, where HSTS would stick).
HSTS = ("Strict-Transport-Security", "max-age=31536000; includeSubDomains")


def set_security_headers(response: Response) -> Response:
    """Add the headers, leaving any a view set itself (one pass over the response's headers): the pages'
    set, or the API's own for an answer under ``/api/``; HSTS in production."""
    headers = API_SECURITY_HEADERS if request.path.startswith(API_PATH_PREFIX) else SECURITY_HEADERS
    if current_app.config["ENV"] == "production":
        headers = (*headers, HSTS)
    present = {name.lower() for name, _value in response.headers}
    response.headers.extend([(name, value) for name, value in headers if name.lower() not in present])
    return response


class BrowserSessionInterface(SecureCookieSessionInterface):
    """Sessions are for the pages. The JSON API authenticates by bearer token only, so its requests get
    Flask's null session: a session cookie is never read there (no cookie authentication, hence no CSRF
    exposure) and nothing is signed or sent back."""

    def open_session(self, app: Flask, request: Request):
        if request.path.startswith(API_PATH_PREFIX):
            return None  # Flask makes a null session
        return super().open_session(app, request)

    def should_set_cookie(self, app: Flask, session) -> bool:
        if g.get("session_cookie_kept") and not session.modified:
            return False
        return super().should_set_cookie(app, session)


def keep_session_cookie() -> None:
    """For a poll a page makes by itself: unless the session changed, send no new session cookie, which
    would sign it again and push its expiry on (a page left open is not a visit)."""
    g.session_cookie_kept = True


def refuse_nul_characters() -> None:
    """``before_request``: a NUL character is in no name, number or text a person types, and PostgreSQL
    cannot store one; a page request carrying one in its path, query or form fields is bad input (400)
    before any view or query sees it. The API checks its JSON field by field (a partner's record with one
    gets its own error, the others go through) and takes no free text."""
    if "\x00" in request.path or any("\x00" in key + value for key, value in request.args.items(True)):
        abort(400)
    posted = request.method in ("POST", "PUT", "PATCH", "DELETE") and request.mimetype != "application/json"
    if posted and any("\x00" in key + value for key, value in request.form.items(True)):
        abort(400)

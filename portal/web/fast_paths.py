"""The three places where the portal steps around Flask's or an extension's defaults, each kept because
counting it again showed a gain far beyond its benchmark's noise. Instructions per request, counted with
callgrind side by side on 2026-12-08 (``bench/step_profile.py`` and ``bench/poll_profile.py`` with
``--instructions 400``; instruction counts do not drift as this machine's speed does):

| shortcut | request | with | without |
|---|---|---|---|
| ``keep_page_hooks_to_pages`` | a step report (API) | 1,507,520 | 2,083,969 (+38%) |
| ``keep_page_limits_to_posted_forms`` | a board poll answered 304 | 1,469,241 | 1,930,349 (+31%) |
| ``signed_in_claim`` | a board poll answered 304 | 1,469,241 | 4,735,094 (3.2×, the user loaded) |

Two more were counted that day and removed, their gain below the noise of the benchmark that had
justified them: Flask's ``ensure_sync`` replaced by a check of code flags (1.3% of a step report) and the
session serializer kept across requests (3.9% of a 304 poll).

Where a benchmark can no longer tell a shortcut from its noise, remove it here and say so in
docs/decisions.md.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable
from functools import partial, wraps

from flask import Flask, request, session

from portal.identity.accounts import session_claim

API_BLUEPRINT = "api"


def owned_by(hook: Callable, owner: object) -> bool:
    """Whether ``hook`` is ``owner``'s: a bound method of it, a partial with it first (how Flask-Limiter
    registers its hooks), or a function defined inside one of its class's methods (Flask-WTF's
    ``csrf_protect``), seen through any wrapper that kept ``__wrapped__``."""
    hook = inspect.unwrap(hook)
    if isinstance(hook, partial):
        return bool(hook.args) and hook.args[0] is owner
    if getattr(hook, "__self__", None) is owner:
        return True
    return getattr(hook, "__qualname__", "").startswith(type(owner).__qualname__ + ".")


def keep_page_hooks_to_pages(app: Flask, owners: Iterable[object]) -> None:
    """CSRF protection (Flask-WTF), the remember-me cookie (Flask-Login) and the page rate limits
    (Flask-Limiter) serve the pages, but each registers its hooks for the whole application, so they would
    also run on every call of the JSON API, which authenticates by bearer token (no cookie, so no CSRF to
    guard and no remember cookie) and counts calls per token itself (``api/throttle.py``). Flask has no
    switch per blueprint for an extension's hooks, so this moves them.

    Move the app-wide hooks of ``owners`` onto every top-level blueprint but the API's, ahead of the
    blueprint's own hooks: Flask runs an application's hooks before a blueprint's (after them, for
    ``after_request``), so each page sees them in the same place as before. Call it after the last
    blueprint is registered."""
    owners = tuple(owners)
    pages = [name for name in app.blueprints if name != API_BLUEPRINT and "." not in name]
    for hooks in (app.before_request_funcs, app.after_request_funcs, app.teardown_request_funcs):
        app_wide = hooks.get(None, [])
        moved = [hook for hook in app_wide if any(owned_by(hook, owner) for owner in owners)]
        if not moved:
            continue
        hooks[None] = [hook for hook in app_wide if hook not in moved]
        for name in pages:
            hooks[name] = [*moved, *hooks.get(name, [])]


def keep_page_limits_to_posted_forms(app: Flask, limiter: object) -> None:
    """Run Flask-Limiter's app-wide hooks only where one of its limits can apply: a POST to a page. Every
    page limit guards a form (sign-in, SMS codes, votes; ``tests/api/test_api.py`` checks that each is for
    POST only); the API never runs them (``keep_page_hooks_to_pages``) and counts per token with
    ``api.throttle.check_rate`` instead. Flask-Limiter has no switch per method."""
    for hooks in (app.before_request_funcs, app.after_request_funcs, app.teardown_request_funcs):
        app_wide = hooks.get(None, [])
        hooks[None] = [_on_posted_forms(hook) if owned_by(hook, limiter) else hook for hook in app_wide]


def _on_posted_forms(hook: Callable) -> Callable:
    @wraps(hook)
    def for_posted_forms_only(*args):
        if request.method != "POST":
            return args[0] if args else None  # an after-request hook hands the response on unchanged
        return hook(*args)

    return for_posted_forms_only


def signed_in_claim() -> tuple[int, str] | None:
    """The (user id, session nonce) the session claims, read from where Flask-Login keeps
    ``User.get_id()`` without loading the user: a board poll checks the claim in its one statement
    (``boards.reading.read_board_for_session``), so a session ended elsewhere is still refused."""
    return session_claim(session.get("_user_id"))

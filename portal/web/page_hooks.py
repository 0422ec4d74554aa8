"""Which app-wide request hooks run where.

CSRF protection (Flask-WTF), the remember-me cookie (Flask-Login) and the page rate limits
(Flask-Limiter) serve the pages. Each registers its hooks for the whole application, so until they are
moved they also run on every call of the JSON API, which authenticates by bearer token (no cookie, so no
CSRF to guard and no remember cookie) and counts calls per token itself (``api/throttle.py``). Flask
has no switch per blueprint for an extension's hooks, and a wrapper that tests each request costs a
call of its own; so, once every blueprint is registered, ``keep_page_hooks_to_pages`` moves those hooks
from the application onto each page blueprint, where Flask runs them exactly as before for every page
and never for the API (about a thirteenth of a step report, docs/benchmarks.md).

Every route of the portal belongs to a blueprint (tested), so no page loses them. What has no
blueprint is the static files and a 404 for an unknown address, neither of which posts a form,
signs anyone in or has a limit.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable
from functools import partial

from flask import Flask

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
    """Move the app-wide hooks of ``owners`` onto every top-level blueprint but the API's, ahead of the
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

"""Flask extensions, created unbound and initialised in ``create_app``."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import current_app
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from htmx_flask import Htmx

from portal.i18n import PortalBabel
from portal.models.base import Base

db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
htmx = Htmx()
babel = PortalBabel()
# Limits are declared on the views that need them; nothing is limited by default.
limiter = Limiter(key_func=get_remote_address, default_limits=[])

T = TypeVar("T")


def app_state(name: str, make: Callable[[], T]) -> T:
    """An object kept for the life of the current application (a hasher, derived keys, a cache),
    made by ``make`` on first use: several apps in one process (the tests) never share one."""
    state = current_app.extensions.get(name)
    if state is None:
        state = current_app.extensions.setdefault(name, make())
    return state

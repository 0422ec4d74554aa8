"""The portal's application factory."""

from __future__ import annotations

from typing import Any

from flask import Flask


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the application. Nothing happens at import; everything is wired here."""
    from portal.config import load_config
    from portal.web.fast_paths import keep_page_hooks_to_pages

    app = Flask(__name__, instance_relative_config=True)
    load_config(app, test_config)
    register_extensions(app)
    register_converters(app)
    register_blueprints(app)
    keep_page_hooks_to_pages(app, page_only_extensions())
    register_errorhandlers(app)
    register_cli(app)
    return app


def page_only_extensions() -> tuple[object, ...]:
    """The extensions whose request hooks serve the pages alone (``portal/web/fast_paths.py``)."""
    from portal.extensions import csrf, limiter, login_manager

    return (csrf, login_manager, limiter)


def register_extensions(app: Flask) -> None:
    from werkzeug.middleware.proxy_fix import ProxyFix

    from portal.extensions import babel, csrf, db, htmx, limiter, login_manager, migrate
    from portal.i18n import select_locale
    from portal.transactions import finish_request
    from portal.web.fast_paths import keep_page_limits_to_posted_forms
    from portal.web.helpers import load_signed_in_user
    from portal.web.security import BrowserSessionInterface, refuse_nul_characters, set_security_headers

    if app.config.get("PROXY_FIX_X_FOR"):
        # Behind a reverse proxy: trust its X-Forwarded-For so rate limits see the member's address.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=int(app.config["PROXY_FIX_X_FOR"]), x_proto=1)

    db.init_app(app)
    app.after_request(finish_request)  # registered first, so it runs after every other after_request
    migrate.init_app(app, db, render_as_batch=True, compare_type=True)
    csrf.init_app(app)
    htmx.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    limiter.init_app(app)
    keep_page_limits_to_posted_forms(app, limiter)

    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = None
    login_manager.session_protection = "basic"
    login_manager.user_loader(load_signed_in_user)

    app.session_interface = BrowserSessionInterface()
    app.after_request(set_security_headers)
    app.before_request(refuse_nul_characters)
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        from portal.database import configure_sqlite

        with app.app_context():
            configure_sqlite(db.engine)
    from flask_babel import get_locale

    from portal.boards.definitions import mask_name, public_name
    from portal.common.phones import mask_phone
    from portal.identity.accounts import masked_id_number
    from portal.labels import audit_action, label
    from portal.membership.approval_queue import decider_name
    from portal.models.org import OrgKind
    from portal.web.helpers import inject_unread_count

    app.jinja_env.globals.update(
        get_locale=get_locale,
        label=label,
        audit_action=audit_action,
        masked_id_of=masked_id_number,
        mask_phone=mask_phone,
        decider_name=decider_name,
        mask_name=mask_name,
        public_name=public_name,
        OrgKind=OrgKind,
    )
    app.context_processor(inject_unread_count)
    if app.config["BOARD_REFRESH_IN_PROCESS"]:
        from portal.jobs import start_board_ticker

        app.before_request(start_board_ticker)


def register_converters(app: Flask) -> None:
    from werkzeug.routing import IntegerConverter

    class IdConverter(IntegerConverter):
        """Row ids in URLs: 1 to 2**31 - 1. Anything larger is a 404, never a database overflow."""

        def __init__(self, url_map, *args, **kwargs):
            super().__init__(url_map, min=1, max=2**31 - 1)

    app.url_map.converters["id"] = IdConverter


def register_blueprints(app: Flask) -> None:
    from portal.api import routes as api
    from portal.web import (
        admin,
        announcements,
        approvals,
        auth,
        boards,
        campaign_admin,
        campaigns,
        certificates,
        contest_admin,
        contests,
        dashboard,
        exports,
        imports,
        main,
        me,
        membership,
        prize_admin,
        quiz,
        rewards,
        roster,
        route,
        route_admin,
        teams,
    )

    blueprints = (
        main,
        auth,
        me,
        membership,
        campaigns,
        route,
        quiz,
        certificates,
        teams,
        boards,
        rewards,
        admin,
        approvals,
        imports,
        contests,
    )
    for module in (
        *blueprints,
        campaign_admin,
        route_admin,
        prize_admin,
        dashboard,
        exports,
        roster,
        announcements,
        contest_admin,
        api,
    ):
        app.register_blueprint(module.bp)
    app.register_blueprint(announcements.admin_bp)


def register_errorhandlers(app: Flask) -> None:
    from portal.web.errors import register_error_pages

    register_error_pages(app)


def register_cli(app: Flask) -> None:
    from portal.cli import register_commands

    register_commands(app)

"""Locale choice: Simplified Chinese unless the person picked another supported language."""

from __future__ import annotations

from flask import current_app, has_request_context, request

LANGUAGE_COOKIE = "portal_lang"


def select_locale() -> str:
    chosen = request.cookies.get(LANGUAGE_COOKIE) if has_request_context() else None
    if chosen in current_app.config["LANGUAGES"]:
        return chosen
    return current_app.config["BABEL_DEFAULT_LOCALE"]

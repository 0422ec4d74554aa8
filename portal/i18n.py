"""Locale choice (Simplified Chinese unless the person picked another supported language), and the
translations looked up once per request."""

from __future__ import annotations

from functools import cached_property

from babel.support import NullTranslations
from flask import Flask, current_app, g, has_app_context, has_request_context, request
from flask_babel import Babel, Domain

LANGUAGE_COOKIE = "portal_lang"


def select_locale() -> str:
    chosen = request.cookies.get(LANGUAGE_COOKIE) if has_request_context() else None
    if chosen in current_app.config["LANGUAGES"]:
        return chosen
    return current_app.config["BABEL_DEFAULT_LOCALE"]


class RequestTranslationsDomain(Domain):
    """Flask-Babel's message domain, with the translations looked up once per request and kept in ``g``
    (an app context per request, where Flask-Babel keeps the request's locale too). Flask-Babel looks
    them up again for every string (the locale, the domain, the cache key: about 7 µs a string here, 25
    to 100 strings a page); from ``g`` it is under 1 µs (docs/decisions.md, Interface)."""

    def get_translations(self) -> NullTranslations:
        if not has_app_context():
            return super().get_translations()
        kept = g.get("_request_translations")
        if kept is None:
            kept = g._request_translations = super().get_translations()
        return kept


class PortalBabel(Babel):
    """Flask-Babel with ``RequestTranslationsDomain``; templates reach it without Flask-Babel's
    ``get_domain`` on the way (the portal sets no other domain with ``Domain.as_default``)."""

    @cached_property
    def domain_instance(self) -> RequestTranslationsDomain:
        return RequestTranslationsDomain(domain=self.domain)

    def init_app(self, app: Flask, *args, **kwargs) -> None:
        super().init_app(app, *args, **kwargs)

        def translations() -> NullTranslations:
            return self.domain_instance.get_translations()

        app.jinja_env.install_gettext_callables(
            gettext=lambda s: translations().ugettext(s),
            ngettext=lambda s, p, n: translations().ungettext(s, p, n),
            pgettext=lambda c, s: translations().upgettext(c, s),
            npgettext=lambda c, s, p, n: translations().unpgettext(c, s, p, n),
            newstyle=True,
        )

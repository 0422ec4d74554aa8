"""Locale choice (Simplified Chinese unless the person picked another supported language), and the
translations, locale and time zone looked up once per request."""

from __future__ import annotations

from datetime import date, datetime, tzinfo
from functools import cached_property, lru_cache
from typing import NamedTuple

import flask_babel
from babel import Locale, dates, numbers
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
        if app.jinja_env.filters.get("numberformat") is flask_babel.format_number:  # Babel's filters on
            app.jinja_env.filters.update(
                numberformat=format_number, datetimeformat=format_datetime, dateformat=format_date
            )


class RequestFormats(NamedTuple):
    """What Flask-Babel's formatting filters look up for every figure and date (the locale, the time zone
    and the named formats: about 5 µs a call here, 100 to 200 calls on a busy page), looked up once per
    request and kept in ``g``."""

    locale: Locale
    tzinfo: tzinfo
    date_formats: dict


def request_formats() -> RequestFormats:
    kept = g.get("_request_formats")
    if kept is None:
        kept = g._request_formats = RequestFormats(
            flask_babel.get_locale(),
            flask_babel.get_timezone(),
            flask_babel.get_babel().instance.date_formats,
        )
    return kept


def format_number(number) -> str:
    """Flask-Babel's ``numberformat``, the same text; a whole number (steps, days, ranks: most figures)
    skips Babel's decimal arithmetic where the locale writes it as digits in groups of three."""
    formats = request_formats()
    if type(number) is int:
        symbols = _grouping_in_threes(formats.locale)
        if symbols is not None:
            group, minus = symbols
            grouped = f"{abs(number):,}".replace(",", group)
            return minus + grouped if number < 0 else grouped
    return numbers.format_decimal(number, locale=formats.locale)


@lru_cache(maxsize=16)
def _grouping_in_threes(locale: Locale) -> tuple[str, str] | None:
    """The group separator and minus sign, when the locale's decimal pattern writes whole numbers as
    Python's ``f"{n:,}"`` does (``#,##0.###``); None otherwise (Babel formats them then)."""
    pattern = locale.decimal_formats[None]
    if pattern.grouping != (3, 3) or pattern.prefix != ("", "-") or pattern.suffix != ("", ""):
        return None
    if pattern.int_prec[0] != 1:  # at least one digit (zero is "0"), no padding
        return None
    return numbers.get_group_symbol(locale), numbers.get_minus_sign_symbol(locale)


def format_datetime(value: datetime, format: str | None = None, rebase: bool = True) -> str:
    """Flask-Babel's ``datetimeformat`` (in the person's time zone unless not ``rebase``)."""
    formats = request_formats()
    pattern = _named_format(formats, "datetime", format)
    zone = formats.tzinfo if rebase else None
    return dates.format_datetime(value, pattern, tzinfo=zone, locale=formats.locale)


def format_date(value: date | datetime, format: str | None = None, rebase: bool = True) -> str:
    """Flask-Babel's ``dateformat`` (an instant's day in the person's time zone unless not ``rebase``)."""
    formats = request_formats()
    if rebase and isinstance(value, datetime):
        value = flask_babel.to_user_timezone(value)
    return dates.format_date(value, _named_format(formats, "date", format), locale=formats.locale)


def _named_format(formats: RequestFormats, kind: str, format: str | None) -> str:
    """What Flask-Babel makes of a format: the app's default for ``kind`` when None, the app's own pattern
    for a named one (``short`` …) when it sets one, else the format itself."""
    if format is None:
        format = formats.date_formats[kind]
    if format in ("short", "medium", "full", "long"):
        return formats.date_formats[f"{kind}.{format}"] or format
    return format

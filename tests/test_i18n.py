"""The templates' formatting filters (``portal.i18n``) write exactly what Flask-Babel's would, in every
language the portal offers, with the locale and time zone looked up once per request."""

from __future__ import annotations

import contextvars
from datetime import UTC, date, datetime
from decimal import Decimal

import flask_babel
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portal import i18n
from portal.i18n import LANGUAGE_COOKIE

NAMED = (None, "short", "medium", "long", "full")
PATTERNS = ("M月d日", "yyyy-MM-dd HH:mm", "yyyyMMdd-HHmm")
instants = st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2100, 1, 1))
numbers = st.one_of(
    st.integers(min_value=-(10**15), max_value=10**15),
    st.decimals(min_value=-(10**9), max_value=10**9, places=3, allow_nan=False),
    st.floats(min_value=-1e9, max_value=1e9, allow_nan=False),
)


# The request context is made once per test and language, and serves all of its examples.
ONE_CONTEXT = {"suppress_health_check": [HealthCheck.function_scoped_fixture]}


@pytest.fixture(params=("zh_Hans_CN", "en"))
def language(request, app):
    with app.test_request_context("/", headers={"Cookie": f"{LANGUAGE_COOKIE}={request.param}"}):
        assert str(flask_babel.get_locale()) == request.param
        yield request.param


def test_the_templates_use_the_portals_filters(app):
    filters = app.jinja_env.filters
    assert filters["numberformat"] is i18n.format_number
    assert filters["datetimeformat"] is i18n.format_datetime
    assert filters["dateformat"] is i18n.format_date


@settings(max_examples=300, **ONE_CONTEXT)
@given(number=numbers)
def test_numbers_read_as_flask_babel_writes_them(language, number):
    assert i18n.format_number(number) == flask_babel.format_number(number)


def test_whole_numbers_in_groups_of_three(language):
    assert i18n._grouping_in_threes(flask_babel.get_locale()) is not None  # the shortcut serves both
    assert i18n.format_number(1234567) == "1,234,567"
    assert i18n.format_number(-1000) == flask_babel.format_number(-1000) == "-1,000"
    assert i18n.format_number(Decimal("1234.5")) == flask_babel.format_number(Decimal("1234.5"))


@settings(max_examples=200, **ONE_CONTEXT)
@given(instant=instants, aware=st.booleans(), format=st.sampled_from(NAMED + PATTERNS), rebase=st.booleans())
def test_instants_read_as_flask_babel_writes_them(language, instant, aware, format, rebase):
    value = instant.replace(tzinfo=UTC) if aware else instant
    expected = flask_babel.format_datetime(value, format, rebase=rebase)
    assert i18n.format_datetime(value, format, rebase=rebase) == expected
    assert i18n.format_date(value, format if format in NAMED else "M月d日", rebase=rebase) == (
        flask_babel.format_date(value, format if format in NAMED else "M月d日", rebase=rebase)
    )


@settings(max_examples=100, **ONE_CONTEXT)
@given(day=st.dates(min_value=date(1990, 1, 1), max_value=date(2100, 1, 1)), format=st.sampled_from(NAMED))
def test_days_read_as_flask_babel_writes_them(language, day, format):
    assert i18n.format_date(day, format) == flask_babel.format_date(day, format)


def test_each_request_formats_in_its_own_language(app):
    """The locale is kept for one request only (each in its own app context, as in production): the next
    request in another language formats in that one."""

    def long_date(cookie: str) -> str:
        with app.test_request_context("/", headers={"Cookie": cookie}):
            return i18n.format_date(date(2026, 12, 3), "long")

    english = contextvars.Context().run(long_date, f"{LANGUAGE_COOKIE}=en")
    chinese = contextvars.Context().run(long_date, "")
    assert english == "December 3, 2026" and chinese == "2026年12月3日"

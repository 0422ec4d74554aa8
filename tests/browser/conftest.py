"""Browser fixtures: the portal served from a thread, Debian's Chromium driven by Playwright.

Build every person and record a test needs before the browsers start: on SQLite, a test thread that reads
and then writes while the server thread writes can meet "database is locked" (a WAL read snapshot cannot
become a write after another connection wrote).

Playwright never downloads a browser here: it launches ``/usr/bin/chromium`` (``CHROMIUM_PATH`` to
override). Pages are phone-sized (390 × 844; ``desktop_page`` is 1280 wide) and screenshots go to
``test-artifacts/screenshots``.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright
from werkzeug.serving import make_server

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
PHONE_VIEWPORT = {"width": 390, "height": 844}
DESKTOP_VIEWPORT = {"width": 1280, "height": 900}


# A page closed while the server thread still sends it a static file (the favicon, say) leaves werkzeug's
# file handle to the garbage collector, which reports it as an unraisable exception: noise of the test
# server, not of the portal, and ignored for that one case only.
DROPPED_STATIC_FILE = "ignore:{}:{}".format(
    r"Exception ignored in. <_io.FileIO name='[^']*/portal/static/", "pytest.PytestUnraisableExceptionWarning"
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.filterwarnings(DROPPED_STATIC_FILE))


@pytest.fixture
def serve_portal(app, make_app) -> Iterator:
    """Builder: the portal served from a thread with extra settings; every server is stopped after."""
    servers = []

    def start(**overrides) -> str:
        served = make_app(DEMO=True, WTF_CSRF_ENABLED=True, **overrides)
        server = make_server("127.0.0.1", 0, served, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        servers.append((server, thread))
        return f"http://127.0.0.1:{server.server_port}"

    yield start
    for server, thread in servers:
        server.shutdown()
        thread.join(timeout=10)


@pytest.fixture
def live_server(serve_portal) -> str:
    """The portal as a member meets it: demo mode (codes on the page) and CSRF protection on."""
    return serve_portal()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: install Debian's chromium package (.ci/run does).")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield launched
        launched.close()


def _new_page(browser: Browser, javascript: bool, *, desktop: bool = False) -> Iterator[Page]:
    context = browser.new_context(
        viewport=DESKTOP_VIEWPORT if desktop else PHONE_VIEWPORT,
        device_scale_factor=1 if desktop else 2,
        is_mobile=not desktop,
        has_touch=not desktop,
        locale="zh-CN",
        java_script_enabled=javascript,
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def another_page(browser: Browser) -> Iterator[Page]:
    """A second phone: another person using the portal at the same time."""
    yield from _new_page(browser, javascript=True)


@pytest.fixture
def third_page(browser: Browser) -> Iterator[Page]:
    """A third phone: when a flow needs three people at once (an author, an admin, a voter)."""
    yield from _new_page(browser, javascript=True)


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    yield from _new_page(browser, javascript=True)


@pytest.fixture
def desktop_page(browser: Browser) -> Iterator[Page]:
    """A 1280 px wide desktop browser, as union admins often use."""
    yield from _new_page(browser, javascript=True, desktop=True)


@pytest.fixture
def page_without_js(browser: Browser) -> Iterator[Page]:
    yield from _new_page(browser, javascript=False)


@pytest.fixture
def screenshot():
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(page: Page, name: str) -> None:
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)

    return take

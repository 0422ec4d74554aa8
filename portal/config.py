"""Configuration: defaults here, then ``PORTAL_*`` environment variables, then ``test_config``.

A few settings are also read without the prefix because hosting platforms name them that way
(``DATABASE_URL``, ``REDIS_URL``, ``SECRET_KEY``); the prefixed name wins when both are set. In
development the secrets are generated once and kept under ``instance/``; in production
(``PORTAL_ENV=production``) a missing secret stops the start-up, and so does a ``PORTAL_*`` variable that
names no setting (a misspelt name would otherwise be ignored quietly; in development it is logged).
"""

from __future__ import annotations

import base64
import difflib
import logging
import os
import secrets
from pathlib import Path
from typing import Any

from flask import Flask

log = logging.getLogger(__name__)


class DefaultConfig:
    # PORTAL_ENV: "production" or "development".
    ENV = "development"
    DEMO = False

    # No ping before each checkout: it is a round trip on every request (the step API's budget is about
    # one millisecond). A connection broken by a database restart fails the request using it, and
    # SQLAlchemy then discards the whole pool; recycling keeps connections younger than idle timeouts.
    SQLALCHEMY_ENGINE_OPTIONS: dict[str, Any] = {"pool_pre_ping": False, "pool_recycle": 1800}
    SQLALCHEMY_TRACK_MODIFICATIONS = False

    BABEL_DEFAULT_LOCALE = "zh_Hans_CN"
    BABEL_DEFAULT_TIMEZONE = "Asia/Shanghai"
    BABEL_TRANSLATION_DIRECTORIES = "translations"
    LANGUAGES = ("zh_Hans_CN", "en")

    SESSION_COOKIE_NAME = "portal_session"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = False
    PERMANENT_SESSION_LIFETIME = 7 * 24 * 3600
    # "Remember me" keeps a member signed in on their phone for at most 30 days (Flask-Login's default is a
    # year); signing out ends it on the server at once (``accounts.end_sessions``).
    REMEMBER_COOKIE_DURATION = 30 * 24 * 3600
    # A member may leave a form open on the phone for a while; the token is still bound to the session.
    WTF_CSRF_TIME_LIMIT = 12 * 3600

    # SMS one-time codes (rules §2).
    SMS_SENDER = "portal.identity.sms_senders:LogSender"
    SMS_CODE_TTL_SECONDS = 300
    SMS_CODE_MAX_ATTEMPTS = 5
    # Per number: at most one code a minute and ten a day; per IP: sixty an hour (a shared office NAT).
    RATELIMIT_SMS_SEND_PER_PHONE = "1/minute;5/hour;10/day"
    RATELIMIT_SMS_SEND_PER_IP = "60/hour"
    # Checking a code or a password: per number and per IP.
    RATELIMIT_VERIFY_PER_PHONE = "10/10minute"
    RATELIMIT_VERIFY_PER_IP = "100/10minute"
    RATELIMIT_STORAGE_URI = "memory://"
    # With Redis down, the limits are counted in each process's memory (logged) and Redis is tried again
    # now and then: sign-in and codes keep working (docs/operations.md, "When Redis is down"). Short
    # timeouts, so that a Redis that does not answer at all cannot hold a request either.
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    RATELIMIT_STORAGE_OPTIONS: dict[str, Any] = {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}
    RATELIMIT_HEADERS_ENABLED = True
    RATELIMIT_STRATEGY = "moving-window"

    # argon2id parameters (RFC 9106 "second recommended option" scaled for a 2-core web host).
    ARGON2_TIME_COST = 3
    ARGON2_MEMORY_COST = 64 * 1024
    ARGON2_PARALLELISM = 2

    MAX_CONTENT_LENGTH = 16 * 1024 * 1024

    # How the API counts calls per token: "local" (per worker process) or "shared" (in the limiter's
    # storage, Redis when configured). portal/api/throttle.py explains the trade.
    API_RATE_LIMIT_POLICY = "local"

    # Ranking boards (portal/boards/reading.py): campaigns with at most this many enrolments are ranked
    # on the fly, fresh to the second; larger ones read the snapshot of the last refresh.
    BOARD_LIVE_MAX_PARTICIPANTS = 2000
    # Each web process checks for boards due a refresh this often; with REDIS_URL set the refresh is a job
    # for `flask jobs worker` (RQ), otherwise it runs in a thread of the web process (portal/jobs.py).
    BOARD_REFRESH_IN_PROCESS = True
    BOARD_TICK_SECONDS = 30
    # How often an open board page asks for its partial again.
    BOARD_POLL_SECONDS = 60
    # A page of a snapshot's rows (and its HTML) is kept this long per process: every member's partial
    # shows the same top 50. A name hidden meanwhile disappears from the cached page after at most this.
    BOARD_ROWS_CACHE_SECONDS = 30
    # What those caches may hold at once per process, weighed by rows and by characters of HTML (a top-600
    # panel is about 190,000): pages of many units and cities cannot grow a worker past its memory.
    BOARD_ROWS_CACHE_ROWS = 20_000
    BOARD_PANEL_CACHE_CHARACTERS = 8_000_000
    # How long a process keeps a campaign's snapshot pointers (portal/boards/tables.py).
    BOARD_POINTER_CACHE_SECONDS = 5
    # Exports from the admin pages are written within the request (gunicorn gives it 30 s); larger boards
    # are written by a background job into EXPORT_DIR (about two minutes per million rows) for their
    # requester to download (portal/boards/export_files.py), or with `flask campaign export`.
    BOARD_EXPORT_MAX_ROWS = 150_000
    # Without Redis, that job is a thread of the web process that asked for it.
    BOARD_EXPORT_IN_PROCESS = True
    # Those files and their requests are forgotten this long after they were asked for; one still pending
    # after BOARD_EXPORT_STALE_MINUTES (its process died) is shown as failed.
    BOARD_EXPORT_KEEP_DAYS = 7
    BOARD_EXPORT_STALE_MINUTES = 60
    # instance/exports if unset; every host of a deployment (web and job workers) must see the same folder.
    EXPORT_DIR: str | None = None
    # Uploaded landmark pictures and members' posters (portal/common/media.py); instance/media if unset.
    MEDIA_DIR: str | None = None

    # Works collections (rules §10): a video work links to one of these hosts or a subdomain of one
    # (the video sites and WeChat channels unions publish on); PORTAL_CONTEST_VIDEO_HOSTS replaces the list
    # (a JSON list).
    CONTEST_VIDEO_HOSTS: tuple[str, ...] = (
        "v.qq.com",
        "channels.weixin.qq.com",
        "mp.weixin.qq.com",
        "bilibili.com",
        "b23.tv",
        "douyin.com",
        "ixigua.com",
        "kuaishou.com",
        "weibo.com",
        "youku.com",
        "haokan.baidu.com",
    )
    # Votes per signed-in member and minute, beside the collection's own daily limit (scripts, not people).
    RATELIMIT_CONTEST_VOTE = "30/minute"

    # Posters and certificates are drawn with a CJK font: PORTAL_CJK_FONT names one, else the first of
    # these that exists (Debian's fonts-noto-cjk, then other common packages).
    CJK_FONT: str | None = None
    CJK_FONT_CANDIDATES = (
        "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
        "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
        "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
        "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
        "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
        "/System/Library/Fonts/PingFang.ttc",
    )

    # API tokens' "last used" is written in batches, at most this often per process
    # (portal/campaigns/tokens.py).
    API_TOKEN_USE_WRITE_SECONDS = 60.0


def load_config(app: Flask, test_config: dict[str, Any] | None) -> None:
    """Fill ``app.config`` from the defaults, the environment and ``test_config``, in that order."""
    app.config.from_object(DefaultConfig)
    known = set(app.config) | set(_READ_ELSEWHERE)
    app.config.from_prefixed_env("PORTAL")
    for name in _UNPREFIXED:
        if os.environ.get(name) and not app.config.get(name):
            app.config[name] = os.environ[name]
    if test_config:
        app.config.update(test_config)

    if app.config["ENV"] not in ("production", "development"):
        raise RuntimeError(f'PORTAL_ENV must be "production" or "development", not "{app.config["ENV"]}".')
    production = app.config["ENV"] == "production"
    _report_unknown(known, production)
    if "SQLALCHEMY_DATABASE_URI" not in app.config:
        url = app.config.get("DATABASE_URL") or f"sqlite:///{Path(app.instance_path) / 'portal.sqlite3'}"
        app.config["SQLALCHEMY_DATABASE_URI"] = _normalise_database_url(url)
    if app.config.get("REDIS_URL") and app.config["RATELIMIT_STORAGE_URI"] == "memory://":
        app.config["RATELIMIT_STORAGE_URI"] = app.config["REDIS_URL"]

    if production:
        app.config["SESSION_COOKIE_SECURE"] = True
        app.config["REMEMBER_COOKIE_SECURE"] = True
        if app.config.get("DEMO"):
            raise RuntimeError("PORTAL_DEMO must not be set in production: it shows SMS codes on the page.")
    if app.config["API_RATE_LIMIT_POLICY"] not in ("local", "shared"):
        raise RuntimeError('PORTAL_API_RATE_LIMIT_POLICY must be "local" or "shared".')
    app.config["SECRET_KEY"] = _secret(app, "SECRET_KEY", lambda: secrets.token_hex(32), production)
    app.config["PII_KEY"] = _secret(
        app, "PII_KEY", lambda: base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(), production
    )


# Settings without a default above: the platforms' names, and those read only where they are used.
_UNPREFIXED = ("DATABASE_URL", "REDIS_URL", "SECRET_KEY")
_READ_ELSEWHERE = (*_UNPREFIXED, "PII_KEY", "PROXY_FIX_X_FOR", "SEEDS_DIR")
# Extensions read their own settings by these prefixes (Flask-SQLAlchemy, Flask-Limiter, Flask-WTF, …).
_EXTENSION_PREFIXES = ("SQLALCHEMY_", "RATELIMIT_", "WTF_", "BABEL_", "REMEMBER_", "SESSION_", "ARGON2_")


def _report_unknown(known: set[str], production: bool) -> None:
    """Refuse (production) or log (development) ``PORTAL_*`` variables that name no setting."""
    unknown = sorted(
        name[len("PORTAL_") :]
        for name in os.environ
        if name.startswith("PORTAL_")
        and name[len("PORTAL_") :] not in known
        and not name[len("PORTAL_") :].startswith(_EXTENSION_PREFIXES)
    )
    if not unknown:
        return
    described = []
    for name in unknown:
        close = difflib.get_close_matches(name, sorted(known), n=1)
        described.append(f"PORTAL_{name}" + (f" (did you mean PORTAL_{close[0]}?)" if close else ""))
    message = "Unknown settings in the environment, ignored: " + ", ".join(described)
    if production:
        raise RuntimeError(message + ". Remove or correct them (README, Configuration).")
    log.warning(message)


def _normalise_database_url(url: str) -> str:
    # Platforms hand out postgres:// URLs; SQLAlchemy wants the psycopg (v3) driver named.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _secret(app: Flask, name: str, generate: Any, production: bool) -> str:
    """The configured secret, or in development one generated once and kept under instance/."""
    value = app.config.get(name)
    if value:
        return str(value)
    if production:
        raise RuntimeError(f"PORTAL_{name} must be set in production.")
    path = Path(app.instance_path) / name.lower()
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    value = generate()
    path.write_text(value)
    path.chmod(0o600)
    return value

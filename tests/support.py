"""Test doubles and helpers shared by the test packages."""

from __future__ import annotations

import re
from contextlib import contextmanager
from dataclasses import dataclass

from flask import Flask
from flask_sqlalchemy.session import Session as RequestSession
from sqlalchemy import event

from portal.extensions import db
from portal.models.identity import SmsPurpose


@dataclass
class SentSms:
    phone: str
    code: str
    purpose: SmsPurpose


class RecordingSender:
    """An SMS sender that keeps what it would have sent, for tests to read."""

    outbox: list[SentSms] = []

    def __init__(self, app: Flask) -> None:
        self.app = app

    def send_code(self, phone: str, code: str, purpose: SmsPurpose) -> None:
        RecordingSender.outbox.append(SentSms(phone, code, purpose))

    @classmethod
    def last_code(cls, phone: str) -> str | None:
        """The newest code sent to ``phone``; None when none was."""
        return next((sms.code for sms in reversed(cls.outbox) if sms.phone == phone), None)


PII_KEY = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFG="


def text_of(html: bytes | str) -> str:
    """The visible text of an HTML page, whitespace folded, for asserting messages."""
    if isinstance(html, bytes):
        html = html.decode()
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


@contextmanager
def counted_queries():
    """The statements sent, and among them "(transaction)" where the request's session began a
    transaction on the database (SQLite's BEGIN is a statement; PostgreSQL's is psycopg's own)."""
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        statements.append(statement)

    def began(*_args):
        statements.append("(transaction)")

    event.listen(db.engine, "before_cursor_execute", count)
    event.listen(RequestSession, "after_begin", began)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
        event.remove(RequestSession, "after_begin", began)


def closed_port() -> int:
    """A local port where nothing listens (bound for a moment, then released): a service that is down."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]

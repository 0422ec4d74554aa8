"""Races with real threads on PostgreSQL: each thread has its own app context, session and connection.

A barrier lines the threads up so that they reach the database together.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable

import pytest
from flask import Flask
from sqlalchemy import func, select

from portal.common.errors import DomainError
from portal.extensions import db
from portal.identity.accounts import complete_profile, create_account
from portal.identity.sms_codes import consume_code, issue_code
from portal.models import SmsPurpose, User

pytestmark = pytest.mark.postgres
THREADS = 8


def race(app: Flask, work: Callable[[int], object], threads: int = THREADS) -> Counter[str]:
    """Run ``work(i)`` in ``threads`` threads at once, each committing its own transaction.

    Returns how many ended in each outcome: "ok" or the name of the domain error raised.
    """
    barrier = threading.Barrier(threads)
    outcomes: list[str] = [""] * threads

    def worker(index: int) -> None:
        with app.app_context():
            try:
                barrier.wait()
                work(index)
                db.session.commit()
                outcomes[index] = "ok"
            except DomainError as error:
                db.session.rollback()
                outcomes[index] = type(error).__name__
            finally:
                db.session.remove()

    pool = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join(timeout=60)
    return Counter(outcomes)


def test_a_code_is_accepted_once_when_requests_race(app):
    code = issue_code("13912345678", SmsPurpose.REGISTER).code
    db.session.commit()
    outcomes = race(app, lambda _i: consume_code("13912345678", SmsPurpose.REGISTER, code))
    assert outcomes == Counter({"ok": 1, "SmsCodeExpired": THREADS - 1})


def test_one_account_per_number_when_registrations_race(app):
    outcomes = race(app, lambda _i: create_account("13912345678", "river-path-2026"))
    assert outcomes == Counter({"ok": 1, "PhoneAlreadyRegistered": THREADS - 1})
    assert db.session.scalar(select(func.count()).select_from(User)) == 1


def test_one_profile_per_id_number_when_profiles_race(app, make_user):
    users = [make_user(profile=False).id for _ in range(THREADS)]

    def claim(index: int) -> None:
        complete_profile(db.session.get(User, users[index]), "张三", "320102199003150025")

    outcomes = race(app, claim)
    assert outcomes == Counter({"ok": 1, "IdNumberTaken": THREADS - 1})

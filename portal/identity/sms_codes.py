"""One-time SMS codes (rules §2): six digits, stored hashed, five minutes, single use, bound to a number
and a purpose; a code dies after too many wrong tries.

Rate limits on sending and checking live on the views (Flask-Limiter), since they count requests.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select, update
from werkzeug.utils import import_string

from portal.common.phones import normalise_digits
from portal.common.pii import lookup_digest
from portal.extensions import app_state, db
from portal.identity.errors import SmsCodeExpired, SmsCodeLocked, SmsCodeWrong
from portal.identity.sms_senders import SmsSender
from portal.models.base import utcnow
from portal.models.identity import SmsCode, SmsPurpose, User

CODE_DIGITS = 6


@dataclass(frozen=True)
class IssuedCode:
    phone: str
    purpose: SmsPurpose
    code: str | None  # None: the number cannot use this purpose, and nothing was sent
    expires_at: datetime


def _sender() -> SmsSender:
    return app_state("sms_sender", lambda: import_string(current_app.config["SMS_SENDER"])(current_app))


def _digest(phone: str, purpose: SmsPurpose, code: str) -> str:
    return lookup_digest(f"{phone}:{purpose.value}:{code}", context=b"sms_codes.code")


def _phone_registered(phone: str) -> bool:
    return db.session.scalar(select(User.id).where(User.phone == phone)) is not None


def issue_code(phone: str, purpose: SmsPurpose, *, now: datetime | None = None) -> IssuedCode:
    """Create a code for ``phone`` and ``purpose``, send it, and return it.

    Registration needs a number with no account; signing in and password reset need one with an
    account. For a number that cannot use the purpose nothing is stored or sent, and the answer does not
    say so (``IssuedCode.code`` is None; the page says "sent if the number can use it"): whether a number
    is registered is never told to whoever types it. A new code replaces any earlier one.
    """
    registered = _phone_registered(phone)
    usable = not registered if purpose is SmsPurpose.REGISTER else registered
    now = now or utcnow()
    expires_at = now + timedelta(seconds=current_app.config["SMS_CODE_TTL_SECONDS"])
    if not usable:
        return IssuedCode(phone=phone, purpose=purpose, code=None, expires_at=expires_at)
    code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
    db.session.add(
        SmsCode(
            phone=phone,
            purpose=purpose,
            code_digest=_digest(phone, purpose, code),
            created_at=now,
            expires_at=expires_at,
        )
    )
    db.session.flush()
    _sender().send_code(phone, code, purpose)
    return IssuedCode(phone=phone, purpose=purpose, code=code, expires_at=expires_at)


def consume_code(phone: str, purpose: SmsPurpose, code: str, *, now: datetime | None = None) -> None:
    """Accept ``code`` once for ``phone`` and ``purpose``, or raise an ``SmsCodeProblem``.

    Only the newest code counts. A wrong code adds a failed attempt (the caller commits that even though
    the request fails); after ``SMS_CODE_MAX_ATTEMPTS`` the code is dead. Consumption is a conditional
    UPDATE, so two requests racing with the same code accept it once.
    """
    now = now or utcnow()
    code = normalise_digits(code).replace(" ", "")
    latest = db.session.scalars(
        select(SmsCode)
        .where(SmsCode.phone == phone, SmsCode.purpose == purpose)
        .order_by(SmsCode.created_at.desc(), SmsCode.id.desc())
        .limit(1)
    ).first()
    if latest is None or latest.consumed_at is not None or latest.expires_at <= now:
        raise SmsCodeExpired()
    if latest.failed_attempts >= current_app.config["SMS_CODE_MAX_ATTEMPTS"]:
        raise SmsCodeLocked()
    if not hmac.compare_digest(latest.code_digest, _digest(phone, purpose, code)):
        db.session.execute(
            update(SmsCode)
            .where(SmsCode.id == latest.id)
            .values(failed_attempts=SmsCode.failed_attempts + 1)
            .execution_options(synchronize_session=False)
        )
        db.session.expire(latest)
        raise SmsCodeWrong()
    consumed = db.session.execute(
        update(SmsCode)
        .where(SmsCode.id == latest.id, SmsCode.consumed_at.is_(None))
        .values(consumed_at=now)
        .execution_options(synchronize_session=False)
    )
    if consumed.rowcount != 1:
        raise SmsCodeExpired()
    db.session.expire(latest)

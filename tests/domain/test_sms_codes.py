from datetime import timedelta

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.identity.errors import SmsCodeExpired, SmsCodeLocked, SmsCodeWrong
from portal.identity.sms_codes import consume_code, issue_code
from portal.models import SmsCode, SmsPurpose
from portal.models.base import utcnow

PHONE = "13912345678"


def test_code_is_six_digits_sent_and_stored_only_hashed(app, sms_outbox):
    issued = issue_code(PHONE, SmsPurpose.REGISTER)
    assert len(issued.code) == 6 and issued.code.isdigit()
    assert sms_outbox.last_code(PHONE) == issued.code
    stored = db.session.scalar(select(SmsCode))
    assert issued.code not in stored.code_digest
    assert stored.expires_at - stored.created_at == timedelta(minutes=5)


def test_code_is_accepted_once(app):
    issued = issue_code(PHONE, SmsPurpose.REGISTER)
    consume_code(PHONE, SmsPurpose.REGISTER, issued.code)
    with pytest.raises(SmsCodeExpired):
        consume_code(PHONE, SmsPurpose.REGISTER, issued.code)


def test_code_expires_after_five_minutes(app):
    start = utcnow()
    issued = issue_code(PHONE, SmsPurpose.REGISTER, now=start)
    with pytest.raises(SmsCodeExpired):
        consume_code(PHONE, SmsPurpose.REGISTER, issued.code, now=start + timedelta(minutes=5))
    consume_code(PHONE, SmsPurpose.REGISTER, issued.code, now=start + timedelta(minutes=4, seconds=59))


def test_code_is_bound_to_number_and_purpose(app, make_user):
    issued = issue_code(PHONE, SmsPurpose.REGISTER)
    with pytest.raises(SmsCodeExpired):
        consume_code("13912345679", SmsPurpose.REGISTER, issued.code)
    with pytest.raises(SmsCodeExpired):
        consume_code(PHONE, SmsPurpose.LOGIN, issued.code)


def test_only_the_newest_code_counts(app):
    first = issue_code(PHONE, SmsPurpose.REGISTER)
    second = issue_code(PHONE, SmsPurpose.REGISTER)
    if first.code != second.code:
        with pytest.raises(SmsCodeWrong):
            consume_code(PHONE, SmsPurpose.REGISTER, first.code)
    consume_code(PHONE, SmsPurpose.REGISTER, second.code)


def test_too_many_wrong_codes_kill_the_code(app):
    issued = issue_code(PHONE, SmsPurpose.REGISTER)
    wrong = f"{(int(issued.code) + 1) % 1_000_000:06d}"
    for _ in range(app.config["SMS_CODE_MAX_ATTEMPTS"]):
        with pytest.raises(SmsCodeWrong):
            consume_code(PHONE, SmsPurpose.REGISTER, wrong)
    with pytest.raises(SmsCodeLocked):
        consume_code(PHONE, SmsPurpose.REGISTER, issued.code)


def test_full_width_code_is_normalised(app):
    issued = issue_code(PHONE, SmsPurpose.REGISTER)
    consume_code(PHONE, SmsPurpose.REGISTER, "".join(chr(ord(c) + 0xFEE0) for c in issued.code))


def test_register_code_needs_a_new_number_and_login_code_a_known_one(app, make_user):
    """Otherwise nothing is stored or sent, and the caller is not told which (no enumeration)."""
    user = make_user()
    assert issue_code(user.phone, SmsPurpose.REGISTER).code is None
    assert issue_code(PHONE, SmsPurpose.LOGIN).code is None
    assert issue_code(PHONE, SmsPurpose.RESET_PASSWORD).code is None
    assert db.session.scalar(select(func.count()).select_from(SmsCode)) == 0
    assert issue_code(user.phone, SmsPurpose.LOGIN).code

import pytest
from sqlalchemy import func, select, text

from portal.extensions import db
from portal.identity.accounts import (
    authenticate_with_password,
    complete_profile,
    masked_id_number,
    register_user,
    reset_password,
)
from portal.identity.errors import (
    BadCredentials,
    IdNumberTaken,
    ProfileAlreadyVerified,
    SmsCodeExpired,
    WeakPassword,
)
from portal.identity.sms_codes import consume_code, issue_code
from portal.models import Gender, SmsPurpose, User

PHONE = "13912345678"


def test_register_creates_an_account(app):
    code = issue_code(PHONE, SmsPurpose.REGISTER).code
    user = register_user(PHONE, code, "river-path-2026")
    assert user.id and user.password_hash.startswith("$argon2id$")
    assert not user.has_profile


def test_weak_password_does_not_spend_the_code(app):
    code = issue_code(PHONE, SmsPurpose.REGISTER).code
    with pytest.raises(WeakPassword):
        register_user(PHONE, code, "12345678")
    register_user(PHONE, code, "river-path-2026")


def test_second_registration_of_a_number_is_refused(app, make_user):
    """As a code that does not count (a registered number is never sent one), not by saying so."""
    user = make_user()
    with pytest.raises(SmsCodeExpired):
        register_user(user.phone, "123456", "river-path-2026")


def test_password_login_says_the_same_for_unknown_number_and_wrong_password(app, make_user):
    user = make_user(password="river-path-2026")
    assert authenticate_with_password(user.phone, "river-path-2026") == user
    with pytest.raises(BadCredentials) as unknown:
        authenticate_with_password("13800000001", "river-path-2026")
    with pytest.raises(BadCredentials) as wrong:
        authenticate_with_password(user.phone, "river-path-2027")
    assert str(unknown.value) == str(wrong.value)


def test_profile_is_encrypted_unique_derived_and_masked(app, make_user):
    user = make_user(profile=False)
    complete_profile(user, " 李 文静 ", "320102199003150025")
    db.session.commit()
    assert user.real_name == "李 文静"
    assert user.gender is Gender.FEMALE and str(user.birth_date) == "1990-03-15"
    assert masked_id_number(user) == "3201**********0025"
    raw = db.session.execute(text("SELECT * FROM users WHERE id = :id"), {"id": user.id}).mappings().one()
    assert "320102199003150025" not in repr(dict(raw))

    other = make_user(profile=False)
    with pytest.raises(IdNumberTaken):
        complete_profile(other, "张三", "320102199003150025")
    with pytest.raises(ProfileAlreadyVerified):
        complete_profile(user, "李文静", "320104198807220031")


def test_reset_password_ends_other_sessions(app, make_user):
    user = make_user()
    nonce = user.session_nonce
    code = issue_code(user.phone, SmsPurpose.RESET_PASSWORD).code
    reset_password(user.phone, code, "new-river-path-9")
    assert user.session_nonce != nonce
    assert authenticate_with_password(user.phone, "new-river-path-9") == user


def test_a_code_for_one_purpose_does_not_log_in(app, make_user):
    user = make_user()
    code = issue_code(user.phone, SmsPurpose.RESET_PASSWORD).code
    from portal.identity.errors import SmsCodeExpired

    with pytest.raises(SmsCodeExpired):
        consume_code(user.phone, SmsPurpose.LOGIN, code)
    assert db.session.scalar(select(func.count()).select_from(User)) == 1

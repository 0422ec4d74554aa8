"""Registration, signing in, password reset and the real-name profile (rules §2)."""

from __future__ import annotations

import re
from typing import NamedTuple

from sqlalchemy import ColumnElement, and_, select
from sqlalchemy.exc import IntegrityError

from portal.common.phones import normalise_digits
from portal.common.pii import decrypt_text, encrypt_text, lookup_digest
from portal.database import load_first
from portal.extensions import db
from portal.identity.errors import (
    BadCredentials,
    IdNumberTaken,
    InvalidRealName,
    PhoneAlreadyRegistered,
    ProfileAlreadyVerified,
    SmsCodeExpired,
)
from portal.identity.id_numbers import IdNumber, mask_id_number, parse_id_number
from portal.identity.notifications import unread_of
from portal.identity.passwords import (
    check_password_strength,
    hash_password,
    password_needs_rehash,
    verify_password,
)
from portal.identity.sms_codes import consume_code
from portal.models.base import utcnow
from portal.models.identity import SmsPurpose, User, new_session_nonce

ID_NUMBER_CONTEXT = b"users.id_number"
# Han characters, letters, the middle dot of minority names (·, also typed as • or ・) and spaces.
_NAME_PATTERN = re.compile(r"[\u3400-\u9fff\uf900-\ufaffA-Za-z·•・ ]{2,30}")


def find_user_by_phone(phone: str) -> User | None:
    return db.session.scalar(select(User).where(User.phone == phone))


def _check_new_account(phone: str, password: str) -> None:
    check_password_strength(password, phone=phone)
    if find_user_by_phone(phone) is not None:
        raise PhoneAlreadyRegistered()


def _insert_account(phone: str, password: str) -> User:
    user = User(phone=phone, password_hash=hash_password(password))
    try:
        with db.session.begin_nested():
            db.session.add(user)
    except IntegrityError:
        # Another request registered the same number between our check and our insert.
        raise PhoneAlreadyRegistered() from None
    return user


def create_account(phone: str, password: str) -> User:
    """An account created by an operator (CLI, seeds): the same rules as registration, no SMS code."""
    _check_new_account(phone, password)
    return _insert_account(phone, password)


def register_user(phone: str, code: str, password: str) -> User:
    """Create an account for ``phone`` once its SMS code checks out.

    The password rules are checked before the code is spent, so a weak password does not waste it. A
    registered number never got a registration code (``issue_code``), so it fails on the code like any
    wrong one: the form does not tell whether the number is registered.
    """
    check_password_strength(password, phone=phone)
    consume_code(phone, SmsPurpose.REGISTER, code)
    user = _insert_account(phone, password)
    user.last_login_at = utcnow()
    return user


def authenticate_with_password(phone: str, password: str) -> User:
    """The user whose number and password match, or ``BadCredentials`` (the same for either mistake)."""
    user = find_user_by_phone(phone)
    if not verify_password(user.password_hash if user else None, password) or user is None:
        raise BadCredentials()
    if password_needs_rehash(user.password_hash or ""):
        user.password_hash = hash_password(password)
    user.last_login_at = utcnow()
    return user


def authenticate_with_code(phone: str, code: str) -> User:
    """The user who proved control of ``phone`` with a login code (an unregistered number never gets one,
    so it fails on the code like any wrong one)."""
    consume_code(phone, SmsPurpose.LOGIN, code)
    user = find_user_by_phone(phone)
    if user is None:  # the account was removed since the code was sent
        raise SmsCodeExpired()
    user.last_login_at = utcnow()
    return user


def reset_password(phone: str, code: str, new_password: str) -> User:
    """Set a new password after an SMS check; every other session of the user ends. An unregistered
    number fails on the code, like any wrong one."""
    check_password_strength(new_password, phone=phone)
    consume_code(phone, SmsPurpose.RESET_PASSWORD, code)
    user = find_user_by_phone(phone)
    if user is None:  # the account was removed since the code was sent
        raise SmsCodeExpired()
    user.password_hash = hash_password(new_password)
    end_sessions(user)
    return user


def end_sessions(user: User) -> None:
    """End every session of ``user`` on the server: sessions and remember-me cookies name the account's
    session nonce (``User.get_id``), and a new nonce makes every one of them invalid at its next request,
    copies included."""
    user.session_nonce = new_session_nonce()


def complete_profile(user: User, real_name: str, id_number: str) -> User:
    """Record the real-name profile once: name, encrypted ID number, derived gender and birth date."""
    if user.has_profile:
        raise ProfileAlreadyVerified()
    name = parse_real_name(real_name)
    parsed = parse_id_number(id_number)
    digest = id_number_digest(parsed.value)
    if db.session.scalar(select(User.id).where(User.id_number_digest == digest, User.id != user.id)):
        raise IdNumberTaken()
    apply_profile(user, name, parsed)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        raise IdNumberTaken() from None
    return user


def parse_real_name(text: str) -> str:
    """The name as on the ID card, spaces folded, or ``InvalidRealName``."""
    name = re.sub(r"\s+", " ", normalise_digits(text))
    if not _NAME_PATTERN.fullmatch(name):
        raise InvalidRealName()
    return name


def id_number_digest(value: str) -> str:
    return lookup_digest(value, context=ID_NUMBER_CONTEXT)


def apply_profile(user: User, name: str, parsed: IdNumber) -> None:
    """Write a checked profile onto ``user``: the ID number encrypted, its digest, what it tells."""
    user.real_name = name
    user.id_number_cipher = encrypt_text(parsed.value, context=ID_NUMBER_CONTEXT)
    user.id_number_digest = id_number_digest(parsed.value)
    user.gender = parsed.gender
    user.birth_date = parsed.birth_date


def masked_id_number(user: User) -> str | None:
    """The user's ID number as it may be shown (3201**********1234), or None without a profile."""
    if user.id_number_cipher is None:
        return None
    return mask_id_number(decrypt_text(user.id_number_cipher, context=ID_NUMBER_CONTEXT))


class SessionUser(NamedTuple):
    user: User
    unread_notifications: int


def load_session_user(session_id: str) -> SessionUser | None:
    """The user a session's ``"<id>:<nonce>"`` names, valid while the nonce is the user's current one,
    with their count of unread notifications (the header's badge on every page): one statement."""
    claimed = session_claim(session_id)
    if claimed is None:
        return None
    user_id, nonce = claimed
    found = load_first(select(User, unread_of(User.id)).where(User.id == user_id))
    if found is None or found[0].session_nonce != nonce:
        return None
    return SessionUser(found[0], found[1])


def session_claim(session_id: str | None) -> tuple[int, str] | None:
    """The user id and nonce a session's ``"<id>:<nonce>"`` claims (``User.get_id``); whoever reads it
    checks the nonce against the user's current one."""
    user_id, _, nonce = (session_id or "").partition(":")
    if not user_id.isdigit():
        return None
    return int(user_id), nonce


def set_hidden_from_boards(user: User, hidden: bool) -> None:
    """The member's choice to be named 匿名职工 on public boards (they still count and see their rank)."""
    user.hide_from_boards = hidden


_MASKED_PHONE = re.compile(r"(\d{3})\*+(\d{4})")


def person_matches(text: str) -> ColumnElement[bool] | None:
    """What an admin's search box asks of ``User``: a masked phone as shown (139****5678), a phone's last
    four digits, or part of a name; None when the box is empty."""
    text = text.strip()
    if masked := _MASKED_PHONE.fullmatch(text):
        return and_(User.phone.startswith(masked[1]), User.phone.endswith(masked[2]))
    if re.fullmatch(r"\d{4}", text):
        return User.phone.endswith(text)
    if text:
        return User.real_name.contains(text, autoescape=True)
    return None

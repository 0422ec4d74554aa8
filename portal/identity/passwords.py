"""Password hashing (argon2id) and the rules a new password must meet."""

from __future__ import annotations

from functools import cache
from importlib import resources

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from flask_babel import lazy_gettext as _l

from portal.extensions import app_state
from portal.identity.errors import WeakPassword

MIN_LENGTH = 8
MAX_LENGTH = 128


@cache
def common_passwords() -> frozenset[str]:
    """Passwords too common to accept: leaked-list favourites, Chinese keyboard and pinyin patterns."""
    text = resources.files("portal.data").joinpath("common_passwords.txt").read_text(encoding="utf-8")
    return frozenset(line.strip().lower() for line in text.splitlines() if line.strip())


def _hasher() -> PasswordHasher:
    config = current_app.config
    return app_state(
        "password_hasher",
        lambda: PasswordHasher(
            time_cost=config["ARGON2_TIME_COST"],
            memory_cost=config["ARGON2_MEMORY_COST"],
            parallelism=config["ARGON2_PARALLELISM"],
        ),
    )


def check_password_strength(password: str, *, phone: str) -> None:
    """Raise ``WeakPassword`` unless ``password`` is 8–128 characters, not common and not the number."""
    if len(password) < MIN_LENGTH:
        raise WeakPassword(_l("Use at least 8 characters."))
    if len(password) > MAX_LENGTH:
        raise WeakPassword(_l("Use at most 128 characters."))
    lowered = password.lower()
    if lowered in common_passwords() or len(set(password)) <= 2:
        raise WeakPassword(_l("This password is too common and easy to guess. Choose another."))
    if phone and (phone in password or password in phone):
        raise WeakPassword(_l("Do not use your mobile number as the password."))


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when ``password`` matches; always spends the hashing time, even with no hash to check."""
    hasher = _hasher()
    if password_hash is None:
        # Same work as a real check, so a missing account is not told apart by timing.
        hasher.hash(password)
        return False
    try:
        return hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def password_needs_rehash(password_hash: str) -> bool:
    return _hasher().check_needs_rehash(password_hash)

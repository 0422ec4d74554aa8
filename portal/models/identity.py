"""People, their sign-in credentials, one-time SMS codes and admin roles (rules §2)."""

from __future__ import annotations

import enum
import secrets
from datetime import date, datetime

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, ForeignKey, Index, LargeBinary, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.base import Base, str_enum, utcnow
from portal.models.org import Organisation


def new_session_nonce() -> str:
    return secrets.token_hex(8)


class Gender(enum.StrEnum):
    MALE = "male"
    FEMALE = "female"


class User(UserMixin, Base):
    """A person with an account. The real-name profile is filled in once, after registration."""

    __tablename__ = "users"
    __table_args__ = (CheckConstraint("length(phone) = 11", name="phone_has_11_digits"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    phone: Mapped[str] = mapped_column(String(11), unique=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    # Rotated when the password changes: every other session of the user ends.
    session_nonce: Mapped[str] = mapped_column(String(16), default=new_session_nonce)
    is_platform_admin: Mapped[bool] = mapped_column(default=False)

    real_name: Mapped[str | None] = mapped_column(String(50))
    # The resident ID number is personal information: AES-GCM ciphertext, plus a keyed hash for uniqueness.
    id_number_cipher: Mapped[bytes | None] = mapped_column(LargeBinary)
    id_number_digest: Mapped[str | None] = mapped_column(String(64), unique=True)
    gender: Mapped[Gender | None] = mapped_column(str_enum(Gender))
    birth_date: Mapped[date | None]
    # Public boards and others' pages show 匿名职工 instead of the masked name (rules §8); the member still
    # counts, and still sees their own rank.
    hide_from_boards: Mapped[bool] = mapped_column(default=False, server_default=false())

    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]

    admin_roles: Mapped[list[UnionAdminRole]] = relationship(
        back_populates="user", foreign_keys="UnionAdminRole.user_id", order_by="UnionAdminRole.id"
    )

    @property
    def has_profile(self) -> bool:
        return self.real_name is not None and self.id_number_cipher is not None

    def get_id(self) -> str:
        # Flask-Login keeps this in the session; a changed nonce makes old sessions invalid.
        return f"{self.id}:{self.session_nonce}"

    def __repr__(self) -> str:
        return f"<User {self.id}>"


class SmsPurpose(enum.StrEnum):
    REGISTER = "register"
    LOGIN = "login"
    RESET_PASSWORD = "reset_password"
    VERIFY = "verify"  # confirming an action of a signed-in member (join, transfer …)


class SmsCode(Base):
    """A one-time code sent to a number for one purpose; only its keyed hash is kept."""

    __tablename__ = "sms_codes"
    __table_args__ = (
        Index("ix_sms_codes_phone_purpose_created_at", "phone", "purpose", "created_at"),
        CheckConstraint("failed_attempts >= 0", name="failed_attempts_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    phone: Mapped[str] = mapped_column(String(11))
    purpose: Mapped[SmsPurpose] = mapped_column(str_enum(SmsPurpose))
    code_digest: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    consumed_at: Mapped[datetime | None]
    failed_attempts: Mapped[int] = mapped_column(default=0)


class UnionAdminRole(Base):
    """Makes a user an admin of one node of the union tree and everything below it."""

    __tablename__ = "union_admin_roles"
    __table_args__ = (UniqueConstraint("user_id", "organisation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    granted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship(back_populates="admin_roles", foreign_keys=[user_id])
    organisation: Mapped[Organisation] = relationship()

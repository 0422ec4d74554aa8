"""Shipping a physical prize (rules §9): the winner gives the address once; it is kept encrypted (like ID
numbers), shown back to the winner, exported for the people who send the prizes, and never changed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from portal.common.phones import parse_phone
from portal.common.pii import decrypt_text, encrypt_text
from portal.extensions import db
from portal.models.base import utcnow
from portal.models.campaign import Enrollment
from portal.models.prizes import Draw, PrizeKind, ShippingAddress
from portal.rewards.errors import AddressAlreadyGiven, InvalidAddress, InvalidRecipient, PrizeNotShipped


@dataclass(frozen=True)
class AddressText:
    recipient: str
    phone: str
    address: str


def address_context(field: str) -> bytes:
    return f"shipping_addresses.{field}".encode()


def read_address(address: ShippingAddress) -> AddressText:
    return AddressText(
        recipient=decrypt_text(address.recipient_encrypted, context=address_context("recipient")),
        phone=decrypt_text(address.phone_encrypted, context=address_context("phone")),
        address=decrypt_text(address.address_encrypted, context=address_context("address")),
    )


def has_address(draw: Draw) -> bool:
    return db.session.scalar(select(ShippingAddress.id).where(ShippingAddress.draw_id == draw.id)) is not None


def address_of(draw: Draw) -> AddressText | None:
    """The address the winner gave, decrypted for the winner's own page."""
    row = db.session.scalar(select(ShippingAddress).where(ShippingAddress.draw_id == draw.id))
    return read_address(row) if row is not None else None


@dataclass(frozen=True)
class AddressInput:
    recipient: str
    phone: str
    address: str


def get_draw_of_member(enrollment: Enrollment, draw_id: int) -> Draw:
    record = db.session.get(Draw, draw_id)
    if record is None or record.enrollment_id != enrollment.id:
        raise PrizeNotShipped()
    return record


def submit_address(
    enrollment: Enrollment, draw_id: int, form: AddressInput, *, now: datetime | None = None
) -> None:
    """The shipping address of a physical prize, once: a second one is refused, never written over."""
    record = get_draw_of_member(enrollment, draw_id)
    if record.tier is None or record.tier.kind is not PrizeKind.PHYSICAL:
        raise PrizeNotShipped()
    if has_address(record):
        raise AddressAlreadyGiven()
    recipient = " ".join((form.recipient or "").split())
    address = " ".join((form.address or "").split())
    if not 2 <= len(recipient) <= 20:
        raise InvalidRecipient()
    phone = parse_phone(form.phone or "")
    if not 8 <= len(address) <= 200:
        raise InvalidAddress()
    row = ShippingAddress(
        draw_id=record.id,
        recipient_encrypted=encrypt_text(recipient, context=address_context("recipient")),
        phone_encrypted=encrypt_text(phone, context=address_context("phone")),
        address_encrypted=encrypt_text(address, context=address_context("address")),
        submitted_at=now or utcnow(),
    )
    try:
        with db.session.begin_nested():
            db.session.add(row)
    except IntegrityError:  # a second submission racing the first
        raise AddressAlreadyGiven() from None

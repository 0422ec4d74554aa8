"""Changing ``PORTAL_PII_KEY`` (docs/operations.md, "Rotating the PII key"): every ciphertext decrypted
with the configured key and encrypted again with the new one, every lookup hash computed again, in one
transaction (all or nothing), a thousand rows at a time. Pending SMS codes, keyed by the old key, are
dropped: a member asks for a new one.

Run with the web stopped (``flask pii rotate-key``), then start every host with the new key: a host still
on the old key could read nothing written after the rotation.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, select, true, update

from portal.common.pii import PiiKeys, decrypt_text, derive_keys, encrypt_text, lookup_digest
from portal.extensions import db
from portal.identity.accounts import ID_NUMBER_CONTEXT
from portal.models.identity import SmsCode, User
from portal.models.prizes import ShippingAddress
from portal.rewards.shipping import address_context

BATCH = 1000
_ADDRESS_FIELDS = (
    ("recipient_encrypted", "recipient"),
    ("phone_encrypted", "phone"),
    ("address_encrypted", "address"),
)


@dataclass(frozen=True)
class Rotated:
    id_numbers: int
    addresses: int
    codes_dropped: int


def _again(ciphertext: bytes, context: bytes, new: PiiKeys) -> tuple[str, bytes]:
    plaintext = decrypt_text(ciphertext, context=context)  # with the configured (old) key
    return plaintext, encrypt_text(plaintext, context=context, keys=new)


def _in_batches(id_column, *columns, where=None):
    """The rows (id first, then ``columns``) in id order, ``BATCH`` at a time."""
    last_id = 0
    while True:
        rows = db.session.execute(
            select(id_column, *columns)
            .where(true() if where is None else where, id_column > last_id)
            .order_by(id_column)
            .limit(BATCH)
        ).all()
        if not rows:
            return
        yield rows
        last_id = rows[-1][0]


def rotate_pii_key(new_secret: str) -> Rotated:
    """Re-encrypt everything under ``new_secret`` in the caller's transaction; the caller commits."""
    new = derive_keys(new_secret)
    id_numbers = 0
    for users in _in_batches(User.id, User.id_number_cipher, where=User.id_number_cipher.is_not(None)):
        rows = []
        for user_id, cipher in users:
            plaintext, again = _again(cipher, ID_NUMBER_CONTEXT, new)
            digest = lookup_digest(plaintext, context=ID_NUMBER_CONTEXT, keys=new)
            rows.append({"id": user_id, "id_number_cipher": again, "id_number_digest": digest})
        db.session.execute(update(User), rows)
        id_numbers += len(rows)
    addresses = 0
    columns = [getattr(ShippingAddress, column) for column, _field in _ADDRESS_FIELDS]
    for found in _in_batches(ShippingAddress.id, *columns):
        rows = []
        for address_id, *ciphers in found:
            row = {"id": address_id}
            for (column, field), cipher in zip(_ADDRESS_FIELDS, ciphers, strict=True):
                row[column] = _again(cipher, address_context(field), new)[1]
            rows.append(row)
        db.session.execute(update(ShippingAddress), rows)
        addresses += len(rows)
    dropped = db.session.execute(delete(SmsCode).where(SmsCode.consumed_at.is_(None))).rowcount
    return Rotated(id_numbers=id_numbers, addresses=addresses, codes_dropped=dropped)

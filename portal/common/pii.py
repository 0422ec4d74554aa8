"""Personal information at rest: AES-GCM encryption and keyed lookup hashes.

One configured secret (``PORTAL_PII_KEY``, 32 random bytes in URL-safe base64) is stretched with HKDF
into two independent keys: one encrypts, one computes the HMAC that makes ID numbers unique and
searchable without storing them in the clear. Ciphertexts start with a version byte so that a key
rotation can add version 2 beside version 1.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from dataclasses import dataclass

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app

from portal.extensions import app_state

_VERSION = b"\x01"
_NONCE_BYTES = 12


@dataclass(frozen=True)
class PiiKeys:
    encryption: bytes
    lookup: bytes


def derive_keys(secret: str) -> PiiKeys:
    raw = base64.urlsafe_b64decode(secret.encode() + b"=" * (-len(secret) % 4))
    if len(raw) < 32:
        raise ValueError("PII_KEY must hold at least 32 random bytes (URL-safe base64).")

    def expand(info: bytes) -> bytes:
        return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(raw)

    return PiiKeys(encryption=expand(b"portal pii encryption v1"), lookup=expand(b"portal pii lookup v1"))


def _keys() -> PiiKeys:
    return app_state("pii_keys", lambda: derive_keys(current_app.config["PII_KEY"]))


def encrypt_text(plaintext: str, *, context: bytes, keys: PiiKeys | None = None) -> bytes:
    """Encrypt ``plaintext``; ``context`` (e.g. ``b"users.id_number"``) is authenticated, not stored.
    With the configured key unless ``keys`` are given (a rotation, ``pii_rotation``)."""
    nonce = os.urandom(_NONCE_BYTES)
    key = (keys or _keys()).encryption
    return _VERSION + nonce + AESGCM(key).encrypt(nonce, plaintext.encode(), context)


def decrypt_text(ciphertext: bytes, *, context: bytes, keys: PiiKeys | None = None) -> str:
    if ciphertext[:1] != _VERSION:
        raise ValueError("unknown PII ciphertext version")
    nonce, body = ciphertext[1 : 1 + _NONCE_BYTES], ciphertext[1 + _NONCE_BYTES :]
    return AESGCM((keys or _keys()).encryption).decrypt(nonce, body, context).decode()


def lookup_digest(value: str, *, context: bytes, keys: PiiKeys | None = None) -> str:
    """A keyed hash (HMAC-SHA256, hex) to find or deduplicate a value without storing it."""
    key = (keys or _keys()).lookup
    return hmac.new(key, context + b"\x00" + value.encode(), hashlib.sha256).hexdigest()

import pytest
from cryptography.exceptions import InvalidTag

from portal.common.pii import decrypt_text, encrypt_text, lookup_digest


def test_round_trip_with_fresh_nonces(app):
    first = encrypt_text("320102199003150025", context=b"users.id_number")
    second = encrypt_text("320102199003150025", context=b"users.id_number")
    assert first != second
    assert b"320102" not in first
    assert decrypt_text(first, context=b"users.id_number") == "320102199003150025"


def test_tampering_or_another_context_fails(app):
    sealed = bytearray(encrypt_text("secret", context=b"a"))
    with pytest.raises(InvalidTag):
        decrypt_text(bytes(sealed), context=b"b")
    sealed[-1] ^= 1
    with pytest.raises(InvalidTag):
        decrypt_text(bytes(sealed), context=b"a")


def test_lookup_digest_is_stable_and_keyed(app):
    digest = lookup_digest("320102199003150025", context=b"users.id_number")
    assert digest == lookup_digest("320102199003150025", context=b"users.id_number")
    assert digest != lookup_digest("320102199003150025", context=b"other")
    import hashlib

    assert digest != hashlib.sha256(b"320102199003150025").hexdigest()

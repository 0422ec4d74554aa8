import pytest

from portal.identity.errors import WeakPassword
from portal.identity.passwords import check_password_strength, hash_password, verify_password


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("short1", "至少需要8位"),
        ("12345678", "常见"),
        ("woaini1314", "常见"),
        ("Password1", "常见"),
        ("aaaaaaaaaa", "常见"),
        ("x13912345678", "手机号"),
        ("a" * 64 + "b" * 65, "最多128位"),
    ],
)
def test_weak_passwords_are_refused(app, password, reason):
    with app.test_request_context(), pytest.raises(WeakPassword) as raised:
        check_password_strength(password, phone="13912345678")
    assert reason in str(raised.value.message)


def test_a_good_password_passes_and_hashes_with_argon2id(app):
    check_password_strength("morning-steps-2026", phone="13912345678")
    hashed = hash_password("morning-steps-2026")
    assert hashed.startswith("$argon2id$")
    assert verify_password(hashed, "morning-steps-2026")
    assert not verify_password(hashed, "morning-steps-2027")
    assert not verify_password(None, "anything")

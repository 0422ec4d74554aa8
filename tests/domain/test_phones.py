import pytest

from portal.common.errors import InvalidPhone
from portal.common.phones import mask_phone, parse_phone


@pytest.mark.parametrize(
    "typed",
    [
        "13912345678",
        "１３９１２３４５６７８",
        " 139 1234 5678 ",
        "139-1234-5678",
        "+86 139 1234 5678",
        "008613912345678",
    ],
)
def test_accepts_what_people_type(typed):
    assert parse_phone(typed) == "13912345678"


@pytest.mark.parametrize(
    "typed", ["", "1391234567", "139123456789", "12912345678", "23912345678", "1391234567a", "１３９"]
)
def test_refuses_what_is_not_a_mainland_mobile(typed):
    with pytest.raises(InvalidPhone):
        parse_phone(typed)


def test_mask():
    assert mask_phone("13912345678") == "139****5678"

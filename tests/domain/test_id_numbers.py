from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.identity.errors import InvalidIdNumber
from portal.identity.id_numbers import check_character, mask_id_number, parse_id_number
from portal.models.identity import Gender

VALID = "320102199003150025"  # check character computed by GB 11643


def test_parses_birth_date_and_gender():
    parsed = parse_id_number(VALID)
    assert parsed.birth_date == date(1990, 3, 15)
    assert parsed.gender is Gender.FEMALE  # 17th digit 2 is even
    assert parse_id_number("320104198807220031").gender is Gender.MALE


def test_full_width_digits_and_lower_case_x_are_normalised():
    first17 = "11010519491231002"
    number = first17 + check_character(first17)
    assert number.endswith("X")
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in number[:17]) + "ｘ"
    assert parse_id_number(full_width).value == number
    assert parse_id_number(number.lower()).value == number


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("320102199003150026", "校验位"),  # wrong check character
        ("32010219900315002", "18位"),  # too short
        ("3201021990031500251", "18位"),  # too long
        ("32010219900231002X", "出生日期"),  # 31 February
        ("320102290003150025", "出生日期"),  # born in the future
        ("99010219900315002X", "有效"),  # no such province
        ("32010219900315002Y", "18位"),
    ],
)
def test_bad_numbers_are_refused_with_a_chinese_reason(app, value, message):
    with app.test_request_context(), pytest.raises(InvalidIdNumber) as raised:
        parse_id_number(value)
    assert message in str(raised.value.message)


def test_mask_shows_first_and_last_four():
    assert mask_id_number(VALID) == "3201**********0025"


@given(
    region=st.sampled_from(["110105", "320102", "610103", "440305"]),
    birth=st.dates(min_value=date(1930, 1, 1), max_value=date(2008, 12, 31)),
    serial=st.integers(0, 999),
    wrong=st.sampled_from("0123456789X"),
)
def test_every_number_with_its_check_character_parses_and_no_other_does(region, birth, serial, wrong):
    first17 = f"{region}{birth:%Y%m%d}{serial:03d}"
    right = check_character(first17)
    parsed = parse_id_number(first17 + right)
    assert parsed.birth_date == birth
    assert parsed.gender is (Gender.MALE if serial % 2 else Gender.FEMALE)
    if wrong != right:
        with pytest.raises(InvalidIdNumber):
            parse_id_number(first17 + wrong)

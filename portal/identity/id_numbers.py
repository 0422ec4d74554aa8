"""Resident ID numbers (居民身份证号, GB 11643-1999): checksum, birth date, gender, masking."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l

from portal.common.phones import normalise_digits
from portal.identity.errors import InvalidIdNumber
from portal.models.identity import Gender

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARACTERS = "10X98765432"
# First two digits: the province-level divisions of GB/T 2260 (71 Taiwan, 81/82 Hong Kong/Macao, 83
# for Taiwan residents' permits).
_WRONG_LENGTH = _l("An ID number has 18 characters: 17 digits and a final digit or X.")
_WRONG_BIRTH_DATE = _l("The birth date inside this ID number is not a real date.")
_WRONG_CHECKSUM = _l("The last character of this ID number does not match the others. Please check it.")
_PROVINCE_CODES = frozenset(
    {11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52, 53, 54}
    | {61, 62, 63, 64, 65, 71, 81, 82, 83}
)


@dataclass(frozen=True)
class IdNumber:
    value: str
    birth_date: date
    gender: Gender


def check_character(first17: str) -> str:
    """The 18th character that GB 11643 computes from the first 17 digits (ISO 7064 MOD 11-2)."""
    total = sum(int(digit) * weight for digit, weight in zip(first17, _WEIGHTS, strict=True))
    return _CHECK_CHARACTERS[total % 11]


def parse_id_number(text: str, *, today: date | None = None) -> IdNumber:
    """Validate an 18-digit ID number and read its birth date and gender, or raise ``InvalidIdNumber``.

    The number is normalised first (full-width digits, a lower-case x). Checked: length and characters,
    province code, a real birth date between 1900 and today, and the check character.
    """
    value = normalise_digits(text).replace(" ", "").upper()
    if len(value) != 18 or not value[:17].isdigit() or not (value[17].isdigit() or value[17] == "X"):
        raise InvalidIdNumber(_WRONG_LENGTH)
    if int(value[:2]) not in _PROVINCE_CODES:
        raise InvalidIdNumber()
    try:
        birth = date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        raise InvalidIdNumber(_WRONG_BIRTH_DATE) from None
    if not date(1900, 1, 1) <= birth <= (today or date.today()):
        raise InvalidIdNumber(_WRONG_BIRTH_DATE)
    if check_character(value[:17]) != value[17]:
        raise InvalidIdNumber(_WRONG_CHECKSUM)
    gender = Gender.MALE if int(value[16]) % 2 == 1 else Gender.FEMALE
    return IdNumber(value=value, birth_date=birth, gender=gender)


def mask_id_number(value: str) -> str:
    """3201**********1234: the only way an ID number is ever displayed."""
    return f"{value[:4]}{'*' * 10}{value[-4:]}" if len(value) == 18 else "*" * 18

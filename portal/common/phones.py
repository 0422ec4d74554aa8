"""Mainland mobile numbers: normalising what people type and masking what others see."""

from __future__ import annotations

import re
import unicodedata

from portal.common.errors import InvalidPhone

MOBILE_PATTERN = re.compile(r"1[3-9]\d{9}")
_SEPARATORS = re.compile(r"[\s\-()]")


def normalise_digits(text: str) -> str:
    """Fold full-width digits and letters from a Chinese keyboard (NFKC) and trim the ends."""
    return unicodedata.normalize("NFKC", text or "").strip()


def parse_phone(text: str) -> str:
    """The 11-digit number in ``text``, or ``InvalidPhone``.

    Accepts full-width digits, spaces or hyphens between groups, and a leading +86 / 0086.
    """
    value = _SEPARATORS.sub("", normalise_digits(text))
    for prefix in ("+86", "0086"):
        if value.startswith(prefix):
            value = value[len(prefix) :]
    if not MOBILE_PATTERN.fullmatch(value):
        raise InvalidPhone()
    return value


def mask_phone(phone: str) -> str:
    """138****5678: what everyone but the owner sees."""
    return f"{phone[:3]}****{phone[-4:]}" if len(phone) == 11 else "***"

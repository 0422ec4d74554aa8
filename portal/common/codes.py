"""Short codes people read off a screen or paper and type (certificate numbers, team invitations)."""

from __future__ import annotations

import secrets

# Crockford-like base32 without look-alikes (no 0/O, 1/I/L, U): read aloud or typed without mistakes.
READABLE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"


def readable_code(length: int) -> str:
    return "".join(secrets.choice(READABLE_ALPHABET) for _ in range(length))


def normalise_code(text: str | None) -> str:
    return (text or "").strip().upper().replace(" ", "").replace("-", "")

"""The Unique Pupil Number (UPN) of schools in England and its check letter.

A UPN has 13 characters: a check letter, then the 3-digit LA number, the 4-digit
establishment number, the 2-digit year of allocation and a 3-character serial (the last
character is a letter in a temporary UPN). The check letter is worked out from the other
twelve characters: each is multiplied by its position in the UPN (2 to 13; a letter counts
as its place in the alphabet below, A = 0), the products are added and the remainder of
the sum divided by 23 picks the letter.
"""

from __future__ import annotations

import re

# The 23 letters UPNs use: I, O and S are left out as they look like 1, 0 and 5.
ALPHABET = "ABCDEFGHJKLMNPQRTUVWXYZ"

_SHAPE = re.compile(rf"[{ALPHABET}]\d{{11}}[0-9{ALPHABET}]")


def _value(character: str) -> int:
    return int(character) if character.isdigit() else ALPHABET.index(character)


def upn_check_letter(first12: str) -> str:
    """The check letter for the twelve characters that follow it in a UPN.

    `first12` is the UPN without its check letter (characters 2 to 13). Raises ValueError
    when it is not 11 digits followed by a digit or one of the UPN letters.
    """
    if not _SHAPE.fullmatch("A" + first12):
        raise ValueError("expected 11 digits and a digit or letter")
    total = sum(_value(c) * position for position, c in enumerate(first12, start=2))
    return ALPHABET[total % 23]


def validate_upn(upn: str) -> str | None:
    """None when `upn` is a valid UPN (13 characters, right check letter), else the problem."""
    text = upn.strip().upper()
    if not text:
        return "Enter the UPN"
    if len(text) != 13:
        return f"UPN must be 13 characters (this has {len(text)})"
    if not _SHAPE.fullmatch(text):
        return (
            "UPN must be a check letter, 11 digits, and a digit or letter "
            "(letters I, O and S are not used)"
        )
    if upn_check_letter(text[1:]) != text[0]:
        return "UPN check letter is wrong: check the UPN was copied correctly"
    return None

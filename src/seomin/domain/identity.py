"""Resident registration numbers (주민등록번호): validation and masking.

Numbers issued since October 2020 no longer carry the old check digit, so validity is the format, a real
birth date, a known century/sex digit and a birth date not in the future; the check digit is not enforced.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

_RRN = re.compile(r"^(\d{6})-?(\d)(\d{6})$")
_CENTURY = {
    "9": 1800,
    "0": 1800,
    "1": 1900,
    "2": 1900,
    "5": 1900,
    "6": 1900,
    "3": 2000,
    "4": 2000,
    "7": 2000,
    "8": 2000,
}
_PHONE = re.compile(r"^01[016789]-?\d{3,4}-?\d{4}$")


@dataclass(frozen=True, slots=True)
class ResidentNumber:
    """A validated resident registration number in its canonical ``YYMMDD-GNNNNNN`` form."""

    value: str
    birth_date: date
    foreigner: bool

    @property
    def masked(self) -> str:
        """For screens and logs: 900101-1******."""
        return self.value[:8] + "*" * 6

    def __repr__(self) -> str:
        return f"ResidentNumber({self.masked})"

    __str__ = __repr__


def parse_resident_number(text: str, today: date) -> ResidentNumber:
    """Validate ``text``; ValueError says what is wrong without echoing the number."""
    match = _RRN.match(text.strip())
    if match is None:
        raise ValueError("resident registration number must be 13 digits as YYMMDD-GNNNNNN")
    birth, century_digit, rest = match.groups()
    if century_digit not in _CENTURY:
        raise ValueError("resident registration number has an unknown century digit")
    year = _CENTURY[century_digit] + int(birth[:2])
    try:
        born = date(year, int(birth[2:4]), int(birth[4:6]))
    except ValueError:
        raise ValueError("resident registration number does not start with a real birth date") from None
    if born > today:
        raise ValueError("resident registration number has a birth date in the future")
    return ResidentNumber(f"{birth}-{century_digit}{rest}", born, century_digit in "5678")


def normalize_phone(text: str) -> str:
    """A Korean mobile number as 01012345678; ValueError if it is not one."""
    cleaned = text.strip()
    if not _PHONE.match(cleaned):
        raise ValueError("phone must be a Korean mobile number such as 010-1234-5678")
    return cleaned.replace("-", "")


def mask_phone(phone: str) -> str:
    """A phone number's digits for screens: 010-****-5678 (a Seoul landline: 02-****-5678)."""
    head = 2 if phone.startswith("02") else 3
    return f"{phone[:head]}-****-{phone[-4:]}"


def format_phone(digits: str) -> str:
    """Digits of a phone as people write them: 01012345678 -> 010-1234-5678, 0212345678 -> 02-1234-5678."""
    if not digits.isdigit() or len(digits) < 9:
        return digits
    head = 2 if digits.startswith("02") else 3
    return f"{digits[:head]}-{digits[head:-4]}-{digits[-4:]}"


def mask_name(name: str) -> str:
    """홍길동 -> 홍*동, 김철 -> 김*, for screens of those who need not see the full name."""
    if len(name) <= 1:
        return "*"
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]

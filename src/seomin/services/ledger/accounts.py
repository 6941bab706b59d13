"""What every payout of money owed back checks: an account in the person's own name, and a month's span."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from seomin.adapters.db.models import Applicant
from seomin.domain.calendar import add_months
from seomin.services.errors import InputError
from seomin.services.platform import Platform

_ACCOUNT = re.compile(r"^\d{10,16}$")


def mask_account(account: str) -> str:
    """For screens and logs: the last four digits only."""
    return "*" * (len(account) - 4) + account[-4:]


@dataclass(frozen=True, slots=True)
class OwnAccount:
    encrypted: str
    masked: str


def own_account(
    platform: Platform, applicant: Applicant, account: str | None, holder_name: str
) -> OwnAccount:
    """The account to pay, checked: 10-16 digits (spaces and dashes dropped) in the applicant's own name;
    an InputError naming ``account`` or ``account_holder_name`` otherwise."""
    digits = re.sub(r"[\s-]", "", account or "")
    if not _ACCOUNT.match(digits):
        raise InputError("account", "give a bank account number of 10-16 digits")
    if holder_name.strip() != platform.vault.decrypt(applicant.name_encrypted):
        raise InputError("account_holder_name", "the account must be in your own name")
    return OwnAccount(platform.vault.encrypt(digits), mask_account(digits))


def month_bounds(month: str) -> tuple[date, date]:
    """The first day of ``YYYY-MM`` and the first day of the next month; InputError naming ``month``."""
    try:
        first = date.fromisoformat(f"{month}-01")
    except ValueError:
        raise InputError("month", "give the month as YYYY-MM") from None
    return first, add_months(first, 1, 1)

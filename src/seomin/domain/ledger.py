"""One double-entry ledger for the money the agency owes back or collects: dormant-deposit contributions,
payouts and donations, guarantee fees charged, collected and refunded. Pure rules, no I/O.

Every movement is an ``Entry`` of at least two ``Line`` s whose signed amounts sum to zero (debit positive,
credit negative, integer won), so the whole ledger sums to zero and each account's balance is the sum of
its lines. The postings of each movement kind are built here, once, and nowhere else.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum


class Account(StrEnum):
    """The chart of accounts. A line's ``party`` says whose part of the account it is (a sector, a bank)."""

    DORMANT_CASH = "dormant.cash"
    """Funds the agency holds from contributing institutions (asset: debit balance)."""
    DORMANT_OWED = "dormant.owed"
    """Principal owed back to rights holders, party = sector (liability: credit balance)."""
    DORMANT_INTEREST = "dormant.interest"
    """Interest paid on claims, party = sector (expense: debit balance)."""
    MISO_DONATIONS = "miso.donations"
    """Dormant deposits donated to 미소금융 funding, party = sector (credit balance)."""
    FEE_BANK_RECEIVABLE = "fee.bank_receivable"
    """Guarantee fees a partner bank collects for the agency (위탁) and owes it, party = bank."""
    FEE_INCOME = "fee.income"
    """Guarantee fees charged (credit balance), party = bank."""
    FEE_CASH = "fee.cash"
    """Fees the banks settled with the agency (asset)."""
    FEE_REFUND_PAYABLE = "fee.refund_payable"
    """Refunds owed to guaranteed people and not paid yet (liability: credit balance)."""


class Kind(StrEnum):
    DORMANT_CONTRIBUTION = "dormant_contribution"
    DORMANT_PAYOUT = "dormant_payout"
    DORMANT_DONATION = "dormant_donation"
    FEE_CHARGE = "fee_charge"
    FEE_COLLECTED = "fee_collected"
    FEE_REFUND_DUE = "fee_refund_due"
    FEE_REFUND_PAID = "fee_refund_paid"


@dataclass(frozen=True, slots=True)
class Line:
    account: Account
    amount: int
    """Won: debit positive, credit negative; never zero."""
    party: str = ""


@dataclass(frozen=True, slots=True)
class Entry:
    kind: Kind
    key: str
    """The idempotency key: the same movement posted twice is one entry."""
    lines: tuple[Line, ...]


class UnbalancedEntry(ValueError):
    pass


def entry(kind: Kind, key: str, lines: Iterable[Line]) -> Entry:
    """A checked entry: a key, at least two non-zero whole-won lines, summing to zero."""
    found = tuple(lines)
    if not key or len(key) > 128:
        raise UnbalancedEntry("the idempotency key must be 1-128 characters")
    if len(found) < 2:
        raise UnbalancedEntry(f"{kind}: an entry has at least two lines")
    if any(type(line.amount) is not int or line.amount == 0 for line in found):
        raise UnbalancedEntry(f"{kind}: every line is a non-zero whole number of won")
    total = sum(line.amount for line in found)
    if total != 0:
        raise UnbalancedEntry(f"{kind}: debits and credits differ by {total:,} won")
    return Entry(kind, key, found)


def _legs(*lines: Line) -> tuple[Line, ...]:
    """Drop zero legs (no interest, say); ``entry`` still demands two."""
    return tuple(line for line in lines if line.amount)


def dormant_contribution(key: str, sector: str, amount: int) -> Entry:
    """An institution's file adds ``amount`` won of principal owed to holders of ``sector``."""
    return entry(
        Kind.DORMANT_CONTRIBUTION,
        key,
        (Line(Account.DORMANT_CASH, amount), Line(Account.DORMANT_OWED, -amount, sector)),
    )


def dormant_payout(key: str, sector: str, principal: int, interest: int) -> Entry:
    """Principal and accrued interest paid out of the held funds to the holder's own account."""
    return entry(
        Kind.DORMANT_PAYOUT,
        key,
        _legs(
            Line(Account.DORMANT_OWED, principal, sector),
            Line(Account.DORMANT_INTEREST, interest, sector),
            Line(Account.DORMANT_CASH, -(principal + interest)),
        ),
    )


def dormant_donation(key: str, sector: str, principal: int, interest: int) -> Entry:
    """The holder gives principal and interest to 미소금융 funding instead of taking it."""
    return entry(
        Kind.DORMANT_DONATION,
        key,
        _legs(
            Line(Account.DORMANT_OWED, principal, sector),
            Line(Account.DORMANT_INTEREST, interest, sector),
            Line(Account.MISO_DONATIONS, -(principal + interest), sector),
        ),
    )


def fee_charge(key: str, bank: str, fee: int) -> Entry:
    """A guarantee fee billed; the bank collects it from the borrower for the agency."""
    return entry(
        Kind.FEE_CHARGE,
        key,
        (Line(Account.FEE_BANK_RECEIVABLE, fee, bank), Line(Account.FEE_INCOME, -fee, bank)),
    )


def fee_collected(key: str, bank: str, amount: int) -> Entry:
    """A bank's report settles ``amount`` won of fees it collected."""
    return entry(
        Kind.FEE_COLLECTED,
        key,
        (Line(Account.FEE_CASH, amount), Line(Account.FEE_BANK_RECEIVABLE, -amount, bank)),
    )


def fee_refund_due(key: str, bank: str, refund: int) -> Entry:
    """The unearned (or overpaid) part of a fee becomes owed back to the guaranteed person."""
    return entry(
        Kind.FEE_REFUND_DUE,
        key,
        (Line(Account.FEE_INCOME, refund, bank), Line(Account.FEE_REFUND_PAYABLE, -refund)),
    )


def fee_refund_paid(key: str, refund: int) -> Entry:
    """A refund paid to the person's own account."""
    return entry(
        Kind.FEE_REFUND_PAID,
        key,
        (Line(Account.FEE_REFUND_PAYABLE, refund), Line(Account.FEE_CASH, -refund)),
    )


def balances(lines: Iterable[Line]) -> Mapping[tuple[Account, str], int]:
    """Each (account, party)'s balance; debit positive. The values of a whole ledger sum to zero."""
    out: dict[tuple[Account, str], int] = {}
    for line in lines:
        out[(line.account, line.party)] = out.get((line.account, line.party), 0) + line.amount
    return out

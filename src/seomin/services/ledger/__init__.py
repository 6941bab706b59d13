"""One double-entry ledger: post a balanced movement once (by its key), read the balances."""

from __future__ import annotations

from seomin.services.ledger.accounts import OwnAccount, mask_account, month_bounds, own_account
from seomin.services.ledger.postings import (
    BALANCE_ROLES,
    AccountBalance,
    TrialBalance,
    post,
    trial_balance,
)

__all__ = [
    "BALANCE_ROLES",
    "AccountBalance",
    "OwnAccount",
    "TrialBalance",
    "mask_account",
    "month_bounds",
    "own_account",
    "post",
    "trial_balance",
]

"""Dormant deposits (휴면예금 찾아줌): institutions' files, a person's look-up and claim, payout once."""

from __future__ import annotations

from seomin.services.dormant_deposits.claims import (
    APPROVING_ROLES,
    ClaimResult,
    approve_payout,
    claim_deposit,
)
from seomin.services.dormant_deposits.figures import FIGURE_ROLES, SectorFigures, disclosure_figures
from seomin.services.dormant_deposits.holdings import (
    FILE_COLUMNS,
    LOOKUP_ROLES,
    SECTORS,
    HeldDeposit,
    ImportReport,
    RejectedRow,
    import_file,
    look_up_for_walk_in,
    my_dormant_deposits,
)
from seomin.services.dormant_deposits.notices import NOTICE_COLUMNS, HolderNotice, rights_holder_notices
from seomin.services.dormant_deposits.partners import PARTNER_RATE, partner_claim, partner_look_up

__all__ = [
    "APPROVING_ROLES",
    "FIGURE_ROLES",
    "FILE_COLUMNS",
    "LOOKUP_ROLES",
    "NOTICE_COLUMNS",
    "PARTNER_RATE",
    "SECTORS",
    "ClaimResult",
    "HeldDeposit",
    "HolderNotice",
    "ImportReport",
    "RejectedRow",
    "SectorFigures",
    "approve_payout",
    "claim_deposit",
    "disclosure_figures",
    "import_file",
    "look_up_for_walk_in",
    "my_dormant_deposits",
    "partner_claim",
    "partner_look_up",
    "rights_holder_notices",
]

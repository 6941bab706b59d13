"""Guarantee-fee refund quotes on SQLite and PostgreSQL: the catalog's fee rate, the named rounding rules,
the applicant's own guarantees only, and fee-included products refused."""

from __future__ import annotations

from datetime import date

import pytest

from builders import make_applicant, make_guarantee
from seomin.adapters.db.models import Guarantee
from seomin.services.errors import Conflict, Forbidden, InputError, NotFound
from seomin.services.guarantee_fees import fee_refund_quote
from seomin.services.platform import Actor, ActorType, Platform

COUNSELOR = Actor(ActorType.STAFF, "2", role="counselor")


def fee_separate_guarantee(platform: Platform) -> tuple[Actor, int]:
    """5,000,000 won, 90% guaranteed, 12 months from 2025-05-01 (365 days), 일반보증 at 1.0% a year."""
    applicant = make_applicant(platform)
    guarantee_id, _ = make_guarantee(platform, applicant, term_months=12, issued_on=date(2025, 5, 1))
    with platform.sessions.begin() as session:
        row = session.get_one(Guarantee, guarantee_id)
        row.product_id, row.product_version, row.ratio_bp = "haessal-general", "2026-01", 9_000
    return Actor(ActorType.APPLICANT, str(applicant)), guarantee_id


def test_full_and_partial_early_repayment_refunds(platform: Platform) -> None:
    me, guarantee = fee_separate_guarantee(platform)
    full = fee_refund_quote(platform, me, guarantee, date(2025, 8, 9))  # 100 days in, 265 left
    assert (full.guaranteed_amount, full.fee_rate_bp, full.term_end) == (4_500_000, 100, date(2026, 5, 1))
    assert full.fee == 45_000  # 4,500,000 × 1.0% × 365/365
    assert full.refund == 32_672  # 45,000 × 265/365 = 32,671.23… rounded up (REFUND_CEIL_WON)
    half = fee_refund_quote(platform, COUNSELOR, guarantee, date(2025, 8, 9), 2_500_000)
    assert half.refund == 16_336  # 16,335.61… rounded up
    assert fee_refund_quote(platform, me, guarantee, date(2026, 5, 1)).refund == 0


def test_bad_input_other_people_and_fee_included_products(platform: Platform) -> None:
    me, guarantee = fee_separate_guarantee(platform)
    with pytest.raises(InputError) as caught:
        fee_refund_quote(platform, me, guarantee, date(2027, 1, 1))
    assert caught.value.field == "repaid_on"
    with pytest.raises(InputError) as caught:
        fee_refund_quote(platform, me, guarantee, date(2025, 8, 9), 0)
    assert caught.value.field == "repaid_amount"
    stranger, _ = fee_separate_guarantee(platform)
    with pytest.raises(NotFound):
        fee_refund_quote(platform, stranger, guarantee, date(2025, 8, 9))
    with pytest.raises(Forbidden):
        fee_refund_quote(platform, Actor(ActorType.BANK, "kwangju"), guarantee, date(2025, 8, 9))
    included, _ = make_guarantee(platform)
    with pytest.raises(Conflict) as refused:
        fee_refund_quote(platform, COUNSELOR, included, date(2025, 8, 9))
    assert refused.value.code == "GUARANTEE_FEE_INCLUDED"

"""Test data written straight into the database, for tests of a later lifecycle step.

Tests of a step itself go through the services; these builders only set the stage before it.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta

from seomin.adapters.db.models import (
    Applicant,
    Application,
    Guarantee,
    Loan,
    RecourseDebt,
    SubrogationClaim,
)
from seomin.adapters.support_centers import default_support_centers
from seomin.domain.lifecycle import ApplicationStatus, GuaranteeStatus
from seomin.services.applications import certificate_code_hash
from seomin.services.help import BookingReceipt, book_help
from seomin.services.platform import Platform

_serial = itertools.count(1)


def make_applicant(platform: Platform, rrn: str | None = None, birth: date = date(1985, 3, 1)) -> int:
    n = next(_serial)
    rrn = rrn or f"{birth:%y%m%d}-1{n:06d}"
    with platform.sessions.begin() as session:
        applicant = Applicant(
            rrn_hash=platform.vault.lookup_hash(rrn),
            rrn_encrypted=platform.vault.encrypt(rrn),
            rrn_masked=rrn[:8] + "******",
            name_encrypted=platform.vault.encrypt(f"테스트{n}"),
            phone_encrypted=platform.vault.encrypt("01012345678"),
            phone_masked="010-****-5678",
            birth_date=birth,
        )
        session.add(applicant)
        session.flush()
        return applicant.id


def make_guarantee(
    platform: Platform,
    applicant_id: int | None = None,
    *,
    amount: int = 5_000_000,
    bank_code: str = "kwangju",
    term_months: int = 60,
    grace_months: int = 0,
    rate_bp: int = 1590,
    issued_on: date = date(2025, 5, 1),
    verification_code: str = "123456",
) -> tuple[int, str]:
    """An approved application with an issued guarantee; returns (guarantee id, certificate number)."""
    applicant_id = applicant_id or make_applicant(platform)
    n = next(_serial)
    with platform.sessions.begin() as session:
        application = Application(
            applicant_id=applicant_id,
            product_id="lowest-credit-special",
            product_version="2024-04",
            requested_amount=amount,
            term_months=term_months,
            grace_months=grace_months,
            occupation="employee",
            region="서울",
            profile_encrypted=platform.vault.encrypt("{}"),
            status=ApplicationStatus.GUARANTEED.value,
            submitted_on=issued_on,
        )
        session.add(application)
        session.flush()
        certificate_no = f"G{issued_on:%Y%m%d}{n:06d}"
        guarantee = Guarantee(
            application_id=application.id,
            applicant_id=applicant_id,
            certificate_no=certificate_no,
            verification_code_hash=certificate_code_hash(platform.vault, certificate_no, verification_code),
            product_id="lowest-credit-special",
            product_version="2024-04",
            amount=amount,
            rate_bp=rate_bp,
            term_months=term_months,
            grace_months=grace_months,
            method="equal_installment",
            ratio_bp=10_000,
            bank_code=bank_code,
            issued_on=issued_on,
            expires_on=issued_on + timedelta(days=30),
            status=GuaranteeStatus.ISSUED.value,
        )
        session.add(guarantee)
        session.flush()
        return guarantee.id, certificate_no


def make_loan(
    platform: Platform,
    applicant_id: int | None = None,
    *,
    amount: int,
    executed_on: date,
    product_id: str = "lowest-credit-special",
    bank_code: str = "kwangju",
) -> int:
    """An active loan executed on ``executed_on`` against a new guarantee (its schedule is not stored)."""
    guarantee_id, _ = make_guarantee(
        platform, applicant_id, amount=amount, bank_code=bank_code, issued_on=executed_on
    )
    with platform.sessions.begin() as session:
        guarantee = session.get_one(Guarantee, guarantee_id)
        guarantee.status = GuaranteeStatus.EXECUTED.value
        loan = Loan(
            guarantee_id=guarantee_id,
            applicant_id=guarantee.applicant_id,
            bank_code=bank_code,
            product_id=product_id,
            amount=amount,
            principal_balance=amount,
            executed_on=executed_on,
            term_months=60,
            grace_months=0,
            base_rate_bp=1590,
            current_rate_bp=1590,
            step_bp=150,
            floor_bp=990,
            preferential_bp=0,
            status="active",
        )
        session.add(loan)
        session.flush()
        return loan.id


def make_recourse_debt(
    platform: Platform,
    applicant_id: int | None = None,
    *,
    amount: int = 3_000_000,
    created_on: date = date(2025, 3, 3),
    status: str = "open",
) -> int:
    """A subrogated loan whose paid claim opened a recourse debt of ``amount`` on ``created_on``."""
    loan_id = make_loan(platform, applicant_id, amount=amount, executed_on=created_on - timedelta(days=400))
    with platform.sessions.begin() as session:
        loan = session.get_one(Loan, loan_id)
        loan.status = "subrogated"
        session.get_one(Guarantee, loan.guarantee_id).status = GuaranteeStatus.CLAIMED.value
        claim = SubrogationClaim(
            loan_id=loan_id,
            bank_code=loan.bank_code,
            principal=amount,
            interest=0,
            guaranteed_amount=amount,
            filed_on=created_on,
            paid_on=created_on,
            status="paid",
        )
        session.add(claim)
        session.flush()
        debt = RecourseDebt(
            claim_id=claim.id,
            applicant_id=loan.applicant_id,
            principal=amount,
            balance=amount,
            status=status,
            created_on=created_on,
        )
        session.add(debt)
        session.flush()
        return debt.id


@contextmanager
def business_day(platform: Platform, day: date) -> Iterator[None]:
    """Run the block on ``day`` as the server's business day (a loan made in the past is made on its day:
    a bank cannot back-date an execution), then restore the clock."""
    saved = platform.today
    platform.today = lambda: day
    try:
        yield
    finally:
        platform.today = saved


def book_callback(platform: Platform, day: date = date(2025, 5, 16), slot: str = "10:00") -> BookingReceipt:
    """A 1397 callback booked without an account by 김도움 (010-1357-2468), through the booking service."""
    return book_help(
        platform,
        default_support_centers(),
        None,
        channel="callback",
        region_group=None,
        day=day,
        slot=slot,
        name="김도움",
        phone="010-1357-2468",
        topic="apply",
    )


def debtor_of(platform: Platform, debt_id: int) -> int:
    """The person who owes a recourse debt (their virtual account is one for all their debts)."""
    with platform.sessions() as session:
        return session.get_one(RecourseDebt, debt_id).applicant_id

"""What the matching tests share: the self-check profile (KCB 640, 28M won a year, an employee of 12
months, refused by 햇살론15: the public eligibility example) and a policy loan with a stored profile."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from builders import make_loan
from seomin.adapters.db.models import Application, Guarantee, Loan
from seomin.services.platform import Platform

PROFILE: dict[str, Any] = {
    "birth_date": "1988-04-12",
    "annual_income": 28_000_000,
    "kcb_score": 640,
    "occupation": "employee",
    "employed_months": 12,
    "haessal15": "rejected",
    "region": "서울",
}

REPAYER: dict[str, Any] = {
    "birth_date": "1985-03-01",
    "annual_income": 28_000_000,
    "kcb_score": 690,
    "occupation": "employee",
    "employed_months": 30,
    "region": "서울",
}


def loan_of(platform: Platform, applicant_id: int, executed_on: date, **loan: object) -> None:
    """A policy loan of the person, its application carrying ``REPAYER`` as the stored profile."""
    loan_id = make_loan(platform, applicant_id, amount=5_000_000, executed_on=executed_on)
    with platform.sessions.begin() as session:
        row = session.get_one(Loan, loan_id)
        for name, value in loan.items():
            setattr(row, name, value)
        application = session.get_one(
            Application, session.get_one(Guarantee, row.guarantee_id).application_id
        )
        application.profile_encrypted = platform.vault.encrypt(json.dumps(REPAYER))

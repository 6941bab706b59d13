"""The self-check profile the matching tests share: KCB 640, 28M won a year, an employee of 12 months,
refused by 햇살론15 (the public eligibility example)."""

from __future__ import annotations

from typing import Any

PROFILE: dict[str, Any] = {
    "birth_date": "1988-04-12",
    "annual_income": 28_000_000,
    "kcb_score": 640,
    "occupation": "employee",
    "employed_months": 12,
    "haessal15": "rejected",
    "region": "서울",
}

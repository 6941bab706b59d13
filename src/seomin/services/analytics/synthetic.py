"""Synthetic applicant populations (가상 신청자): seeded, reproducible frames in the applicant-file
schema, with shares of occupations, regions, debt adjustments, loans and documents for policy
what-ifs and benchmarks."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Final

import numpy as np
import numpy.typing as npt
import polars as pl

from seomin.domain.regions import REGIONS
from seomin.services.analytics.applicant_files import COLUMNS

# --- synthetic applicants --------------------------------------------------------------------------

# Population shares (documented in synthetic_applicants).
_OCCUPATION_SHARES: Final = {
    "employee": 0.50,
    "business": 0.18,
    "freelancer": 0.12,
    "pensioner": 0.10,
    "unemployed": 0.10,
}
_REGION_SHARES: Final = dict(
    zip(REGIONS, (0.18, 0.06, 0.045, 0.06, 0.028, 0.028, 0.02, 0.008, 0.26, 0.03, 0.032, 0.042, 0.034,
                  0.035, 0.05, 0.064, 0.014), strict=True)
)  # fmt: skip
_REGION_LONG: Final = {
    "서울": "서울특별시",
    "부산": "부산광역시",
    "경기": "경기도",
    "전북": "전북특별자치도",
    "강원": "강원특별자치도",
    "제주": "제주특별자치도",
    "세종": "세종특별자치시",
}
_HAESSAL15_SHARES: Final = {"none": 0.50, "rejected": 0.35, "using": 0.10, "repaid": 0.05}
_ADJUSTMENT_SHARES: Final = {"": 0.93, "workout": 0.04, "rehabilitation": 0.02, "new_start_fund": 0.01}
_PREFERENTIAL_SHARES: Final = {
    "": 0.85,
    "consulting": 0.08,
    "employment-support": 0.05,
    "consulting;employment-support": 0.02,
}
_LOAN_PRODUCTS: Final = {
    "lowest-credit-special": 0.70,
    "haessal-15": 0.10,
    "worker-haessal": 0.06,
    "haessal-youth": 0.04,
    "miso": 0.04,
    "haessal-special": 0.03,
    "illegal-finance-prevention": 0.03,
}
_LENDERS: Final = (
    "kwangju", "jeonbuk", "welcome-sb", "db-sb", "nh-sb", "woori-sb", "ibk-sb", "hana-sb", "shinhan-sb",
    "bnk-sb", "kb-sb", "yuchang-sb", "jinju-sb", "sbi-sb",
)  # fmt: skip
_OTHER_BANKS: Final = ("miso-foundations", "miso-operators")
_DOCUMENTS_BY_OCCUPATION: Final = {
    "employee": (
        "employment_certificate",
        "health_insurance_eligibility",
        "earned_income_withholding_receipt",
        "payslips_3_months",
    ),
    "business": ("business_registration", "income_amount_certificate", "comprehensive_income_tax_return"),
    "freelancer": (
        "engagement_certificate",
        "business_income_withholding_receipt",
        "salary_deposits_3_months",
    ),
    "pensioner": ("pension_receipt_certificate", "pension_payment_statement", "pension_account_copy"),
    "unemployed": ("health_insurance_payment",),
}
_ADJUSTMENT_DOCUMENTS: Final = (
    "ccrs_repayment_record",
    "rehabilitation_payment_certificate",
    "new_start_fund_repayment_record",
)
SYNTHETIC_DOCUMENTS_AS_OF: Final = date(2025, 5, 1)


def _pick(rng: np.random.Generator, shares: Mapping[str, float], n: int) -> npt.NDArray[np.str_]:
    keys = list(shares)
    weights = np.array([shares[k] for k in keys])
    return np.array(keys)[rng.choice(len(keys), size=n, p=weights / weights.sum())]


def _days(d: date) -> int:
    return (d - date(1970, 1, 1)).days


def synthetic_applicants(n: int, seed: int) -> pl.DataFrame:
    """``n`` seeded synthetic applicants in the file schema (typed columns, JSON text for the lists).

    Distributions, meant to look like people who ask about policy microfinance:

    - birth dates uniform 1950-01-01..2007-12-31 (ages about 17-75; a few are under 19);
    - occupation: employee 50%, business 18%, freelancer 12%, pensioner 10%, unemployed 10%;
      employed_months for workers exponential with mean 40 (cap 480), 15% exactly 2, 3, 6, 11 or 12;
      pensioners receive 0-240 payments (10% none); 5% of non-workers still report months;
    - annual_income log-normal around 30,000,000 (σ 0.45, in 10,000-won steps), so mostly 15-50 M won;
      3% sit exactly on a cap (35,000,000 or 45,000,000), 2% have no income;
    - applicant_id A0000001, A0000002, ...;
    - kcb_score normal(690, 90) clipped 300..1000; nice_score = kcb + normal(35, 30), clipped; 6% give
      only NICE, 6% only KCB, 2% neither; 3% sit exactly on a cutoff (KCB 675 or 700, NICE 724 or 749);
    - haessal15: none 50%, rejected 35%, using 10%, repaid 5%; public_record 8%;
    - debt adjustment 7% (workout 4%, rehabilitation 2%, New Start Fund 1%), faithful months 0..24;
    - region by population (경기 26%, 서울 18%, ...), 5% spelled in full (서울특별시);
    - vulnerable 15%, basic_livelihood 8%; preferential: consulting 8%, employment-support 5%, both 2%;
    - requested_bank: 45% none, else a lowest-credit-special lender (10% a Miso channel);
      requested_amount: 50% none, else 500,000..10,000,000 in 500,000 steps;
    - existing_loans for 10%: 1-3 loans (mostly lowest-credit-special), 30% repaid, 8% of open ones in
      arrears, executed 2023-01..2026-02 (10% on a month's last day);
    - documents for 5%: 0-3 documents (70% fitting the occupation, some debt-adjustment proofs, the
      rest any type), issued up to 45 days before 2025-05-01 or up to 3 days after (so on 2025-05-01
      some are expired and some misdated).
    """
    rng = np.random.default_rng(seed)
    birth = np.datetime64("1950-01-01") + rng.integers(
        0, _days(date(2008, 1, 1)) - _days(date(1950, 1, 1)), n
    )

    occupation = _pick(rng, _OCCUPATION_SHARES, n)
    working = np.isin(occupation, ["employee", "business", "freelancer"])
    months = np.minimum(rng.exponential(40, n).astype(np.int64), 480)
    months = np.where(rng.random(n) < 0.15, rng.choice(np.array([2, 3, 6, 11, 12]), n), months)
    months = np.where(working | (rng.random(n) < 0.05), months, 0)
    pension = np.where((occupation == "pensioner") & (rng.random(n) < 0.9), rng.integers(1, 241, n), 0)

    income = np.round(np.exp(rng.normal(np.log(30_000_000), 0.45, n)) / 10_000).astype(np.int64) * 10_000
    edge = rng.random(n)
    income = np.where(edge < 0.03, rng.choice(np.array([35_000_000, 45_000_000]), n), income)
    income = np.where((edge >= 0.03) & (edge < 0.05), 0, income)

    kcb = np.clip(rng.normal(690, 90, n), 300, 1000).astype(np.int64)
    nice = np.clip(kcb + rng.normal(35, 30, n), 300, 1000).astype(np.int64)
    on_cutoff = rng.random(n) < 0.03
    kcb = np.where(on_cutoff, rng.choice(np.array([675, 700]), n), kcb)
    nice = np.where(on_cutoff, rng.choice(np.array([724, 749]), n), nice)
    unknown = rng.random(n)
    kcb_known = ~((unknown < 0.06) | (unknown >= 0.98))
    nice_known = ~(((unknown >= 0.06) & (unknown < 0.12)) | (unknown >= 0.98))

    kind = _pick(rng, _ADJUSTMENT_SHARES, n)
    faithful = rng.integers(0, 25, n)

    region = _pick(rng, _REGION_SHARES, n)
    long_name = pl.Series(region).replace(_REGION_LONG).to_numpy()
    region = np.where(rng.random(n) < 0.05, long_name, region)

    preferential = _pick(rng, _PREFERENTIAL_SHARES, n)
    banks = np.array(_LENDERS + _OTHER_BANKS)
    bank_weights = np.array([0.9 / len(_LENDERS)] * len(_LENDERS) + [0.05, 0.05])
    requested_bank = banks[rng.choice(len(banks), n, p=bank_weights)]
    bank_given = rng.random(n) >= 0.45
    amount = rng.integers(1, 21, n) * 500_000
    amount_given = rng.random(n) < 0.5

    frame = pl.DataFrame(
        {
            "applicant_id": pl.select(
                pl.format("A{}", pl.int_range(1, n + 1).cast(pl.String).str.zfill(7))
            ).to_series(),
            "birth_date": pl.Series(birth).cast(pl.Date),
            "annual_income": income,
            "kcb_score": pl.Series(kcb).set(pl.Series(~kcb_known), None),
            "nice_score": pl.Series(nice).set(pl.Series(~nice_known), None),
            "occupation": occupation,
            "employed_months": months,
            "pension_payments": pension,
            "haessal15": _pick(rng, _HAESSAL15_SHARES, n),
            "public_record": rng.random(n) < 0.08,
            "debt_adjustment_kind": pl.Series(kind).replace("", None),
            "debt_adjustment_faithful_months": pl.Series(faithful).set(pl.Series(kind == ""), None),
            "region": region,
            "vulnerable": rng.random(n) < 0.15,
            "basic_livelihood": rng.random(n) < 0.08,
            "preferential": preferential,
            "requested_bank": pl.Series(requested_bank).set(pl.Series(~bank_given), None),
            "requested_amount": pl.Series(amount).set(pl.Series(~amount_given), None),
        }
    )
    loans = _synthetic_loans(rng, n)
    documents = _synthetic_documents(rng, occupation, kind)
    return frame.with_columns(existing_loans=loans, documents=documents).select(COLUMNS)


def _synthetic_loans(rng: np.random.Generator, n: int) -> pl.Series:
    holders = np.flatnonzero(rng.random(n) < 0.10)
    row = np.repeat(holders, rng.choice(np.array([1, 2, 3]), holders.size, p=[0.6, 0.3, 0.1]))
    m = row.size
    amount = rng.integers(2, 11, m) * 500_000
    repaid = rng.random(m) < 0.30
    balance = np.where(repaid, 0, (amount * rng.random(m) / 10_000).astype(np.int64) * 10_000)
    arrears = ~repaid & (rng.random(m) < 0.08)
    start, end = _days(date(2023, 1, 1)), _days(date(2026, 3, 1))
    executed = np.datetime64("1970-01-01", "D") + rng.integers(start, end, m)
    month_end = (executed.astype("datetime64[M]") + 1).astype("datetime64[D]") - 1
    executed = np.where(rng.random(m) < 0.10, month_end, executed)
    banks = np.array(_LENDERS + _OTHER_BANKS)
    long = pl.DataFrame(
        {
            "row": row,
            "product": _pick(rng, _LOAN_PRODUCTS, m),
            "bank": banks[rng.integers(0, banks.size, m)],
            "amount": amount,
            "balance": balance,
            "executed_on": pl.Series(executed).cast(pl.Date),
            "in_arrears": arrears,
            "repaid": repaid,
        }
    )
    template = (
        '{{"product":"{}","bank":"{}","amount":{},"balance":{},'
        '"executed_on":"{}","in_arrears":{},"repaid":{}}}'
    )
    objects = pl.format(template, *(pl.col(c) for c in long.columns[1:]))
    return _json_arrays(long.select("row", objects.alias("object")), holders, n)


def _synthetic_documents(
    rng: np.random.Generator, occupation: npt.NDArray[np.str_], kind: npt.NDArray[np.str_]
) -> pl.Series:
    n = occupation.size
    holders = np.flatnonzero(rng.random(n) < 0.05)
    row = np.repeat(holders, rng.choice(np.array([0, 1, 2, 3]), holders.size, p=[0.05, 0.25, 0.45, 0.25]))
    m = row.size
    fitting = np.empty(m, dtype=object)
    for name, choices in _DOCUMENTS_BY_OCCUPATION.items():
        where = occupation[row] == name
        fitting[where] = np.array(choices)[rng.integers(0, len(choices), int(where.sum()))]
    every = np.array(
        sorted({d for ds in _DOCUMENTS_BY_OCCUPATION.values() for d in ds} | set(_ADJUSTMENT_DOCUMENTS))
    )
    adjustment_doc = np.array(_ADJUSTMENT_DOCUMENTS)[rng.integers(0, len(_ADJUSTMENT_DOCUMENTS), m)]
    draw = rng.random(m)
    doc_type = np.where(
        draw < 0.7,
        fitting,
        np.where((kind[row] != "") & (draw < 0.9), adjustment_doc, every[rng.integers(0, every.size, m)]),
    )
    issued = np.datetime64(SYNTHETIC_DOCUMENTS_AS_OF, "D") - rng.integers(-3, 46, m)
    long = pl.DataFrame(
        {"row": row, "type": doc_type.astype(str), "issued_on": pl.Series(issued).cast(pl.Date)}
    )
    objects = pl.format('{{"type":"{}","issued_on":"{}"}}', pl.col("type"), pl.col("issued_on"))
    return _json_arrays(long.select("row", objects.alias("object")), holders, n)


def _json_arrays(objects: pl.DataFrame, holders: npt.NDArray[np.int64], n: int) -> pl.Series:
    """One JSON array per holder row (``[]`` for a holder without objects); other rows stay null."""
    joined = objects.group_by("row", maintain_order=True).agg(pl.col("object").str.join(","))
    arrays = (
        pl.DataFrame({"row": holders})
        .join(joined, on="row", how="left", maintain_order="left")
        .select("row", pl.format("[{}]", pl.col("object").fill_null("")).alias("text"))
    )
    full = pl.Series([None] * n, dtype=pl.String)
    return full.scatter(arrays["row"], arrays["text"])

"""The applicant profile (신청인 정보) the eligibility engine judges, validated at the edge of the core."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic_core import PydanticCustomError

from seomin.domain.catalog import DebtAdjustmentKind, Haessal15Status, LoanPurpose, Occupation
from seomin.domain.regions import normalize_region

Score = Annotated[int, Field(ge=0, le=1000)]
MAX_WON = 10**12
"""1조 원: far above any applicant's figure, low enough that arithmetic on it stays exact and fast."""
NonNegativeWon = Annotated[int, Field(ge=0, le=MAX_WON)]
PositiveWon = Annotated[int, Field(gt=0, le=MAX_WON)]
RecordDate = Annotated[date, Field(ge=date(1900, 1, 1), le=date(2100, 12, 31))]


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class DebtAdjustment(_Strict):
    """An ongoing debt adjustment and the months paid in it without arrears (deferral months excluded)."""

    kind: DebtAdjustmentKind
    faithful_months: int = Field(ge=0, le=600)


class SubmittedDocument(_Strict):
    type: str = Field(min_length=1)
    issued_on: RecordDate


class ExistingLoan(_Strict):
    """A loan the applicant has (or had) under a catalog product."""

    product: str = Field(min_length=1)
    bank: str = Field(min_length=1)
    amount: PositiveWon
    balance: NonNegativeWon
    executed_on: RecordDate
    in_arrears: bool = False
    repaid: bool = False

    @model_validator(mode="after")
    def _consistent(self) -> ExistingLoan:
        # Typed errors: the type is the stable code the edges place and word the problem by.
        if self.balance > self.amount:
            raise PydanticCustomError("LOAN_BALANCE_ABOVE_AMOUNT", "balance exceeds amount")
        if self.repaid and self.balance != 0:
            raise PydanticCustomError("LOAN_REPAID_WITH_BALANCE", "a repaid loan has balance 0")
        if self.repaid and self.in_arrears:
            raise PydanticCustomError("LOAN_REPAID_IN_ARREARS", "a repaid loan cannot be in arrears")
        return self

    @property
    def is_open(self) -> bool:
        return not self.repaid


Preferential = Literal["consulting", "employment-support"]


class ApplicantProfile(_Strict):
    """What an applicant tells us (or a counselor verifies) for an eligibility decision."""

    birth_date: RecordDate
    annual_income: NonNegativeWon
    kcb_score: Score | None = None
    nice_score: Score | None = None
    occupation: Occupation
    employed_months: int = Field(default=0, ge=0, le=960)
    pension_payments: int = Field(default=0, ge=0, le=1200)
    haessal15: Haessal15Status = Haessal15Status.NONE
    public_record: bool = False
    debt_adjustment: DebtAdjustment | None = None
    region: str
    vulnerable: bool = False
    basic_livelihood: bool = Field(
        default=False, description="기초생활수급자·차상위계층 (basic-livelihood or near-poverty household)"
    )
    preferential: tuple[Preferential, ...] = ()
    requested_bank: str | None = None
    requested_amount: PositiveWon | None = None
    loan_purpose: LoanPurpose = Field(
        default=LoanPurpose.LIVING,
        description="living (일반생활자금) or specific (특정용도자금): some products cap a draw by it",
    )
    documents: tuple[SubmittedDocument, ...] | None = None
    existing_loans: tuple[ExistingLoan, ...] = ()

    @field_validator("region")
    @classmethod
    def _region(cls, value: str) -> str:
        return normalize_region(value)

    @field_validator("preferential")
    @classmethod
    def _unique(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(dict.fromkeys(value))

    def age_on(self, on: date) -> int:
        """Age in full years (만 나이) on ``on``."""
        years = on.year - self.birth_date.year
        if (on.month, on.day) < (self.birth_date.month, self.birth_date.day):
            years -= 1
        return years

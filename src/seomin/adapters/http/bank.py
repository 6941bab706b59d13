"""The partner banks' endpoints (협약 금융회사), authenticated by ``X-Api-Key``.

A bank sees only its own guarantees and loans: another bank's is a 404, as if it did not exist. Every
write (execution, payment, prepayment) needs an ``Idempotency-Key`` header and happens exactly once: a
retry with the same key and body answers the first answer again; the same key with another body is a
409 ``IDEMPOTENCY_KEY_REUSED``.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr

from seomin.adapters.app_state import platform_of
from seomin.adapters.http.auth import BankActor, errors
from seomin.adapters.http.public import IdempotencyKey, IsoDate, SafeJSONResponse, _Body, plain
from seomin.domain.repayment import InstallmentArrears
from seomin.services.loans import (
    execute_loan,
    get_loan,
    list_loans,
    payoff_quote,
    post_payment,
    prepay,
    verify_certificate,
)
from seomin.services.recourse import ClaimView, file_subrogation_claim

router = APIRouter(prefix="/bank", tags=["bank"])
LoanId = Annotated[int, Path(ge=1, le=2**62)]
Won = Annotated[StrictInt, Field(gt=0, le=1_000_000_000_000, description="Won")]


class CertificateBody(_Body):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"certificate_no": "G20250515000001", "verification_code": "123456"}]}
    )
    certificate_no: StrictStr = Field(min_length=1, max_length=32)
    verification_code: StrictStr = Field(min_length=1, max_length=64)


class ExecutionBody(CertificateBody):
    executed_on: IsoDate | None = Field(default=None, description="Disbursement day; default today")


class PaymentBody(_Body):
    amount: Won
    paid_on: IsoDate | None = Field(default=None, description="Default: today")


class PrepaymentBody(_Body):
    amount: Won | None = Field(default=None, description="Won in all; null for the full payoff")
    paid_on: IsoDate | None = Field(default=None, description="Default: today")


class ClaimBody(_Body):
    filed_on: IsoDate | None = Field(default=None, description="Default: today")


# --- answers (documentation: the services' JSON is sent as it is, these describe it) ----------------------

Rate = Annotated[str, Field(description="Annual rate in percent, a decimal string", examples=["15.9"])]


class MaskedApplicantOut(BaseModel):
    name_masked: str
    rrn_masked: str
    phone_masked: str


class CertificateCheckOut(BaseModel):
    """A certificate's terms as the bank sees them before executing."""

    certificate_no: str
    status: str
    executable: bool
    product_id: str
    product_version: str
    amount: int
    rate: Rate
    rate_bp: int
    term_months: int
    grace_months: int
    method: str
    guarantee_ratio: Rate
    issued_on: date
    expires_on: date
    applicant: MaskedApplicantOut


class ExecutionOut(BaseModel):
    """The executed loan (대출 실행): its terms and the first and last due dates of its schedule."""

    loan_id: int
    guarantee_id: int
    certificate_no: str
    bank_code: str
    product_id: str
    product_version: str
    amount: int
    executed_on: date
    rate: Rate
    rate_bp: int
    term_months: int
    grace_months: int
    method: str
    status: str
    principal_balance: int
    installments: int
    first_due_date: date
    first_payment: int
    maturity_date: date
    total_interest: int


class LoanSummaryOut(BaseModel):
    loan_id: int
    guarantee_id: int
    certificate_no: str
    product_id: str
    amount: int
    principal_balance: int
    executed_on: date
    term_months: int
    grace_months: int
    method: str
    rate: Rate
    rate_bp: int
    status: str
    days_past_due: int
    repaid_on: date | None


class ScheduleLineOut(BaseModel):
    no: int
    due_date: date
    rate: Rate
    payment: int
    principal_due: int
    interest_due: int
    principal_paid: int
    interest_paid: int
    paid_on: date | None


class PaymentRecordOut(BaseModel):
    payment_id: int
    amount: int
    paid_on: date
    delinquency_interest: int
    interest: int
    principal: int


class LoanOut(LoanSummaryOut):
    """One loan with its schedule as it stands and its payments."""

    schedule: list[ScheduleLineOut]
    payments: list[PaymentRecordOut]


class AllocationLineOut(BaseModel):
    no: int
    delinquency_interest: int
    interest: int
    principal: int


class LoanStateOut(BaseModel):
    status: str
    principal_balance: int
    days_past_due: int
    repaid_on: date | None


class PaymentOut(BaseModel):
    """A payment applied: delinquency interest, interest, principal, then prepayment, per installment."""

    payment_id: int
    loan_id: int
    amount: int
    paid_on: date
    delinquency_interest: int
    interest: int
    principal: int
    prepaid_principal: int
    prepayment_interest: int
    full_repayment: bool
    reamortized: bool
    lines: list[AllocationLineOut]
    loan: LoanStateOut


class PayoffOut(BaseModel):
    """What closes the loan on ``on`` (완제 금액), with its parts."""

    loan_id: int
    on: date
    due_principal: int
    due_interest: int
    delinquency_interest: int
    accrued_interest: int
    accrued_from: date
    principal_balance: int
    amount_due: int
    total: int
    overdue: list[InstallmentArrears]


@router.post(
    "/certificates/verification",
    response_model=CertificateCheckOut,
    responses=errors(401, 404, 409, 422, 429),
    summary="보증서 확인: a certificate's terms and whether it can be executed",
)
def verify(request: Request, bank: BankActor, body: CertificateBody) -> SafeJSONResponse:
    """404 for a certificate unknown or issued to another bank; 409 ``CERTIFICATE_VERIFICATION_FAILED``
    for a wrong code."""
    return SafeJSONResponse(
        verify_certificate(platform_of(request), bank, body.certificate_no, body.verification_code)
    )


@router.post(
    "/loans",
    response_model=ExecutionOut,
    responses=errors(401, 404, 409, 422, 429),
    summary="대출 실행: execute the loan of a certificate, exactly once",
)
def execute(
    request: Request, bank: BankActor, body: ExecutionBody, idempotency_key: IdempotencyKey
) -> SafeJSONResponse:
    """409 ``GUARANTEE_ALREADY_EXECUTED`` once executed (under another key), ``GUARANTEE_EXPIRED``,
    ``LIMIT_EXCEEDED`` …; the same key and body again answers the first execution."""
    platform = platform_of(request)
    loan = execute_loan(
        platform,
        bank,
        body.certificate_no,
        body.verification_code,
        body.executed_on or platform.today(),
        idempotency_key,
    )
    return SafeJSONResponse(loan)


@router.get(
    "/loans",
    response_model=list[LoanSummaryOut],
    responses=errors(401, 422),
    summary="The bank's loans, oldest first",
)
def loans(
    request: Request,
    bank: BankActor,
    status: Annotated[str | None, Query(max_length=32, examples=["active"])] = None,
) -> SafeJSONResponse:
    return SafeJSONResponse(list_loans(platform_of(request), bank, status))


@router.get(
    "/loans/{loan_id}",
    response_model=LoanOut,
    responses=errors(401, 404, 422),
    summary="One loan with its schedule and payments",
)
def loan(request: Request, bank: BankActor, loan_id: LoanId) -> SafeJSONResponse:
    return SafeJSONResponse(get_loan(platform_of(request), bank, loan_id))


@router.post(
    "/loans/{loan_id}/payments",
    response_model=PaymentOut,
    responses=errors(401, 404, 409, 422),
    summary="상환: post a payment the bank received",
)
def payment(
    request: Request, bank: BankActor, loan_id: LoanId, body: PaymentBody, idempotency_key: IdempotencyKey
) -> SafeJSONResponse:
    platform = platform_of(request)
    done = post_payment(
        platform, bank, loan_id, body.amount, body.paid_on or platform.today(), idempotency_key
    )
    return SafeJSONResponse(done)


@router.post(
    "/loans/{loan_id}/prepayments",
    response_model=PaymentOut,
    responses=errors(401, 404, 409, 422),
    summary="중도상환: prepay part or all of a loan (no fee)",
)
def prepayment(
    request: Request,
    bank: BankActor,
    loan_id: LoanId,
    body: PrepaymentBody,
    idempotency_key: IdempotencyKey,
) -> SafeJSONResponse:
    platform = platform_of(request)
    done = prepay(platform, bank, loan_id, body.amount, body.paid_on or platform.today(), idempotency_key)
    return SafeJSONResponse(done)


@router.get(
    "/loans/{loan_id}/payoff",
    response_model=PayoffOut,
    responses=errors(401, 404, 409, 422),
    summary="완제 금액: what closes the loan on a day",
)
def payoff(
    request: Request,
    bank: BankActor,
    loan_id: LoanId,
    on: Annotated[IsoDate | None, Query(description="YYYY-MM-DD; default today")] = None,
) -> SafeJSONResponse:
    platform = platform_of(request)
    return SafeJSONResponse(payoff_quote(platform, bank, loan_id, on or platform.today()))


@router.post(
    "/loans/{loan_id}/subrogation-claim",
    response_model=ClaimView,
    responses=errors(401, 404, 409, 422),
    summary="대위변제 청구: claim the guaranteed share of a defaulted loan",
)
def subrogation_claim(
    request: Request, bank: BankActor, loan_id: LoanId, body: ClaimBody
) -> SafeJSONResponse:
    platform = platform_of(request)
    claim = file_subrogation_claim(platform, bank, loan_id, body.filed_on or platform.today())
    return SafeJSONResponse(plain(claim))

"""부채증명서 (certificate of debt) and 완제증명서 (certificate of full repayment) of a recourse debt.

The debtor issues one from their own page: a 부채증명서 of a debt not yet repaid states the balance on the
day of issue; a 완제증명서 only once the debt is repaid, with the day of the last repayment. The figures are
stored with the certificate (``debt_certificates``), so the PDF drawn again later says exactly the same.
Each certificate has a number (``DC`` + issue day + serial) and a verification code derived from it with
the platform's keyed hash (never stored in clear; the same code is printed each time); anyone holding
both checks the document on the public ``verify_debt_certificate`` (a wrong code or number is simply not
found, saying nothing about which). Issues are audited.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, select

from seomin.adapters.db.engine import transaction
from seomin.adapters.db.models import Applicant, DebtCertificate, RecourseDebt, RecourseRepayment
from seomin.domain.identity import mask_name
from seomin.domain.lifecycle import RecourseStatus
from seomin.services import attempts
from seomin.services.errors import Conflict, Forbidden, InputError, NotFound
from seomin.services.platform import Actor, ActorType, Platform, audit

KINDS = ("debt", "paid_in_full")
_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


@dataclass(frozen=True, slots=True)
class CertificateView:
    id: int
    certificate_no: str
    verification_code: str
    kind: str
    recourse_debt_id: int
    issued_on: date
    principal: int
    balance: int
    repaid_on: date | None
    arose_on: date
    debtor_name: str
    rrn_masked: str


@dataclass(frozen=True, slots=True)
class VerifiedCertificate:
    """What a third party learns from a genuine certificate: the figures printed on it, the name masked."""

    certificate_no: str
    kind: str
    issued_on: date
    debtor_name_masked: str
    principal: int
    balance: int
    repaid_on: date | None


def _code(platform: Platform, certificate_no: str) -> str:
    digest = platform.vault.lookup_hash(f"debt-certificate:{certificate_no}")
    return "".join(_CODE_ALPHABET[int(digest[i : i + 2], 16) % len(_CODE_ALPHABET)] for i in range(0, 20, 2))


def issue_certificate(platform: Platform, debtor: Actor, debt_id: int, kind: str) -> CertificateView:
    if debtor.type is not ActorType.APPLICANT:
        raise Forbidden("the debtor issues their own certificates")
    if kind not in KINDS:
        raise InputError("kind", f"one of {', '.join(KINDS)}")
    today = platform.today()
    with transaction(platform.sessions) as session:
        debt = session.get(RecourseDebt, debt_id)
        if debt is None or str(debt.applicant_id) != debtor.id:
            raise NotFound("recourse debt", debt_id)
        repaid = debt.status == RecourseStatus.REPAID.value
        if kind == "paid_in_full" and not repaid:
            raise Conflict("RECOURSE_DEBT_NOT_REPAID", "a 완제증명서 is issued once the debt is repaid")
        if kind == "debt" and repaid:
            raise Conflict("RECOURSE_DEBT_REPAID", "the debt is repaid: issue a 완제증명서 instead")
        repaid_on = (
            session.scalar(
                select(func.max(RecourseRepayment.paid_on)).where(
                    RecourseRepayment.recourse_debt_id == debt.id
                )
            )
            if repaid
            else None
        )
        serial = (session.scalar(select(func.max(DebtCertificate.id))) or 0) + 1
        number = f"DC{today:%Y%m%d}{serial:06d}"
        row = DebtCertificate(
            certificate_no=number,
            code_hash=platform.vault.lookup_hash(_code(platform, number)),
            kind=kind,
            recourse_debt_id=debt.id,
            applicant_id=debt.applicant_id,
            issued_on=today,
            principal=debt.principal,
            balance=debt.balance,
            repaid_on=repaid_on,
        )
        session.add(row)
        session.flush()
        audit(
            session,
            debtor,
            f"debt_certificate.{kind}_issued",
            "recourse_debt",
            debt.id,
            after={"certificate_no": number, "balance": debt.balance},
            reason="issued by the debtor online",
        )
        return _view(platform, session.get_one(Applicant, debt.applicant_id), row, debt.created_on)


def certificates_of(platform: Platform, debtor: Actor) -> list[CertificateView]:
    if debtor.type is not ActorType.APPLICANT:
        raise Forbidden("the debtor reads their own certificates")
    with platform.sessions() as session:
        applicant = session.get(Applicant, int(debtor.id))
        if applicant is None:
            return []
        rows = session.execute(
            select(DebtCertificate, RecourseDebt.created_on)
            .join(RecourseDebt, RecourseDebt.id == DebtCertificate.recourse_debt_id)
            .where(DebtCertificate.applicant_id == applicant.id)
            .order_by(DebtCertificate.id.desc())
        ).all()
        return [_view(platform, applicant, row, arose) for row, arose in rows]


def certificate_of(platform: Platform, debtor: Actor, certificate_id: int) -> CertificateView:
    found = next((c for c in certificates_of(platform, debtor) if c.id == certificate_id), None)
    if found is None:
        raise NotFound("debt certificate", certificate_id)
    return found


VERIFY_POLICY = attempts.AttemptPolicy(
    max_failures=5,
    window=timedelta(minutes=15),
    lockout=timedelta(minutes=15),
    message="too many wrong codes for this certificate number; try again later",
)
"""Five wrong codes for one certificate number within 15 minutes lock its check for 15 minutes (429 with
Retry-After): the public check must not be a way to guess a code."""


def verify_debt_certificate(platform: Platform, certificate_no: str, code: str) -> VerifiedCertificate:
    """The public check: the number and the printed code; anything else is NotFound, and each miss counts
    against the number (``VERIFY_POLICY``)."""
    number, given = certificate_no.strip().upper(), code.strip().upper()
    if not 1 <= len(number) <= 24 or not 1 <= len(given) <= 32:
        raise NotFound("debt certificate", number[:24])
    counter = f"debt-certificate:{platform.vault.lookup_hash(number)}"
    attempts.check_allowed(platform, counter, VERIFY_POLICY)
    with platform.sessions() as session:
        row = session.scalars(
            select(DebtCertificate).where(DebtCertificate.certificate_no == number)
        ).one_or_none()
        if row is not None and hmac.compare_digest(row.code_hash, platform.vault.lookup_hash(given)):
            applicant = session.get_one(Applicant, row.applicant_id)
            return VerifiedCertificate(
                row.certificate_no,
                row.kind,
                row.issued_on,
                mask_name(platform.vault.decrypt(applicant.name_encrypted)),
                row.principal,
                row.balance,
                row.repaid_on,
            )
    attempts.record_failure(platform, counter, VERIFY_POLICY)
    raise NotFound("debt certificate", number)


def _view(platform: Platform, applicant: Applicant, row: DebtCertificate, arose_on: date) -> CertificateView:
    return CertificateView(
        id=row.id,
        certificate_no=row.certificate_no,
        verification_code=_code(platform, row.certificate_no),
        kind=row.kind,
        recourse_debt_id=row.recourse_debt_id,
        issued_on=row.issued_on,
        principal=row.principal,
        balance=row.balance,
        repaid_on=row.repaid_on,
        arose_on=arose_on,
        debtor_name=platform.vault.decrypt(applicant.name_encrypted),
        rrn_masked=applicant.rrn_masked,
    )

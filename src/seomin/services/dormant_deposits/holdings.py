"""Institutions' dormant-deposit files, and a person's look-up of what is held in their name."""

from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import dataclass
from datetime import date

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from seomin.adapters.db.models import Applicant, DormantDeposit
from seomin.domain.dormant import accrued_interest
from seomin.domain.identity import parse_resident_number
from seomin.domain.ledger import dormant_contribution
from seomin.services.errors import Conflict, Forbidden, InputError, NotFound
from seomin.services.ledger import post
from seomin.services.platform import Actor, ActorType, Platform, audit

SECTORS = frozenset({"bank", "insurance", "savings_bank", "credit_union", "securities"})
FILE_COLUMNS = ("source_ref", "holder_rrn", "product", "amount", "rate_bp", "contributed_on")
"""The documented CSV layout (UTF-8, header row); ``amount`` whole won, ``rate_bp`` a year."""
LOOKUP_ROLES = frozenset({"counselor", "supervisor"})


@dataclass(frozen=True, slots=True)
class RejectedRow:
    line: int
    problem: str
    """Never echoes a resident number."""


@dataclass(frozen=True, slots=True)
class ImportReport:
    added: int
    already_held: int
    rejects: tuple[RejectedRow, ...]
    """Each refused row by its line number in the file."""
    total_added: int
    """Won added by this upload: reconciled by the institution against its own file total."""


@dataclass(frozen=True, slots=True)
class HeldDeposit:
    id: int
    institution_code: str
    sector: str
    product: str
    amount: int
    interest: int
    """Accrued to today on the published rule (``domain.dormant.accrued_interest``)."""
    status: str


def import_file(
    platform: Platform, actor: Actor, institution_code: str, sector: str, text: str, declared_total: int
) -> ImportReport:
    """Add the rows of an institution's CSV; rows already held (same reference) are skipped so a
    re-upload is harmless. Refused rows are reported by line; ``declared_total`` must equal the sum of
    the file's valid rows or nothing is written."""
    if actor.type not in (ActorType.SYSTEM, ActorType.STAFF):
        raise Forbidden("only the agency imports institutions' files")
    if sector not in SECTORS:
        raise InputError("sector", f"must be one of {', '.join(sorted(SECTORS))}")
    reader = csv.DictReader(io.StringIO(text))
    if tuple(reader.fieldnames or ()) != FILE_COLUMNS:
        raise InputError("file", f"header must be {','.join(FILE_COLUMNS)}")
    rows: list[_Row] = []
    rejects: list[RejectedRow] = []
    today = platform.today()
    seen: set[str] = set()
    for line, raw in enumerate(reader, start=2):
        try:
            row = _row(raw, today)
        except ValueError as exc:
            rejects.append(RejectedRow(line, str(exc)))
            continue
        if row.ref in seen:
            rejects.append(RejectedRow(line, "source_ref repeats an earlier row of the file"))
            continue
        seen.add(row.ref)
        rows.append(row)
    file_total = sum(r.amount for r in rows)
    if file_total != declared_total:
        raise InputError("declared_total", f"valid rows total {file_total:,} won, not {declared_total:,}")
    with platform.sessions.begin() as session:
        held = _already_held(session, institution_code, [r.ref for r in rows])
        new = [r for r in rows if r.ref not in held]
        total_added = sum(r.amount for r in new)
        try:
            for start in range(0, len(new), _CHUNK):
                session.execute(
                    insert(DormantDeposit),
                    [_values(platform, institution_code, sector, r) for r in new[start : start + _CHUNK]],
                )
        except IntegrityError:
            raise Conflict(
                "DORMANT_IMPORT_RACED",
                f"another upload of {institution_code} added some of these rows meanwhile: upload again",
            ) from None
        if total_added:  # the contribution is the ledger's: the same won the file added, at once
            digest = hashlib.sha256("\n".join(r.ref for r in new).encode()).hexdigest()[:24]
            key = f"dormant_import:{institution_code}:{len(new)}:{digest}"
            post(
                session,
                actor,
                dormant_contribution(key, sector, total_added),
                f"institution:{institution_code}",
                today,
            )
        audit(
            session,
            actor,
            "dormant_file.imported",
            "institution",
            institution_code,
            after={"added": len(new), "already_held": len(held), "rejects": len(rejects), "won": total_added},
            reason=f"dormant-asset file of {institution_code}",
        )
    return ImportReport(len(new), len(rows) - len(new), tuple(rejects), total_added)


_CHUNK = 5_000


@dataclass(frozen=True, slots=True)
class _Row:
    ref: str
    rrn: str
    product: str
    amount: int
    rate_bp: int
    contributed_on: date


def _already_held(session: Session, institution: str, refs: list[str]) -> set[str]:
    """The file's references the institution already has here: one pass over the institution's own
    references (its index range, streamed), which keeps its cost whatever the planner's statistics say
    about a table a large upload has just grown."""
    wanted = set(refs)
    held: set[str] = set()
    rows = session.scalars(
        select(DormantDeposit.source_ref)
        .where(DormantDeposit.institution_code == institution)
        .execution_options(yield_per=50_000)
    )
    for ref in rows:
        if ref in wanted:
            held.add(ref)
    return held


def _values(platform: Platform, institution: str, sector: str, row: _Row) -> dict[str, object]:
    return {
        "institution_code": institution,
        "sector": sector,
        "source_ref": row.ref,
        "holder_rrn_hash": platform.vault.lookup_hash(row.rrn),
        "holder_rrn_encrypted": platform.vault.encrypt(row.rrn),
        "product": row.product,
        "amount": row.amount,
        "rate_bp": row.rate_bp,
        "contributed_on": row.contributed_on,
        "status": "held",
    }


def _row(raw: dict[str, str], today: date) -> _Row:
    rrn = parse_resident_number(raw["holder_rrn"] or "", today)
    ref = (raw["source_ref"] or "").strip()
    product = (raw["product"] or "").strip()
    if not ref or len(ref) > 64:
        raise ValueError("source_ref must be 1-64 characters")
    if not product or len(product) > 100:
        raise ValueError("product must be 1-100 characters")
    amount = _whole(raw["amount"], "amount")
    rate_bp = _whole(raw["rate_bp"], "rate_bp")
    if amount == 0 or rate_bp > 10_000:
        raise ValueError("amount must be positive and rate_bp at most 10000")
    try:
        contributed_on = date.fromisoformat((raw["contributed_on"] or "").strip())
    except ValueError:
        raise ValueError("contributed_on must be YYYY-MM-DD") from None
    if contributed_on > today:
        raise ValueError("contributed_on is in the future")
    return _Row(ref, rrn.value, product, amount, rate_bp, contributed_on)


def _whole(text: str | None, field: str) -> int:
    value = (text or "").strip()
    if not value.isdigit():
        raise ValueError(f"{field} must be a whole non-negative number")
    return int(value)


def my_dormant_deposits(platform: Platform, actor: Actor) -> list[HeldDeposit]:
    """Everything held in the verified applicant's own name, with interest to today."""
    if actor.type is not ActorType.APPLICANT:
        raise Forbidden("sign in with identity verification to see your dormant deposits")
    with platform.sessions.begin() as session:
        applicant = session.get(Applicant, int(actor.id))
        if applicant is None:
            raise NotFound("applicant", actor.id)
        return _held(platform, session, applicant.rrn_hash)


def look_up_for_walk_in(platform: Platform, staff: Actor, rrn_text: str, why: str) -> list[HeldDeposit]:
    """A counselor's look-up for a person at the counter: audited with the reason, the number masked."""
    if staff.type is not ActorType.STAFF or staff.role not in LOOKUP_ROLES:
        raise Forbidden("only counselors and supervisors look up dormant deposits for a walk-in")
    if not why.strip():
        raise InputError("reason", "say why the look-up is made")
    try:
        rrn = parse_resident_number(rrn_text, platform.today())
    except ValueError as exc:
        raise InputError("rrn", str(exc)) from None
    with platform.sessions.begin() as session:
        found = _held(platform, session, platform.vault.lookup_hash(rrn.value))
        audit(
            session,
            staff,
            "dormant.looked_up",
            "holder",
            rrn.masked,
            after={"found": len(found)},
            reason=why.strip(),
        )
        return found


def _held(platform: Platform, session: Session, rrn_hash: str) -> list[HeldDeposit]:
    today = platform.today()
    deposits = session.scalars(
        select(DormantDeposit).where(DormantDeposit.holder_rrn_hash == rrn_hash).order_by(DormantDeposit.id)
    )
    return [
        HeldDeposit(
            d.id,
            d.institution_code,
            d.sector,
            d.product,
            d.amount,
            accrued_interest(d.amount, d.rate_bp, d.contributed_on, today),
            d.status,
        )
        for d in deposits
    ]

"""Bank settlement files (일일 수납 파일): a partner bank uploads the day's payments as CSV and each line is
posted exactly once, with a report of the lines refused and why.

Format (UTF-8, a BOM allowed, at most ``MAX_LINES`` lines), the header exactly
``loan_id,paid_on,amount,reference``:
one payment per line, ``paid_on`` as YYYY-MM-DD, ``amount`` in won, ``reference`` the bank's own unique
id of the line (1–100 characters). A line is posted like any payment (``loans.post_payment``) with the
idempotency key ``settlement:<reference>``: a line seen before, in this file or an earlier one, answers its
first result and posts nothing more; a reference reused with other figures is refused.

Exactly once per file: the file's SHA-256 is recorded per bank before any line is posted (a unique
constraint), so the same file uploaded again answers the stored report, and an upload racing its twin is
``Conflict SETTLEMENT_FILE_IN_PROGRESS`` until the first finishes. Lines are independent: one refused line
(unknown loan, out of order, above the payoff, malformed) never stops the others.
"""

from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from seomin.adapters.db.engine import transaction
from seomin.adapters.db.models import IdempotencyRecord, SettlementFile
from seomin.services.errors import Conflict, Forbidden, InputError, NotFound
from seomin.services.loans import post_payment
from seomin.services.platform import Actor, ActorType, Platform, audit

HEADER = ["loan_id", "paid_on", "amount", "reference"]
MAX_LINES = 10_000
MAX_BYTES = 2_000_000


@dataclass(frozen=True, slots=True)
class RejectedLine:
    line: int
    reference: str
    code: str
    message: str


@dataclass(frozen=True, slots=True)
class SettlementReport:
    file_id: int
    business_date: date
    lines: int
    applied: int
    already_applied: int
    rejected: list[RejectedLine] = field(default_factory=list)
    replayed: bool = False
    """True when this file was applied before: the stored report, nothing posted."""


def apply_settlement_file(
    platform: Platform, bank: Actor, business_date: date, content: bytes
) -> SettlementReport:
    if bank.type is not ActorType.BANK:
        raise Forbidden("only a partner bank uploads its settlement file")
    if len(content) > MAX_BYTES:
        raise InputError("file", f"at most {MAX_BYTES:,} bytes")
    if business_date > platform.today():
        raise InputError("business_date", "after today")
    rows = _parse(content)
    digest = hashlib.sha256(content).hexdigest()
    try:
        with transaction(platform.sessions) as session:
            record = SettlementFile(
                bank_code=bank.id,
                sha256=digest,
                business_date=business_date,
                lines=len(rows),
                status="applying",
            )
            session.add(record)
            session.flush()
            file_id = record.id
    except IntegrityError:
        return _stored(platform, bank, digest)
    applied = already = 0
    rejected: list[RejectedLine] = []
    seen: set[str] = set()
    for number, row in rows:
        problem = _check(row, number, business_date)
        if problem is None and row["reference"] in seen:
            problem = RejectedLine(
                number, row["reference"], "DUPLICATE_REFERENCE", "the reference appears twice in the file"
            )
        if problem is not None:
            rejected.append(problem)
            continue
        seen.add(row["reference"])
        key = f"settlement:{row['reference']}"
        before = _posted_before(platform, bank, key)
        try:
            post_payment(
                platform,
                bank,
                int(row["loan_id"]),
                int(row["amount"]),
                date.fromisoformat(row["paid_on"]),
                key,
            )
        except (Conflict, InputError, NotFound) as exc:
            code = getattr(exc, "code", "NOT_FOUND" if isinstance(exc, NotFound) else "INVALID")
            rejected.append(RejectedLine(number, row["reference"], str(code), str(exc)))
            continue
        if before:
            already += 1
        else:
            applied += 1
    report = SettlementReport(file_id, business_date, len(rows), applied, already, rejected)
    with transaction(platform.sessions) as session:
        record = session.get_one(SettlementFile, file_id)
        record.applied, record.rejected, record.status = applied + already, len(rejected), "applied"
        record.report = _report_json(report)
        audit(
            session,
            bank,
            "settlement_file.applied",
            "settlement_file",
            file_id,
            after={
                "lines": len(rows),
                "applied": applied,
                "already_applied": already,
                "rejected": len(rejected),
            },
            reason=f"settlement file of {business_date.isoformat()} (sha256 {digest[:12]}…)",
        )
    return report


def _posted_before(platform: Platform, bank: Actor, key: str) -> bool:
    with platform.sessions() as session:
        found = session.scalars(
            select(IdempotencyRecord.key).where(
                IdempotencyRecord.bank_code == bank.id, IdempotencyRecord.key == key
            )
        ).first()
        return found is not None


def _parse(content: bytes) -> list[tuple[int, dict[str, str]]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError("file", "must be UTF-8 text") from None
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if header is None or [h.strip() for h in header] != HEADER:
        raise InputError("file", f"the first line must be the header {','.join(HEADER)}")
    rows: list[tuple[int, dict[str, str]]] = []
    for number, cells in enumerate(reader, start=2):
        if not cells or all(not c.strip() for c in cells):
            continue
        if len(rows) >= MAX_LINES:
            raise InputError("file", f"at most {MAX_LINES:,} lines")
        values = [c.strip() for c in cells] + [""] * (len(HEADER) - len(cells))
        row = dict(zip(HEADER, values[: len(HEADER)], strict=True))
        row["_extra"] = "x" if len(cells) > len(HEADER) else ""
        rows.append((number, row))
    return rows


def _check(row: dict[str, str], number: int, business_date: date) -> RejectedLine | None:
    reference = row["reference"]

    def refuse(message: str) -> RejectedLine:
        return RejectedLine(number, reference, "LINE_MALFORMED", message)

    if row.get("_extra"):
        return refuse(f"more than {len(HEADER)} columns")
    if not 1 <= len(reference) <= 100:
        return refuse("reference: 1 to 100 characters")
    if not row["loan_id"].isdigit() or not 1 <= int(row["loan_id"]) <= 2**62:
        return refuse("loan_id: a positive whole number")
    if not row["amount"].isdigit() or not 1 <= int(row["amount"]) <= 1_000_000_000_000:
        return refuse("amount: whole won above 0")
    try:
        paid_on = date.fromisoformat(row["paid_on"])
    except ValueError:
        return refuse("paid_on: YYYY-MM-DD")
    if paid_on > business_date:
        return refuse("paid_on: after the file's business date")
    return None


def _report_json(report: SettlementReport) -> dict[str, Any]:
    return {
        "file_id": report.file_id,
        "business_date": report.business_date.isoformat(),
        "lines": report.lines,
        "applied": report.applied,
        "already_applied": report.already_applied,
        "rejected": [
            {"line": r.line, "reference": r.reference, "code": r.code, "message": r.message}
            for r in report.rejected
        ],
    }


def _stored(platform: Platform, bank: Actor, digest: str) -> SettlementReport:
    with platform.sessions() as session:
        record = session.scalars(
            select(SettlementFile).where(SettlementFile.bank_code == bank.id, SettlementFile.sha256 == digest)
        ).one()
        if record.status != "applied":
            raise Conflict("SETTLEMENT_FILE_IN_PROGRESS", f"settlement file {record.id} is being applied")
        data = record.report
        return SettlementReport(
            file_id=record.id,
            business_date=record.business_date,
            lines=int(data["lines"]),
            applied=int(data["applied"]),
            already_applied=int(data["already_applied"]),
            rejected=[RejectedLine(**r) for r in data["rejected"]],
            replayed=True,
        )

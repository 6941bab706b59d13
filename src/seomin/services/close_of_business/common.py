"""What every close-of-business step shares: the tables, the run's state and its SQL helpers."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    Connection,
    DateTime,
    Integer,
    Text,
    and_,
    case,
    cast,
    func,
    insert,
    literal,
    literal_column,
    null,
    select,
    true,
)
from sqlalchemy.sql.elements import ColumnElement

from seomin.adapters.db.models import Base
from seomin.domain.catalog import Catalog
from seomin.domain.lifecycle import LoanStatus
from seomin.services.platform import Actor

LOANS = Base.metadata.tables["loans"]
INSTALLMENTS = Base.metadata.tables["installments"]
GUARANTEES = Base.metadata.tables["guarantees"]
AUDIT_EVENTS = Base.metadata.tables["audit_events"]
COB_RUNS = Base.metadata.tables["cob_runs"]
COB_CHUNKS = Base.metadata.tables["cob_chunks"]

OPEN_STATUSES = (LoanStatus.ACTIVE.value, LoanStatus.DELINQUENT.value, LoanStatus.DEFAULTED.value)
DEFAULT_DAYS_PAST_DUE = 90
"""Used for a guarantee whose product version the catalog does not know (the catalog's own default)."""
MAX_CATCH_UP_DAYS = 365


STAT_KEYS = (
    "open_loans",
    "days_past_due_updated",
    "became_delinquent",
    "became_defaulted",
    "cured",
    "step_down_eligible",
    "stepped_down",
    "installments_reamortized",
    "additional_loan_set",
    "additional_loan_cleared",
    "guarantees_expired",
    "agency_loans_defaulted",
    "recourse_on_plan",
    "recourse_behind",
    "recourse_notices",
    "recourse_plans_lapsed",
    "audit_events",
)
"""The counts a run returns, in this order. ``audit_events`` counts change events, not the run's own row."""


@dataclass(slots=True)
class _Run:
    """One chunk's context: the connection, the date, who acts, when, the loan ids it covers (all when
    ``first_loan`` is None) and its counts so far."""

    conn: Connection
    business_date: date
    actor: Actor
    at: datetime
    catalog: Catalog
    stats: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STAT_KEYS, 0))
    first_loan: int | None = None
    last_loan: int | None = None

    def loans(self, loan_id: ColumnElement[Any]) -> ColumnElement[bool]:
        """``loan_id`` within the chunk's loans (the chunk's rows are locked, see ``run._lock_loans``)."""
        if self.first_loan is None or self.last_loan is None:
            return true()
        return loan_id.between(self.first_loan, self.last_loan)

    @property
    def postgres(self) -> bool:
        return self.conn.dialect.name == "postgresql"

    @property
    def reason_prefix(self) -> str:
        return f"COB {self.business_date.isoformat()}: "

    def audit_select(
        self,
        *,
        action: str,
        entity_type: str,
        entity_id: ColumnElement[Any],
        before: ColumnElement[Any],
        after: ColumnElement[Any],
        reason: ColumnElement[Any],
        from_: Any,
        where: ColumnElement[bool],
    ) -> int:
        """``INSERT INTO audit_events ... SELECT`` one row per row of ``from_`` matching ``where``."""
        rows = select(
            literal(self.at, DateTime(timezone=True)),
            _text(self.actor.type.value),
            _text(self.actor.id),
            _text(action),
            _text(entity_type),
            cast(entity_id, Text),
            before,
            after,
            reason,
        ).select_from(from_)
        statement = insert(AUDIT_EVENTS).from_select(
            [
                "at",
                "actor_type",
                "actor_id",
                "action",
                "entity_type",
                "entity_id",
                "before",
                "after",
                "reason",
            ],
            rows.where(where),
        )
        # rowcount of INSERT ... SELECT is only kept on request (SQLAlchemy 2: preserve_rowcount).
        count = self.conn.execute(statement.execution_options(preserve_rowcount=True)).rowcount
        self.stats["audit_events"] += count
        return count

    def json(self, **pairs: ColumnElement[Any]) -> ColumnElement[Any]:
        """A JSON object built by the database from column expressions."""
        args: list[ColumnElement[Any]] = []
        for key, value in pairs.items():
            args += [literal_column(f"'{key}'"), value]
        return func.json_build_object(*args) if self.postgres else func.json_object(*args)

    def reason(self, *parts: str | ColumnElement[Any]) -> ColumnElement[Any]:
        """``'COB <date>: '`` followed by ``parts`` (text or column expressions), concatenated in SQL."""
        expression: ColumnElement[Any] = _text(self.reason_prefix)
        for part in parts:
            expression = expression.op("||")(_text(part) if isinstance(part, str) else cast(part, Text))
        return expression


def _text(value: str) -> ColumnElement[Any]:
    """A text constant PostgreSQL can type inside json_build_object and ||."""
    return cast(literal(value), Text)


def _per_version(catalog: Catalog, value: Callable[[Any], int | None], default: int | None) -> Any:
    """A CASE over the guarantee's product and version: ``value(version)`` from the catalog."""
    whens = [
        (
            and_(GUARANTEES.c.product_id == v.id, GUARANTEES.c.product_version == v.version),
            literal(number, Integer) if (number := value(v)) is not None else null(),
        )
        for v in catalog
    ]
    otherwise = literal(default, Integer) if default is not None else null()
    expression = case(*whens, else_=otherwise) if whens else otherwise
    return select(expression).where(GUARANTEES.c.id == LOANS.c.guarantee_id).scalar_subquery()

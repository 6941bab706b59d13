"""Close of business (일마감): one module per step, each set-based; ``close_of_business`` runs them all in
one transaction."""

from __future__ import annotations

from seomin.services.close_of_business.common import (
    AUDIT_EVENTS,
    COB_RUNS,
    DEFAULT_DAYS_PAST_DUE,
    GUARANTEES,
    INSTALLMENTS,
    LOANS,
    MAX_CATCH_UP_DAYS,
    OPEN_STATUSES,
    STAT_KEYS,
)
from seomin.services.close_of_business.run import (
    STEPS,
    CobOutcome,
    close_of_business,
    latest_close_of_business,
    run_close_of_business,
)

__all__ = [
    "AUDIT_EVENTS",
    "COB_RUNS",
    "DEFAULT_DAYS_PAST_DUE",
    "GUARANTEES",
    "INSTALLMENTS",
    "LOANS",
    "MAX_CATCH_UP_DAYS",
    "OPEN_STATUSES",
    "STAT_KEYS",
    "STEPS",
    "CobOutcome",
    "close_of_business",
    "latest_close_of_business",
    "run_close_of_business",
]

"""Vectorized re-amortization for the step-down (금리 인하): the rate after one more step earned, the
anniversaries in a window, and the installments from a step on, for many loans at once. Pure NumPy, no I/O;
the same numbers as ``domain.schedule.reamortize`` one loan at a time."""

from __future__ import annotations

import calendar as _stdlib_calendar
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import numpy.typing as npt

from seomin.domain.calendar import add_months
from seomin.domain.portfolio import METHOD_CODES, level_payments
from seomin.domain.schedule import MONTHS_PER_STEP, RepaymentMethod

I64 = npt.NDArray[np.int64]
_BP_PER_MONTH_DIVISOR = 120_000


def anniversary_executions(first: date, last: date, max_years: int) -> Iterator[tuple[date, int, date, date]]:
    """(executed_on, j, anniversary, previous anniversary) for every execution date whose j-th
    anniversary, 1 ≤ j ≤ ``max_years``, falls within ``first``..``last``.

    The j-th anniversary of ``e`` is ``add_months(e, 12j, e.day)``: a loan executed on 29 February has
    its anniversary on 28 February in common years. The previous anniversary of the first is ``e``.
    """
    day = first
    while day <= last:
        month_end = _stdlib_calendar.monthrange(day.year, day.month)[1]
        for years in range(1, max_years + 1):
            year = day.year - years
            length = _stdlib_calendar.monthrange(year, day.month)[1]
            days = range(day.day, length + 1) if day.day == month_end else range(day.day, day.day + 1)
            for dd in days:
                if dd > length:
                    continue
                executed = date(year, day.month, dd)
                previous = add_months(executed, MONTHS_PER_STEP * (years - 1), executed.day)
                yield executed, years, day, previous
        day += timedelta(days=1)


def stepped_rate_bp(current: I64, base: I64, step: I64, floor: I64, preferential: I64) -> I64:
    """The rate after one more step-down earned: ``RatePolicy``'s rule, one step on from ``current``.

    Before the preferential cut the rate is ``current + preferential``; it falls by ``step`` down to
    ``min(base, floor)`` at most, the cut applies again (not below 0), and the result never exceeds
    ``current``.
    """
    stepped = np.maximum(np.minimum(base, floor), current + preferential - step)
    result: I64 = np.minimum(current, np.maximum(stepped - preferential, 0))
    return result


@dataclass(frozen=True, slots=True)
class ReamortizedRows:
    """Flat rows of ``reamortize_rows``: ``loan`` indexes its inputs, ``no`` is the installment number."""

    loan: npt.NDArray[np.intp]
    no: I64
    principal: I64
    interest: I64


def reamortize_rows(
    *,
    balance: I64,
    rate_bp: I64,
    from_no: I64,
    n_total: I64,
    grace_months: I64,
    method: I64,
    level_principal: I64,
) -> ReamortizedRows:
    """Installments ``from_no .. n_total`` of each loan at ``rate_bp``, from the scheduled ``balance``.

    The same numbers as ``schedule.reamortize(schedule, from_no, rate)`` (i.e. ``schedule._build`` with
    the rate changing at ``from_no``), vectorized over loans with a loop over the remaining installments:
    interest = balance × rate / 12 truncated; interest only during grace; the last installment takes the
    remaining balance; equal installment recomputes the level payment (``portfolio.level_payments``, equal
    to ``schedule.level_payment``) at ``from_no`` (the rate changed there) and at the first repayment
    installment; equal principal keeps ``level_principal`` (amount // repayment months); bullet repays
    at the end. Every loan's rate must differ from the rate of its installment ``from_no - 1``.
    """
    k = len(balance)
    remaining = n_total - from_no + 1
    if k and (remaining < 1).any():
        raise ValueError("from_no must be within 1..n_total")
    width = int(remaining.max()) if k else 0
    principal = np.zeros((k, width), dtype=np.int64)
    interest = np.zeros((k, width), dtype=np.int64)
    first_repayment = grace_months + 1
    is_ei = method == METHOD_CODES[RepaymentMethod.EQUAL_INSTALLMENT]
    is_ep = method == METHOD_CODES[RepaymentMethod.EQUAL_PRINCIPAL]
    level = np.zeros(k, dtype=np.int64)
    bal = balance.astype(np.int64, copy=True)
    for t in range(width):
        no = from_no + t
        live = t < remaining
        owed = bal * rate_bp // _BP_PER_MONTH_DIVISOR
        repaying = live & (no >= first_repayment) & (no < n_total)
        reset = np.flatnonzero(is_ei & repaying & ((t == 0) | (no == first_repayment)))
        if reset.size:
            level[reset] = level_payments(bal[reset], rate_bp[reset], n_total[reset] - no[reset] + 1)
        paid = np.where(
            is_ei, np.minimum(level - owed, bal), np.where(is_ep, np.minimum(level_principal, bal), 0)
        )
        paid = np.where(repaying, paid, np.where(live & (no == n_total), bal, 0))
        interest[:, t] = np.where(live, owed, 0)
        principal[:, t] = paid
        bal = bal - paid
    mask = np.arange(width) < remaining[:, None]
    return ReamortizedRows(
        loan=np.repeat(np.arange(k), remaining),
        no=(from_no[:, None] + np.arange(width))[mask],
        principal=principal[mask],
        interest=interest[mask],
    )

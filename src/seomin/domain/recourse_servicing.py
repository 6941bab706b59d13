"""Servicing a recourse debt (구상채무 관리): how a repayment is split, the debtor's virtual-account
reference, and how far a debtor is behind an installment plan. Pure rules, no I/O.

**Allocation order** (충당 순서), the same for every channel (virtual-account deposit, counter, settlement
file): a repayment pays, in this order,

1. ``costs``: collection and legal costs the agency spent on the debt (법적절차비용), then
2. ``delinquency_interest``: 지연손해금 charged on it, then
3. ``interest``: ordinary interest charged on it, then
4. ``principal``: the amount the agency paid the bank (or the defaulted agency loan's balance).

Each part is paid in full before the next gets anything, so the principal falls last (민법 제479조: costs,
then interest, then principal). A repayment above what is owed is refused (the agency does not hold
overpayments on a debt), and one of 0 won or less is no repayment.

**Virtual account** (가상계좌): each debt has its own deposit reference, 14 digits, ``5617`` (the agency's
collection prefix, our assumption) + the debt id on 9 digits + a Luhn check digit, shown as
``5617-000000012-3``. A deposit naming a reference whose check digit is wrong is refused before any
lookup, so a mistyped number never pays someone else's debt.

**Plan progress** (분할상환 진행): what was paid while the plan is in force counts against its payments in
order (``monthly_amount`` each, the last one the rest of the balance). Payment k is *behind* when its date
has passed and what was paid under the plan does not cover payments 1 … k. The next payment is the first
not covered, whatever the date, so the count only advances when money comes in.
"""

from __future__ import annotations

from calendar import monthrange
from dataclasses import dataclass
from datetime import date
from typing import Any

from seomin.domain.calendar import add_months
from seomin.domain.recourse import INSTALLMENT_PLAN, plan_payment_dates

ALLOCATION_ORDER = ("costs", "delinquency_interest", "interest", "principal")
CHARGE_KINDS = ALLOCATION_ORDER[:-1]
"""What may be charged on top of the principal (the principal itself is fixed when the debt arises)."""

ACCOUNT_PREFIX = "5617"
_ID_DIGITS = 9


class RecourseRefusal(ValueError):
    """A repayment the rules refuse; ``field`` names the input at fault, ``code`` is stable."""

    def __init__(self, field: str, code: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.code = code
        self.message = message


@dataclass(frozen=True, slots=True)
class Owed:
    """What a debt owes now, by part; ``total`` is the debt's balance."""

    costs: int = 0
    delinquency_interest: int = 0
    interest: int = 0
    principal: int = 0

    @property
    def total(self) -> int:
        return self.costs + self.delinquency_interest + self.interest + self.principal


@dataclass(frozen=True, slots=True)
class Allocation:
    """How one repayment was split (the parts sum to the amount) and what is owed after it."""

    costs: int
    delinquency_interest: int
    interest: int
    principal: int
    after: Owed

    @property
    def amount(self) -> int:
        return self.costs + self.delinquency_interest + self.interest + self.principal


def allocate(owed: Owed, amount: int) -> Allocation:
    """Split ``amount`` over ``owed`` in ``ALLOCATION_ORDER``; refused when 0 or less or above the total."""
    if amount <= 0:
        raise RecourseRefusal("amount", "AMOUNT_NOT_POSITIVE", "a repayment is more than 0 won")
    if amount > owed.total:
        raise RecourseRefusal(
            "amount", "AMOUNT_ABOVE_BALANCE", f"{amount:,} won is above the {owed.total:,} won owed"
        )
    left = amount
    paid: dict[str, int] = {}
    for part in ALLOCATION_ORDER:
        take = min(left, getattr(owed, part))
        paid[part] = take
        left -= take
    after = Owed(**{part: getattr(owed, part) - paid[part] for part in ALLOCATION_ORDER})
    return Allocation(after=after, **paid)


# --- the virtual account -------------------------------------------------------------------------------


def _luhn_digit(digits: str) -> str:
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 0:  # doubled: the check digit will sit to its right
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return str((10 - total % 10) % 10)


def virtual_account(debtor_id: int) -> str:
    """The debtor's deposit reference (one per person, whatever number of debts), 14 digits (``5617`` + the
    person's id on 9 digits + a Luhn check digit)."""
    if not 1 <= debtor_id < 10**_ID_DIGITS:
        raise ValueError(f"debtor id {debtor_id} does not fit a virtual account")
    body = f"{ACCOUNT_PREFIX}{debtor_id:0{_ID_DIGITS}d}"
    return body + _luhn_digit(body)


def format_account(reference: str) -> str:
    """``56170000000123`` as ``5617-000000012-3`` for people."""
    return f"{reference[:4]}-{reference[4:-1]}-{reference[-1]}"


def debtor_of_account(text: str) -> int:
    """The debtor a reference names (hyphens and spaces ignored); refused when malformed or mistyped."""
    digits = text.replace("-", "").replace(" ", "")
    width = len(ACCOUNT_PREFIX) + _ID_DIGITS + 1
    if len(digits) != width or not digits.isascii() or not digits.isdigit():
        raise RecourseRefusal("reference", "ACCOUNT_MALFORMED", f"a virtual account is {width} digits")
    if not digits.startswith(ACCOUNT_PREFIX):
        raise RecourseRefusal("reference", "ACCOUNT_MALFORMED", f"a virtual account starts {ACCOUNT_PREFIX}")
    if _luhn_digit(digits[:-1]) != digits[-1]:
        raise RecourseRefusal("reference", "ACCOUNT_CHECK_DIGIT", "wrong check digit: a mistyped number")
    debtor_id = int(digits[len(ACCOUNT_PREFIX) : -1])
    if debtor_id == 0:
        raise RecourseRefusal("reference", "ACCOUNT_MALFORMED", "no debtor has number 0")
    return debtor_id


# --- plan progress -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PlanProgress:
    """Where a debtor stands on an installment plan on ``today``."""

    covered: int
    """Payments fully paid by what came in under the plan (0 … months)."""
    due: int
    """Payments whose date is on or before ``today``."""
    behind: int
    """Payments due and not covered."""
    arrears: int
    """Won due by today and not paid under the plan."""
    oldest_unpaid_on: date | None
    """The date of the first payment due and not covered (None when not behind)."""
    next_no: int | None
    """The first payment not covered (1-based); None once all are."""
    next_on: date | None
    next_amount: int | None

    def days_behind(self, today: date) -> int:
        return 0 if self.oldest_unpaid_on is None else (today - self.oldest_unpaid_on).days


def plan_progress(
    starts_on: date, months: int, monthly_amount: int, paid_under_plan: int, balance: int, today: date
) -> PlanProgress:
    """Progress on a plan of ``months`` payments of ``monthly_amount`` (the last: what is left of the
    ``balance`` then): payments are covered in order by ``paid_under_plan``."""
    dates = plan_payment_dates(starts_on, months)
    planned_total = paid_under_plan + balance  # what the plan had to collect, charges since included
    amounts = [monthly_amount] * (months - 1) + [planned_total - (months - 1) * monthly_amount]
    covered, cumulative = 0, 0
    for amount in amounts:
        if cumulative + amount > paid_under_plan:
            break
        cumulative += amount
        covered += 1
    due = sum(1 for on in dates if on <= today)
    behind = max(0, due - covered)
    arrears = max(0, sum(amounts[:due]) - paid_under_plan)
    if covered == months or balance == 0:
        return PlanProgress(months, due, 0, 0, None, None, None, None)
    return PlanProgress(
        covered=covered,
        due=due,
        behind=behind,
        arrears=arrears,
        oldest_unpaid_on=dates[covered] if behind else None,
        next_no=covered + 1,
        next_on=dates[covered],
        next_amount=min(balance, sum(amounts[: covered + 1]) - paid_under_plan),
    )


# --- the plan's arithmetic for a whole book (close of business) ------------------------------------------


def payments_due(starts_on: date, months: int, on: date) -> int:
    """How many of a plan's payments fall on or before ``on`` (payment k on ``starts_on`` + k months, the
    day clamped to the month's end): ``plan_payment_dates`` counted without building the dates."""
    elapsed = (on.year - starts_on.year) * 12 + (on.month - starts_on.month)
    if elapsed < 0:
        return 0
    day_this_month = min(starts_on.day, monthrange(on.year, on.month)[1])
    return min(months, elapsed + (1 if on.day >= day_this_month else 0))


def payments_covered(months: int, monthly_amount: int, paid_under_plan: int, balance: int) -> int:
    """How many payments, in order, what was paid under the plan covers (the last: the rest of the total)."""
    if balance == 0:
        return months
    if monthly_amount == 0:
        return 0
    return min(months - 1, paid_under_plan // monthly_amount)


# --- the debtor's online requests --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RequestRules:
    """``data/recourse_rules.toml``: the rules an online request is decided by, and the lapse rule."""

    plan_max_months: int
    plan_min_monthly: int
    plan_no_lapse_within_months: int
    deferral_max_months: int
    deferral_max_count: int
    hardships: tuple[str, ...]
    notice_after_days: int
    lapse_after_days: int
    max_reduction_pct: int = 70


def parse_rules(data: dict[str, Any]) -> RequestRules:
    """The rules of a parsed TOML document; a missing or impossible figure is a ``ValueError`` naming it."""

    def whole(section: str, key: str, minimum: int = 0) -> int:
        value = data.get(section, {}).get(key)
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            raise ValueError(f"recourse_rules.{section}.{key}: a whole number ≥ {minimum}, not {value!r}")
        return value

    hardships = data.get("deferral", {}).get("hardships")
    if not isinstance(hardships, list) or not hardships or not all(h in HARDSHIPS for h in hardships):
        raise ValueError(f"recourse_rules.deferral.hardships: a non-empty list of {', '.join(HARDSHIPS)}")
    rules = RequestRules(
        plan_max_months=whole("installment_plan", "max_months_online", 1),
        plan_min_monthly=whole("installment_plan", "min_monthly_amount", 1),
        plan_no_lapse_within_months=whole("installment_plan", "no_lapse_within_months"),
        deferral_max_months=whole("deferral", "max_months_online", 1),
        deferral_max_count=whole("deferral", "max_deferrals", 1),
        hardships=tuple(hardships),
        notice_after_days=whole("lapse", "notice_after_days", 1),
        lapse_after_days=whole("lapse", "lapse_after_days", 1),
        max_reduction_pct=whole("settlement", "max_reduction_pct", 1),
    )
    if rules.max_reduction_pct > 100:
        raise ValueError("recourse_rules.settlement.max_reduction_pct: at most 100")
    if rules.lapse_after_days <= rules.notice_after_days:
        raise ValueError("recourse_rules.lapse.lapse_after_days: must be after notice_after_days")
    return rules


HARDSHIPS = ("unemployment", "illness", "disaster", "income_drop")
"""Hardships a deferral may be asked for (실직, 질병, 재난, 소득 감소)."""

REQUEST_REASONS: dict[str, tuple[str, str]] = {
    "RECOURSE_REQUEST_GRANTED": (
        "기준을 충족해 바로 승인되었습니다.",
        "It meets the rules and is granted at once.",
    ),
    "RECOURSE_PLAN_TOO_LONG_ONLINE": (
        "온라인으로는 {limit}개월까지 신청할 수 있습니다. 더 긴 분할상환은 1397 상담으로 신청하세요.",
        "Online, plans go up to {limit} months. For a longer plan, call 1397.",
    ),
    "RECOURSE_MONTHLY_TOO_SMALL": (
        "매달 낼 금액이 {amount}원으로 최소 {limit}원보다 적습니다. 기간을 줄여 다시 신청하세요.",
        "The monthly payment would be {amount} won, below the {limit} won minimum. Ask for fewer months.",
    ),
    "RECOURSE_RECENT_LAPSE": (
        "최근 {limit}개월 안에 분할상환이 해지되어 온라인으로는 신청할 수 없습니다. 1397로 상담하세요.",
        "A plan lapsed within the last {limit} months, so it cannot be granted online. Call 1397.",
    ),
    "RECOURSE_DEFERRAL_TOO_LONG_ONLINE": (
        "온라인으로는 상환유예를 {limit}개월까지 신청할 수 있습니다.",
        "Online, deferrals go up to {limit} months.",
    ),
    "RECOURSE_DEFERRALS_USED_UP": (
        "상환유예는 {limit}번까지 받을 수 있고 이미 모두 받았습니다. 1397로 상담하세요.",
        "Deferrals are limited to {limit} and all have been used. Call 1397.",
    ),
    "RECOURSE_HARDSHIP_NOT_ACCEPTED": (
        "상환유예는 실직, 질병, 재난, 소득 감소 때 신청할 수 있습니다.",
        "A deferral is for unemployment, illness, a disaster or a drop in income.",
    ),
    "RECOURSE_PLAN_LAPSED": (
        "분할상환 납부가 {days}일 밀려 분할상환이 해지되었습니다.",
        "The installment plan lapsed: payments were {days} days behind.",
    ),
}
"""Stable reason codes of online requests and lapses, Korean first; ``{…}`` are the decision's figures."""


@dataclass(frozen=True, slots=True)
class RequestReason:
    code: str
    message_ko: str
    message_en: str


def request_reason(code: str, **figures: object) -> RequestReason:
    ko, en = REQUEST_REASONS[code]
    shown = {k: f"{v:,}" if isinstance(v, int) else v for k, v in figures.items()}
    return RequestReason(code, ko.format(**shown), en.format(**shown))


@dataclass(frozen=True, slots=True)
class RequestFacts:
    """What the rules look at: the debt's balance, deferrals granted so far, the last lapse."""

    balance: int
    deferrals_granted: int
    last_lapsed_on: date | None


def decide_request(
    rules: RequestRules, kind: str, months: int, hardship: str, facts: RequestFacts, today: date
) -> list[RequestReason]:
    """The reasons an online request is refused; none: it is granted. Every rule is checked, so the
    debtor learns every reason at once."""
    refused: list[RequestReason] = []
    if kind == INSTALLMENT_PLAN:
        if months > rules.plan_max_months:
            refused.append(request_reason("RECOURSE_PLAN_TOO_LONG_ONLINE", limit=rules.plan_max_months))
        monthly = facts.balance // months
        if monthly < rules.plan_min_monthly:
            refused.append(
                request_reason("RECOURSE_MONTHLY_TOO_SMALL", amount=monthly, limit=rules.plan_min_monthly)
            )
        if facts.last_lapsed_on is not None and today < add_months(
            facts.last_lapsed_on, rules.plan_no_lapse_within_months, facts.last_lapsed_on.day
        ):
            refused.append(request_reason("RECOURSE_RECENT_LAPSE", limit=rules.plan_no_lapse_within_months))
        return refused
    if hardship not in rules.hardships:
        refused.append(request_reason("RECOURSE_HARDSHIP_NOT_ACCEPTED"))
    if months > rules.deferral_max_months:
        refused.append(request_reason("RECOURSE_DEFERRAL_TOO_LONG_ONLINE", limit=rules.deferral_max_months))
    if facts.deferrals_granted >= rules.deferral_max_count:
        refused.append(request_reason("RECOURSE_DEFERRALS_USED_UP", limit=rules.deferral_max_count))
    return refused


def max_reduction(balance: int, pct: int) -> int:
    """The largest reduction a settlement may grant: ``pct``% of the balance, truncated to the won."""
    return balance * pct // 100

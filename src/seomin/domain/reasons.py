"""Reason codes (사유 코드) of eligibility decisions: stable codes, Korean and English messages with figures.

A code never changes meaning once published; messages may be reworded. Each template names the rule and
the figures that decided it; the remedy says what would change the outcome.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Final


class Outcome(StrEnum):
    PASS = "pass"  # the rule is met
    FAIL = "fail"  # the rule is not met: not eligible
    CONFIRM = "confirm"  # cannot be judged from what we were told: to be confirmed before a decision
    NOTE = "note"  # met, with something the applicant should know


FigureValue = int | str | date | None


@dataclass(frozen=True, slots=True)
class Template:
    ko: str
    en: str
    remedy_ko: str = ""
    remedy_en: str = ""


TEMPLATES: Final[dict[str, Template]] = {
    "ELIGIBLE": Template(
        "{product_ko}: 신청 가능합니다. 지금 최대 {max_amount:,}원, 연 {rate}%.",
        "{product_en}: eligible. Up to {max_amount:,} won now at {rate}% a year.",
    ),
    "HAESSAL15_NOT_REJECTED": Template(
        "햇살론15 보증 거절 이력이 필요합니다 (현재: {haessal15_ko}).",
        "Requires a rejected 햇살론15 guarantee application (now: {haessal15}).",
        "먼저 햇살론15를 신청해 보세요. 보증이 거절되면 이 상품을 신청할 수 있습니다.",
        "Apply for 햇살론15 first; if its guarantee is refused, you can apply for this product.",
    ),
    "CREDIT_SCORE_ABOVE_CUTOFF": Template(
        "신용평점이 기준({label_ko})보다 높습니다: {scores_ko}.",
        "Credit score above the cutoff ({label_en}): {scores_en}.",
        "KCB {kcb_max}점 이하 또는 NICE {nice_max}점 이하 중 하나만 충족하면 됩니다 ({as_of} 기준, 매년 변경).",
        "Either KCB ≤ {kcb_max} or NICE ≤ {nice_max} suffices (cutoffs as of {as_of}; they change yearly).",
    ),
    "CREDIT_SCORE_UNKNOWN": Template(
        "신용평점을 알 수 없어 기준(KCB {kcb_max}점 이하 또는 NICE {nice_max}점 이하)을 확인해야 합니다.",
        "Credit score unknown: KCB ≤ {kcb_max} or NICE ≤ {nice_max} must be confirmed.",
        "신용평점은 신청 시 동의를 받아 조회합니다. 무료 신용조회 앱에서 미리 확인할 수 있습니다.",
        "Your score is checked with your consent when you apply; free credit apps show it beforehand.",
    ),
    "INCOME_ABOVE_CAP": Template(
        "연소득 {income:,}원이 기준 {cap:,}원을 넘습니다.",
        "Annual income {income:,} won exceeds the cap of {cap:,} won.",
        "연소득이 {cap:,}원 이하일 때 신청할 수 있습니다.{raised_ko}",
        "Eligible with an annual income of at most {cap:,} won.{raised_en}",
    ),
    "AGE_OUT_OF_RANGE": Template(
        "만 나이 {age}세는 대상 연령({min_age}~{max_age_ko})이 아닙니다.",
        "Age {age} is outside the eligible range ({min_age}–{max_age_en}).",
    ),
    "OCCUPATION_NOT_ELIGIBLE": Template(
        "직업 구분 '{occupation}'은(는) 이 상품의 대상이 아닙니다 (대상: {allowed}).",
        "Occupation '{occupation}' is not covered by this product (covered: {allowed}).",
    ),
    "TENURE_TOO_SHORT": Template(
        "재직·사업 {employed_months}개월, 연금 수령 {pension_payments}회: "
        "{min_employed_months}개월 이상 재직·사업 또는 연금 {min_pension_payments}회 이상 수령이 필요합니다.",
        "{employed_months} months of work and {pension_payments} pension payments: needs "
        "{min_employed_months}+ months of work or business, or {min_pension_payments}+ pension payment.",
        "{when_ko}",
        "{when_en}",
    ),
    "TENURE_TOO_LONG": Template(
        "재직·사업 {employed_months}개월: 이 상품은 {max_employed_months}개월 미만인 분이 대상입니다.",
        "{employed_months} months of work: this product is for those with less than "
        "{max_employed_months} months.",
    ),
    "PUBLIC_RECORD": Template(
        "공공정보(세금 체납 등) 보유자는 신청할 수 없습니다.",
        "Applicants with public records (e.g. tax arrears) are excluded.",
        "개인워크아웃·개인회생·새출발기금 채무조정 중 {min_faithful_months}회 이상 성실상환하면 예외로 신청할 수 있습니다.",
        "An exception applies after {min_faithful_months}+ faithful payments in a CCRS workout, court "
        "rehabilitation or New Start Fund adjustment.",
    ),
    "DEBT_ADJUSTMENT_TOO_SHORT": Template(
        "채무조정({kind_ko}) 성실상환 {faithful_months}회: {min_faithful_months}회 이상이 필요합니다 (유예 기간 제외).",
        "{faithful_months} faithful payments in {kind_en}: needs {min_faithful_months}+ "
        "(deferral months do not count).",
        "{missing}회 더 연체 없이 상환하면 신청할 수 있습니다.",
        "Eligible after {missing} more payments without arrears.",
    ),
    "DEBT_ADJUSTMENT_EXCLUDED": Template(
        "{kind_ko} 진행 중에는 이 상품을 이용할 수 없습니다.",
        "Not available while in {kind_en}.",
    ),
    "DOCUMENT_EXPIRED": Template(
        "서류 '{document_ko}' 발급일 {issued_on:%Y.%m.%d}: 신청일 기준 {validity_months}개월 이내"
        "({valid_from:%Y.%m.%d} 이후) 발급분만 인정됩니다.",
        "Document '{document}' issued {issued_on:%Y-%m-%d}: only documents issued within "
        "{validity_months} month(s) before the application (on or after {valid_from:%Y-%m-%d}) count.",
        "{valid_from:%Y.%m.%d} 이후 새로 발급받은 원본을 제출하세요.",
        "Submit an original issued on or after {valid_from:%Y-%m-%d}.",
    ),
    "DOCUMENT_DATE_INVALID": Template(
        "서류 '{document_ko}' 발급일 {issued_on:%Y.%m.%d}이 신청일 {as_of:%Y.%m.%d}보다 늦습니다.",
        "Document '{document}' is dated {issued_on:%Y-%m-%d}, after the application date {as_of:%Y-%m-%d}.",
    ),
    "DOCUMENT_MISSING": Template(
        "{purpose_ko} 증빙 서류가 없습니다 (다음 중 1개: {types_ko}).",
        "No {purpose_en} proof (one of: {types}).",
        "다음 서류 중 하나를 발급받아 제출하세요: {types_ko}.",
        "Obtain and submit one of: {types}.",
    ),
    "LIMIT_EXHAUSTED": Template(
        "1인 한도 {total:,}원 중 {used:,}원을 이미 이용 중이라 남은 한도가 없습니다.",
        "The per-person limit of {total:,} won is used up ({used:,} won in use).",
        "기존 대출을 상환하면 한도가 다시 생깁니다.",
        "Repaying the open loan frees the limit again.",
    ),
    "AMOUNT_ABOVE_DRAW_CAP": Template(
        "{purpose_ko}은 한 번에 {max_amount:,}원까지 빌릴 수 있어 신청 금액 {requested:,}원을 넘습니다.",
        "A {purpose_en} loan is at most {max_amount:,} won a draw; {requested:,} won was requested.",
        "{max_amount:,}원 이하로 신청하거나, 용도가 특정용도자금이면 그 용도로 신청하세요.",
        "Apply for at most {max_amount:,} won, or for the specific purpose if that is what it is for.",
    ),
    "AMOUNT_ABOVE_LIMIT": Template(
        "신청 금액 {requested:,}원이 지금 가능한 최대 {max_amount:,}원을 넘습니다.",
        "Requested {requested:,} won exceeds the {max_amount:,} won available now.",
        "{max_amount:,}원 이하로 신청하세요.",
        "Apply for at most {max_amount:,} won.",
    ),
    "ADDITIONAL_LOAN_TOO_EARLY": Template(
        "추가대출은 최초 대출({executed_on:%Y.%m.%d}) 후 {min_months}개월 이상 연체 없이 이용해야 합니다.",
        "An additional loan needs {min_months}+ months of on-time use after the first loan "
        "({executed_on:%Y-%m-%d}).",
        "{opens_on:%Y.%m.%d}부터 추가대출을 신청할 수 있습니다.",
        "You can apply for the additional loan from {opens_on:%Y-%m-%d}.",
    ),
    "ADDITIONAL_LOAN_ALREADY_USED": Template(
        "추가대출은 {max_times}회까지이며 이미 이용했습니다.",
        "The additional loan is allowed {max_times} time(s) and has been used.",
        "기존 대출을 모두 상환하면 다시 처음부터 이용할 수 있습니다.",
        "After full repayment you can use the product again from the start.",
    ),
    "ADDITIONAL_LOAN_OTHER_BANK": Template(
        "미완제 대출이 있으면 추가대출은 그 대출을 실행한 {bank_ko}에서만 가능합니다 (요청: {requested_ko}).",
        "While a loan is open, an additional loan is only at the bank that made it, {bank} "
        "(requested: {requested}).",
        "{bank_ko}에 추가대출을 신청하세요.",
        "Apply for the additional loan at {bank}.",
    ),
    "ADDITIONAL_LOAN_NOT_OFFERED": Template(
        "이 상품은 이용 중에 추가대출을 하지 않습니다.",
        "This product offers no additional loan while one is open.",
        "기존 대출을 모두 상환한 뒤 다시 신청하세요.",
        "Apply again after full repayment.",
    ),
    "REPEAT_USE_NOT_ALLOWED": Template(
        "이 상품은 상환 완료 후 재이용할 수 없습니다.",
        "This product cannot be used again after full repayment.",
    ),
    "TOO_MANY_ACCOUNTS": Template(
        "대출 계좌는 최대 {max_open}개까지 보유할 수 있습니다 (현재 {open_count}개).",
        "At most {max_open} open loan account(s) are allowed ({open_count} open).",
        "기존 대출 하나를 상환하면 신청할 수 있습니다.",
        "Repay one of the open loans to apply.",
    ),
    "DELINQUENT": Template(
        "이용 중인 대출 {count}건이 연체 중입니다.",
        "{count} open loan(s) are in arrears.",
        "연체를 해소하면 다시 심사받을 수 있습니다. 어려우면 1397로 상담하세요.",
        "Clear the arrears to be reviewed again; call 1397 for help.",
    ),
    "NO_BANK_IN_REGION": Template(
        "{bank_ko}은(는) 주소지 {region}에서 대출하지 않습니다. {region}에서 가능한 곳: {available_ko}.",
        "{bank_en} does not lend to residents of {region}. Available there: {available_en}.",
        "주민등록상 주소지에서 대출하는 금융회사를 선택하세요: {available_ko}.",
        "Choose a lender that serves your registered address: {available_en}.",
    ),
    "BANK_NOT_PARTNER": Template(
        "{bank_ko}은(는) 이 상품의 협약 금융회사가 아닙니다.",
        "{bank_en} is not a partner lender of this product.",
        "협약 금융회사 중에서 선택하세요: {available_ko}.",
        "Choose one of the partner lenders: {available_en}.",
    ),
    "AGENCY_LOAN_NO_BANK": Template(
        "이 상품은 서민금융진흥원이 직접 빌려주므로 금융회사({bank_ko})를 고르지 않습니다.",
        "The agency lends this product itself; no bank ({bank_en}) is chosen.",
        "금융회사 선택 없이 신청하세요. 문의: {call_center}.",
        "Apply without choosing a bank. Questions: {call_center}.",
    ),
    "NO_LENDER_ON_FILE": Template(
        "이 상품의 협약 금융회사가 아직 확인되지 않아 보증서를 발급할 수 없습니다.",
        "This product's partner lenders are not on file yet, so no guarantee certificate can be issued.",
        "취급 금융회사는 {call_center}(서민금융콜센터)에 문의하세요.",
        "Call {call_center} (the agency's call centre) to learn which lenders offer it.",
    ),
    "LENDERS_TO_CONFIRM": Template(
        "이 상품의 협약 금융회사는 확인되지 않았습니다. 신청 전 {call_center}에 문의하세요.",
        "This product's partner lenders are not on file; call {call_center} before applying.",
    ),
    "BANK_REGION_UNCONFIRMED": Template(
        "{banks_ko}의 대출 가능 지역은 공개되지 않았습니다. 해당 금융회사에 확인하세요.",
        "The lending regions of {banks_en} are not published; confirm with the lender.",
    ),
}


@dataclass(frozen=True, slots=True)
class Reason:
    """One rule's verdict: a stable code, the rule's catalog path, the deciding figures and messages."""

    code: str
    outcome: Outcome
    rule: str
    figures: Mapping[str, FigureValue] = field(default_factory=dict)
    message_ko: str = ""
    message_en: str = ""
    remedy_ko: str = ""
    remedy_en: str = ""


def make_reason(
    code: str,
    outcome: Outcome,
    rule: str,
    figures: Mapping[str, FigureValue],
    labels: Mapping[str, str] | None = None,
) -> Reason:
    """Render reason ``code`` from the deciding ``figures`` and display-only ``labels`` (names, lists).

    Only ``figures`` are kept on the reason: they are what a reviewer or a batch comparison checks.
    A figure or label missing from a template is a programming error and raises KeyError.
    """
    template = TEMPLATES[code]
    values = {**figures, **(labels or {})}
    return Reason(
        code=code,
        outcome=outcome,
        rule=rule,
        figures=dict(figures),
        message_ko=template.ko.format_map(values),
        message_en=template.en.format_map(values),
        remedy_ko=template.remedy_ko.format_map(values),
        remedy_en=template.remedy_en.format_map(values),
    )

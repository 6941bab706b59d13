"""One bilingual vocabulary (용어): the Korean and English words for the codes people read on every screen.

Occupations, 햇살론15 history, debt adjustments, preferential programmes, the statuses of every lifecycle
entity, staff roles, audit actions and short labels of the engine's reason codes: one table each, used by
the application pages, the staff console, the bank desk and my page. A code not in a table is a gap to fill
here, never a reason to show the code itself: ``label`` falls back to a neutral word, not to the code.

(The self-check asks the same facts as first-person answers — "직장에 다녀요" — on purpose: those answer
texts live with its form, ``adapters/web/selfcheck.py``.)
"""

from __future__ import annotations

from collections.abc import Mapping

Words = tuple[str, str]
"""(Korean, English)."""

OCCUPATIONS: dict[str, Words] = {
    "employee": ("근로자 (직장인)", "Employee"),
    "business": ("사업자", "Business owner"),
    "freelancer": ("프리랜서 (특수고용·보험설계사 등)", "Freelancer"),
    "pensioner": ("연금 수령자", "Pensioner"),
    "unemployed": ("무직", "Not working"),
}

HAESSAL15_HISTORY: dict[str, Words] = {
    "rejected": ("신청했으나 보증이 거절됨", "Applied and was refused"),
    "none": ("이용한 적 없음", "Never used"),
    "using": ("이용 중", "Using it now"),
    "repaid": ("이용 후 모두 갚음", "Used and repaid"),
}

DEBT_ADJUSTMENTS: dict[str, Words] = {
    "": ("해당 없음", "None"),
    "workout": ("신용회복위원회 채무조정 (워크아웃)", "Credit counseling workout"),
    "rehabilitation": ("법원 개인회생", "Court rehabilitation"),
    "new_start_fund": ("새출발기금", "New Start Fund"),
}

PREFERENTIAL: dict[str, Words] = {
    "consulting": ("신용부채컨설팅 이수", "Completed credit and debt consulting"),
    "employment-support": ("국민취업지원제도 성공", "Succeeded in the national employment support programme"),
}

STATUSES: dict[str, Words] = {
    # applications
    "submitted": ("접수", "Submitted"),
    "screening": ("자동심사", "Screening"),
    "in_review": ("심사 중", "In review"),
    "pending_second_review": ("2차 심사 대기", "Second review"),
    "approved": ("승인", "Approved"),
    "rejected": ("거절", "Rejected"),
    "withdrawn": ("철회", "Withdrawn"),
    "guaranteed": ("보증서 발급", "Guaranteed"),
    "disbursed": ("진흥원 직접대출 지급", "Lent by the agency"),
    # guarantees
    "issued": ("발급", "Issued"),
    "executed": ("대출 실행", "Loan executed"),
    "expired": ("만료", "Expired"),
    "claimed": ("대위변제 청구", "Claimed"),
    "cancelled": ("취소", "Cancelled"),
    # loans
    "active": ("정상", "Active"),
    "delinquent": ("연체", "Delinquent"),
    "defaulted": ("부실", "Defaulted"),
    "repaid": ("완제", "Repaid"),
    "subrogated": ("대위변제", "Subrogated"),
    # screening
    "eligible": ("대상", "Eligible"),
    "ineligible": ("비대상", "Not eligible"),
    "needs_confirmation": ("확인 필요", "To confirm"),
    # bookings
    "booked": ("예약됨", "Booked"),
    "done": ("완료", "Done"),
    # recourse debts and claims
    "open": ("상환 방법 미정", "No plan yet"),
    "installment_plan": ("분할상환 중", "On a plan"),
    "deferred": ("상환유예 중", "Deferred"),
    "filed": ("청구", "Filed"),
    "paid": ("지급 완료", "Paid"),
    # consulting programmes
    "enrolled": ("진행 중", "Under way"),
    "completed": ("이수", "Completed"),
}

STAFF_ROLES: dict[str, Words] = {
    "counselor": ("상담사", "Counselor"),
    "reviewer": ("심사자", "Reviewer"),
    "supervisor": ("관리자", "Supervisor"),
    "auditor": ("감사인", "Auditor"),
}

AUDIT_ACTIONS: dict[str, Words] = {
    "application.submitted": ("신청 접수", "Application submitted"),
    "application.approval_proposed": ("승인 제안 (2차 심사 대기)", "Approval proposed (second review)"),
    "application.approved": ("승인", "Approved"),
    "application.rejected": ("거절", "Rejected"),
    "application.agreed": ("보증 약정", "Guarantee agreed"),
    "application.withdrawn": ("철회", "Withdrawn"),
    "counseling_note.added": ("상담 기록 작성", "Counseling note added"),
    "consulting.enrolled": ("컨설팅 등록", "Enrolled in consulting"),
    "consulting.session_recorded": ("컨설팅 회차 기록", "Consulting session recorded"),
    "matching.matched": ("맞춤대출 비교", "Loan matching"),
    "matching.outcomes_refreshed": ("맞춤대출 통계 갱신", "Matching statistics rebuilt"),
    "matching.graduation_notified": ("제도권 연계 안내", "Graduation notice"),
    "application.pre_counseling_linked": ("신청 전 상담 연결", "Pre-application counseling linked"),
}

REASONS: dict[str, Words] = {
    "ELIGIBLE": ("신청 가능", "Eligible"),
    "HAESSAL15_NOT_REJECTED": ("햇살론15 거절 이력 없음", "No rejected 햇살론15 application"),
    "CREDIT_SCORE_ABOVE_CUTOFF": ("신용평점 기준 초과", "Credit score above the cutoff"),
    "CREDIT_SCORE_UNKNOWN": ("신용평점 확인 필요", "Credit score unknown"),
    "INCOME_ABOVE_CAP": ("연소득 기준 초과", "Income above the cap"),
    "AGE_OUT_OF_RANGE": ("연령 기준 미충족", "Age outside the range"),
    "OCCUPATION_NOT_ELIGIBLE": ("대상 직업 아님", "Occupation not covered"),
    "TENURE_TOO_SHORT": ("재직·사업 기간 부족", "Too short in work or business"),
    "TENURE_TOO_LONG": ("재직·사업 기간 초과", "Too long in work or business"),
    "PUBLIC_RECORD": ("공공정보 보유", "Public record"),
    "DEBT_ADJUSTMENT_TOO_SHORT": ("채무조정 성실상환 부족", "Too few faithful debt-adjustment payments"),
    "DEBT_ADJUSTMENT_EXCLUDED": ("채무조정 중 이용 불가", "Excluded during debt adjustment"),
    "DOCUMENT_EXPIRED": ("서류 유효기간 경과", "Document out of date"),
    "DOCUMENT_DATE_INVALID": ("서류 발급일 오류", "Document date invalid"),
    "DOCUMENT_MISSING": ("증빙 서류 없음", "Proof document missing"),
    "LIMIT_EXHAUSTED": ("한도 소진", "Limit used up"),
    "AMOUNT_ABOVE_LIMIT": ("신청 금액 한도 초과", "Amount above the limit"),
    "AMOUNT_ABOVE_DRAW_CAP": ("1회 대출 한도 초과", "Amount above the per-draw cap"),
    "ADDITIONAL_LOAN_TOO_EARLY": ("추가대출 시기 전", "Additional loan too early"),
    "ADDITIONAL_LOAN_ALREADY_USED": ("추가대출 이용 완료", "Additional loan already used"),
    "ADDITIONAL_LOAN_OTHER_BANK": ("추가대출 금융회사 다름", "Additional loan at another bank"),
    "ADDITIONAL_LOAN_NOT_OFFERED": ("추가대출 없는 상품", "No additional loan"),
    "REPEAT_USE_NOT_ALLOWED": ("재이용 불가", "No repeat use"),
    "TOO_MANY_ACCOUNTS": ("대출 계좌 수 초과", "Too many open loans"),
    "DELINQUENT": ("연체 중", "In arrears"),
    "NO_BANK_IN_REGION": ("주소지 취급 금융회사 아님", "Bank does not lend in the region"),
    "BANK_NOT_PARTNER": ("협약 금융회사 아님", "Not a partner bank"),
    "BANK_REGION_UNCONFIRMED": ("대출 지역 확인 필요", "Lending region to confirm"),
    "AGENCY_LOAN_NO_BANK": ("직접대출: 금융회사 선택 없음", "Agency loan: no bank"),
    "NO_LENDER_ON_FILE": ("협약 금융회사 미확인: 발급 불가", "No lender on file: not issued"),
    "LENDERS_TO_CONFIRM": ("협약 금융회사 확인 필요", "Lenders to confirm"),
}
"""Short labels of the engine's reason codes (``domain.reasons.TEMPLATES``), for lists and checkboxes."""

UNKNOWN: Words = ("기타", "Other")


def label(table: Mapping[str, Words], code: str) -> Words:
    """The words for ``code`` in ``table``; a neutral word, never the code, where the table has none."""
    return table.get(code, UNKNOWN)


FIELD_LABELS: dict[str, tuple[str, str]] = {
    "amount": ("금액", "Amount"),
    "requested_amount": ("받고 싶은 금액", "Amount wanted"),
    "annual_income": ("연소득", "Annual income"),
    "birth_date": ("생년월일", "Date of birth"),
    "kcb_score": ("KCB 신용평점", "KCB score"),
    "nice_score": ("NICE 신용평점", "NICE score"),
    "occupation": ("직업", "Occupation"),
    "employed_months": ("일한 기간", "Months in work"),
    "pension_payments": ("연금 받은 횟수", "Pension payments"),
    "haessal15": ("햇살론15 이용", "햇살론15 history"),
    "public_record": ("공공정보", "Public record"),
    "debt_kind": ("채무조정", "Debt adjustment"),
    "faithful_months": ("채무조정 성실상환", "Faithful payments"),
    "region": ("사는 곳", "Region"),
    "product": ("상품", "Product"),
    "term_months": ("상환 기간", "Term"),
    "grace_months": ("거치 기간", "Grace"),
    "start": ("시작일", "Start"),
    "name": ("이름", "Name"),
    "rrn": ("주민등록번호", "Resident number"),
    "phone": ("휴대폰 번호", "Mobile number"),
    "consent": ("동의", "Consent"),
    "code": ("인증번호", "Code"),
    "username": ("아이디", "Username"),
    "password": ("비밀번호", "Password"),
    "new_password": ("새 비밀번호", "New password"),
    "new_password_confirm": ("새 비밀번호 확인", "New password again"),
    "display_name": ("이름", "Name"),
    "role": ("역할", "Role"),
    "paid_on": ("입금일", "Paid on"),
    "phone_last4": ("전화번호 끝 4자리", "Last 4 digits"),
    "certificate_no": ("보증서 번호", "Certificate number"),
    "verification_code": ("확인 코드", "Verification code"),
}
"""Short names of form fields, so an error summary says which field each message is about."""

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
    "declined": ("은행 대출 거절", "Declined by the bank"),
    "claimed": ("대위변제 청구", "Claimed"),
    "cancelled": ("취소", "Cancelled"),
    # loans
    "active": ("정상", "Active"),
    "delinquent": ("연체", "Delinquent"),
    "defaulted": ("부실", "Defaulted"),
    "repaid": ("완제", "Repaid"),
    "subrogated": ("대위변제", "Subrogated"),
    "written_off": ("상각", "Written off"),
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
    # dormant deposits and guarantee-fee refunds (issue 13)
    "held": ("찾아가실 수 있음", "Yours to claim"),
    "donated": ("기부 완료", "Donated"),
    "awaiting_approval": ("추가 확인 후 지급", "Paid after a second check"),
    "center": ("센터 방문 필요", "Visit a center"),
    "unpaid": ("환급 대기", "Waiting for your account"),
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
    "account": ("계좌번호", "Account number"),
    "account_holder_name": ("예금주", "Account holder"),
    "reason": ("조회 사유", "Reason"),
}
"""Short names of form fields, so an error summary says which field each message is about."""


FIGURE_NAMES: dict[str, Words] = {
    "*": ("그 밖의 조건", "Other terms"),
    "additional_loan": ("추가대출 조건", "Additional-loan rules"),
    "documents": ("제출 서류", "Documents to give"),
    "effective_from": ("판매 시작일", "First day offered"),
    "effective_to": ("판매 종료일", "Last day offered"),
    "eligibility": ("신청 자격", "Eligibility"),
    "eligibility.age.min_age": ("신청할 수 있는 나이", "Minimum age"),
    "eligibility.credit": ("신용점수 기준", "Credit-score cut-off"),
    "eligibility.debt_adjustment_exception": ("채무조정 중인 분의 예외", "Debt-adjustment exception"),
    "eligibility.income.raised_cap_credit": ("소득 기준이 높아지는 신용점수", "Score raising the income cap"),
    "eligibility.max_employed_months": ("재직 기간 상한", "Longest time in work"),
    "eligibility.min_employed_months": ("최소 재직 기간", "Shortest time in work"),
    "eligibility.min_pension_payments": ("최소 연금 수령 횟수", "Fewest pension payments"),
    "eligibility.occupations": ("신청할 수 있는 직업", "Occupations that may apply"),
    "eligibility.public_record_excluded": ("공공정보(세금 체납 등) 제외", "Public-record exclusion"),
    "guarantee": ("보증 조건", "Guarantee terms"),
    "guarantee.annual_fee_pct": ("보증료율", "Guarantee fee rate"),
    "guarantee.default_days_past_due": ("부실로 보는 연체 일수", "Days late counted as default"),
    "guarantee.ratio_pct": ("보증 비율", "Share guaranteed"),
    "limits": ("한도", "Limits"),
    "limits.basis": ("한도 계산 방법", "How the limit is counted"),
    "limits.first_time": ("처음 이용할 때 한도", "First-loan limit"),
    "limits.max_open_accounts": ("동시에 쓸 수 있는 대출 수", "Loans open at once"),
    "limits.shared_with": ("다른 상품과 합쳐 보는 한도", "Limit shared with other products"),
    "limits.total_per_person": ("1인 총한도", "Limit per person"),
    "offline": ("방문·전화 신청", "Applying in person or by phone"),
    "offline.centers": ("상담 센터", "Counseling centers"),
    "offline.education_mandatory": ("금융교육 필수 여부", "Whether the education is required"),
    "partner_banks": ("대출해 주는 금융회사와 지역", "Lenders and their regions"),
    "rate": ("금리", "Rate"),
    "rate.annual": ("금리", "Rate"),
    "rate.floor": ("금리 인하의 최저선", "Lowest rate after cuts"),
    "rate.max_preferential_cut": ("우대금리 한도", "Most the preferential cuts can take off"),
    "rate.step_down_by_term": ("성실상환 금리 인하 주기와 폭", "When and how much the on-time rate falls"),
    "rate.vulnerable_floor": ("배려 대상자 금리의 최저선", "Lowest rate for vulnerable applicants"),
    "review": ("심사 기준", "Review rules"),
    "review.second_review_above": ("2차 심사를 받는 금액", "Amount that takes a second reviewer"),
    "terms": ("대출 기간", "Loan terms"),
    "terms.grace_months": ("거치 기간", "Grace periods"),
    "terms.methods": ("상환 방법", "Repayment methods"),
    "terms.repayment_months": ("상환 기간", "Repayment terms"),
}
"""A catalog figure's name for applicants (the 확인 필요 list): never its path or our working notes."""


def figure_name(path: str) -> Words:
    """The plain name of a catalog figure, by its path or, failing that, the nearest section above it."""
    while path:
        if path in FIGURE_NAMES:
            return FIGURE_NAMES[path]
        path = path.rpartition(".")[0]
    return FIGURE_NAMES["*"]

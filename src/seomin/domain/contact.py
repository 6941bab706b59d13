"""The 1397 chat's topics and outcomes, with their Korean and English words (stable codes)."""

from __future__ import annotations

from seomin.domain.vocabulary import Words

CHAT_TOPICS: dict[str, Words] = {
    "products": ("상품 안내", "Products"),
    "application": ("신청·심사", "Applying and review"),
    "repayment": ("상환·연체", "Repayment and arrears"),
    "recourse": ("구상채무", "Recourse debt"),
    "fraud": ("사칭·불법사금융", "Impersonation and illegal lending"),
    "other": ("기타", "Other"),
}

CHAT_OUTCOMES: dict[str, Words] = {
    "answered": ("안내 완료", "Answered"),
    "application_help": ("신청 지원", "Helped with an application"),
    "callback_booked": ("전화 상담 예약", "Callback booked"),
    "center_referral": ("센터 방문 안내", "Referred to a center"),
    "partner_referral": ("유관기관 연계", "Referred to a partner"),
    "fraud_report": ("사칭 신고 접수", "Fraud report taken"),
    "no_response": ("고객 응답 없음", "No response"),
}

CHAT_STATUSES: dict[str, Words] = {
    "queued": ("대기 중", "Waiting"),
    "active": ("상담 중", "In progress"),
    "closed": ("종료", "Closed"),
}

TIMELINE_KINDS: dict[str, Words] = {
    "application": ("보증 신청", "Application"),
    "certificate": ("보증서", "Certificate"),
    "loan": ("대출", "Loan"),
    "agency_loan": ("직접대출", "Agency loan"),
    "recourse": ("구상채무", "Recourse debt"),
    "plan": ("분할상환·상환유예", "Installment plan or deferral"),
    "booking": ("상담 예약", "Booking"),
    "education": ("금융교육", "Education"),
    "chat": ("1397 채팅", "1397 chat"),
    "note": ("상담 메모", "Note"),
    "application_note": ("신청 상담 기록", "Application note"),
}

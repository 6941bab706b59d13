"""The application lifecycle, applicant and agency side, end to end through the services on the real
databases (SQLite and PostgreSQL): apply with documents, screening, education, review with maker-checker,
agreement and the guarantee certificate; audit, illegal transitions, the limit race, data at rest."""

from __future__ import annotations

import json
import threading
from datetime import date
from typing import Any

import pytest
from sqlalchemy import func, select, text

from builders import make_applicant, make_loan
from seomin.adapters.db.models import (
    Application,
    ApplicationDocument,
    AuditEvent,
    Base,
    Guarantee,
    ReviewDecision,
)
from seomin.domain.lifecycle import ApplicationStatus
from seomin.services.applications import (
    LIMIT_CODES,
    ApplicationFilters,
    agree_and_issue_guarantee,
    certificate_code_hash,
    complete_education,
    confirm_second_review,
    decide,
    get_application,
    list_applications,
    submit_application,
    withdraw,
)
from seomin.services.errors import Conflict, Forbidden, InputError, NotFound
from seomin.services.identity import (
    LocalIdentityProvider,
    applicant_actor,
    authenticate_staff,
    create_staff_user,
    verify_and_open_session,
)
from seomin.services.platform import Actor, ActorType, Platform

TODAY = date(2025, 5, 15)  # the fixture's clock; documents count from 2025-04-15
RRN, PHONE, NAME, INCOME = "850301-1234567", "010-1234-5678", "홍길동", 31_234_567
PROFILE: dict[str, Any] = {
    "annual_income": INCOME,
    "kcb_score": 600,
    "nice_score": 700,
    "occupation": "employee",
    "employed_months": 24,
    "haessal15": "rejected",
    "region": "서울",
}
FRESH = [
    ("employment_certificate", date(2025, 5, 2), "재직증명서.pdf", b"%PDF employment"),
    ("income_amount_certificate", date(2025, 4, 15), "소득금액증명원.pdf", b"%PDF income"),
]
COURSE = "policy-finance-basics"

pytestmark = pytest.mark.usefixtures("fast_password_hashing")


def applicant(platform: Platform, rrn: str = RRN, name: str = NAME) -> Actor:
    applicant_id, _ = verify_and_open_session(
        platform, LocalIdentityProvider(platform.today), name, rrn, PHONE
    )
    return Actor(ActorType.APPLICANT, str(applicant_id))


def staff(platform: Platform, username: str, role: str = "reviewer") -> Actor:
    create_staff_user(platform, username, username.title(), "a long enough secret", role)
    return authenticate_staff(platform, username, "a long enough secret")


def apply(
    platform: Platform,
    actor: Actor,
    amount: int = 3_000_000,
    documents: list[tuple[str, date, str, bytes]] | None = None,
    **profile: Any,
) -> int:
    return submit_application(
        platform,
        actor,
        product_id="lowest-credit-special",
        requested_amount=amount,
        term_months=60,
        grace_months=12,
        profile={**PROFILE, **profile},
        documents=FRESH if documents is None else documents,
    )


def rows(platform: Platform, model: type[Base], **where: Any) -> list[Any]:
    with platform.sessions() as session:
        query = select(model).filter_by(**where)
        return list(session.scalars(query.order_by(model.id)).all())  # type: ignore[attr-defined]


def count(platform: Platform, model: type[Base]) -> int:
    with platform.sessions() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def status(platform: Platform, application_id: int) -> str:
    with platform.sessions() as session:
        return session.get_one(Application, application_id).status


def events(platform: Platform, entity_type: str, entity_id: int) -> list[AuditEvent]:
    return rows(platform, AuditEvent, entity_type=entity_type, entity_id=str(entity_id))


def executed_loan(platform: Platform, applicant_id: int, amount: int, executed_on: date) -> None:
    """An earlier loan of the family, executed at 광주은행 (a later lifecycle step, set up directly)."""
    make_loan(platform, applicant_id, amount=amount, executed_on=executed_on)


# --- the whole path ---------------------------------------------------------------------------------


def test_from_identity_to_guarantee_certificate(platform: Platform) -> None:
    person = applicant(platform)
    reviewer = staff(platform, "reviewer.kim")

    stale = [FRESH[0], ("income_amount_certificate", date(2025, 4, 14), "old.pdf", b"%PDF old")]
    with pytest.raises(InputError) as refused:
        apply(platform, person, documents=stale)
    assert refused.value.field == "documents.1.issued_on"
    assert "신청일 기준 1개월 이내(2025.04.15 이후) 발급분만 인정됩니다" in refused.value.message
    assert "only documents issued within 1 month(s) before the application" in refused.value.message
    assert count(platform, Application) == count(platform, ApplicationDocument) == 0
    assert not [p for p in platform.storage_dir.rglob("*") if p.is_file()]

    application_id = apply(platform, person)
    [submitted] = rows(platform, Application, id=application_id)
    assert (submitted.status, submitted.screening_status) == ("submitted", "eligible")
    assert submitted.screening_codes.split(",")[0] == "ELIGIBLE"
    assert (submitted.product_version, submitted.occupation, submitted.region) == (
        "2024-04",
        "employee",
        "서울",
    )
    documents = rows(platform, ApplicationDocument, application_id=application_id)
    assert [d.doc_type for d in documents] == ["employment_certificate", "income_amount_certificate"]
    for doc, (_, _, name, content) in zip(documents, FRESH, strict=True):
        stored = (platform.storage_dir / doc.storage_path).read_bytes()
        assert platform.vault.decrypt_bytes(stored) == content and stored != content  # encrypted at rest
        assert doc.original_name == name

    assert decide(platform, reviewer, application_id, approve=True) is ApplicationStatus.APPROVED

    with pytest.raises(Conflict) as no_education:
        agree_and_issue_guarantee(platform, person, application_id, "kwangju")
    assert no_education.value.code == "EDUCATION_REQUIRED"
    with pytest.raises(InputError) as wrong_course:
        complete_education(platform, person, "cooking")
    assert wrong_course.value.field == "course" and COURSE in wrong_course.value.message
    complete_education(platform, person, COURSE)

    with pytest.raises(InputError) as outside:
        agree_and_issue_guarantee(platform, person, application_id, "ibk-sb")  # 부산·울산·경남 only
    assert outside.value.field == "bank_code"
    assert "IBK저축은행" in outside.value.message and "광주은행" in outside.value.message
    assert "DB저축은행" in outside.value.message  # lends in 서울: named among the banks that do

    certificate = agree_and_issue_guarantee(platform, person, application_id, "DB저축은행")
    assert certificate.certificate_no.startswith("G20250515-")
    assert len(certificate.verification_code) == 6 and certificate.verification_code.isdigit()
    assert certificate.verification_code not in repr(certificate)
    assert (certificate.amount, certificate.rate_bp, certificate.ratio_bp) == (3_000_000, 1590, 10_000)
    assert (certificate.term_months, certificate.grace_months, certificate.method) == (
        60,
        12,
        "equal_installment",
    )
    assert (certificate.bank_code, certificate.issued_on, certificate.expires_on) == (
        "db-sb",
        TODAY,
        date(2025, 6, 14),
    )
    [guarantee] = rows(platform, Guarantee)
    expected_hash = certificate_code_hash(
        platform.vault, certificate.certificate_no, certificate.verification_code
    )
    assert guarantee.verification_code_hash == expected_hash
    assert (guarantee.status, guarantee.product_version) == ("issued", "2024-04")
    assert status(platform, application_id) == "guaranteed"

    with pytest.raises(Conflict) as twice:
        agree_and_issue_guarantee(platform, person, application_id, "kwangju")
    assert twice.value.code == "APPLICATION_GUARANTEED"
    assert count(platform, Guarantee) == 1

    trail = events(platform, "application", application_id)
    assert [e.action for e in trail] == [
        "application.submitted",
        "application.approved",
        "application.agreed",
    ]
    assert [(e.before, (e.after or {}).get("status")) for e in trail] == [
        (None, "submitted"),
        ({"status": "submitted"}, "approved"),
        ({"status": "approved"}, "guaranteed"),
    ]
    assert [e.actor_type for e in trail] == ["applicant", "staff", "applicant"]
    assert trail[0].after is not None and trail[0].after["screening_status"] == "eligible"
    [issued] = events(platform, "guarantee", guarantee.id)
    assert issued.action == "guarantee.issued" and issued.after is not None
    assert issued.after["certificate_no"] == certificate.certificate_no
    assert certificate.verification_code not in json.dumps(issued.after)
    [educated] = rows(platform, AuditEvent, action="education.completed")
    assert educated.after == {"course": COURSE, "completed_on": "2025-05-15"}


def test_documents_are_kept_once_by_content(platform: Platform) -> None:
    person = applicant(platform)
    first, second = apply(platform, person), apply(platform, person)
    paths = {d.storage_path for d in rows(platform, ApplicationDocument)}
    assert len(paths) == 2 and count(platform, ApplicationDocument) == 4
    assert len([p for p in platform.storage_dir.rglob("*") if p.is_file()]) == 2
    assert first != second


def test_screening_is_stored_with_reason_codes(platform: Platform) -> None:
    person = applicant(platform)
    application_id = apply(platform, person, documents=FRESH[:1], kcb_score=700, nice_score=750)
    [stored] = rows(platform, Application, id=application_id)
    assert stored.screening_status == "ineligible"
    assert set(stored.screening_codes.split(",")) == {"CREDIT_SCORE_ABOVE_CUTOFF", "DOCUMENT_MISSING"}


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"product_id": "no-such"}, "product_id"),
        ({"product_id": "haessal-special"}, "product_id"),  # starts 2026-01-02
        ({"term_months": 48}, "term_months"),
        ({"grace_months": 6}, "grace_months"),
        ({"requested_amount": 0}, "requested_amount"),
        ({"profile": {**PROFILE, "annual_income": -1}}, "profile.annual_income"),
        ({"profile": {**PROFILE, "existing_loans": []}}, "profile.existing_loans"),
        ({"profile": {**PROFILE, "birth_date": "1985-03-02"}}, "profile.birth_date"),
        ({"documents": [("passport", date(2025, 5, 1), "p.pdf", b"x")]}, "documents.0.doc_type"),
        (
            {"documents": [("employment_certificate", date(2025, 5, 16), "p.pdf", b"%PDF x")]},
            "documents.0.issued_on",
        ),
        (  # a web page or a script renamed .pdf is not a document: the content decides
            {"documents": [("employment_certificate", date(2025, 5, 1), "p.pdf", b"<html>x</html>")]},
            "documents.0.content",
        ),
        ({"documents": [("employment_certificate", date(2025, 5, 1), "p.pdf", b"")]}, "documents.0.content"),
    ],
)
def test_bad_applications_name_the_field_and_write_nothing(
    platform: Platform, changes: dict[str, Any], field: str
) -> None:
    person = applicant(platform)
    request: dict[str, Any] = {
        "product_id": "lowest-credit-special",
        "requested_amount": 3_000_000,
        "term_months": 36,
        "grace_months": 0,
        "profile": PROFILE,
        "documents": FRESH,
        **changes,
    }
    with pytest.raises(InputError) as info:
        submit_application(platform, person, **request)
    assert info.value.field == field
    assert count(platform, Application) == count(platform, ApplicationDocument) == 0


# --- review -----------------------------------------------------------------------------------------


def test_overriding_an_ineligible_screening_needs_another_reviewer(platform: Platform) -> None:
    person = applicant(platform)
    maker, checker = staff(platform, "maker"), staff(platform, "checker", "supervisor")
    application_id = apply(platform, person, 3_000_000, kcb_score=700, nice_score=750)

    with pytest.raises(InputError) as no_note:
        decide(platform, maker, application_id, approve=True)
    assert no_note.value.field == "note"
    proposed = decide(platform, maker, application_id, approve=True, note="KCB 재조회 결과 670점 확인")
    assert proposed is ApplicationStatus.PENDING_SECOND_REVIEW
    with pytest.raises(Conflict) as same:
        confirm_second_review(platform, maker, application_id, True, "self-check")
    assert same.value.code == "SECOND_REVIEWER_SAME"
    with pytest.raises(Conflict) as again:
        decide(platform, checker, application_id, approve=True, note="x")
    assert again.value.code == "APPLICATION_PENDING_SECOND_REVIEW"
    assert status(platform, application_id) == "pending_second_review"

    assert (
        confirm_second_review(platform, checker, application_id, True, "확인") is ApplicationStatus.APPROVED
    )
    decisions = rows(platform, ReviewDecision, application_id=application_id)
    assert [(d.decision, d.reviewer_id, d.amount) for d in decisions] == [
        ("approve", int(maker.id), 3_000_000),
        ("confirm", int(checker.id), 3_000_000),
    ]
    trail = events(platform, "application", application_id)
    assert [e.action for e in trail][1:] == ["application.approval_proposed", "application.approved"]
    assert trail[1].after is not None and "overrides the screening" in trail[1].after["second_review"][0]
    with pytest.raises(Conflict) as done:
        confirm_second_review(platform, checker, application_id, True)
    assert done.value.code == "APPLICATION_APPROVED"


def test_an_approval_above_the_catalog_threshold_needs_another_reviewer(platform: Platform) -> None:
    lowered = platform  # 최저신용자 특례보증: review.second_review_above = 3,000,000
    person = applicant(lowered)
    maker, checker = staff(lowered, "maker"), staff(lowered, "checker")
    above = apply(lowered, person, 4_000_000)
    within = apply(lowered, person, 3_000_000)
    assert rows(lowered, Application, id=above)[0].screening_status == "eligible"

    assert decide(lowered, maker, above, approve=True) is ApplicationStatus.PENDING_SECOND_REVIEW
    [proposed] = rows(lowered, AuditEvent, action="application.approval_proposed")
    assert proposed.after is not None
    assert proposed.after["second_review"] == ["amount above 3,000,000 (review.second_review_above)"]
    with pytest.raises(Conflict) as same:
        confirm_second_review(lowered, maker, above, True)
    assert same.value.code == "SECOND_REVIEWER_SAME"
    # the proposal reserves the limit: a second loan is refused meanwhile
    with pytest.raises(Conflict) as reserved:
        decide(lowered, checker, within, approve=True)
    assert reserved.value.code in LIMIT_CODES
    assert (
        confirm_second_review(lowered, checker, above, False, "소득 재확인 필요")
        is ApplicationStatus.REJECTED
    )
    [declined] = [d for d in rows(lowered, ReviewDecision, application_id=above) if d.decision == "reject"]
    assert declined.reason_codes == "STAFF_SECOND_REVIEW_DECLINED"
    # declined, the limit is free again; 3,000,000 is not above the threshold: one reviewer suffices
    assert decide(lowered, checker, within, approve=True) is ApplicationStatus.APPROVED


def test_rejections_need_a_known_reason_code(platform: Platform) -> None:
    person = applicant(platform)
    reviewer = staff(platform, "reviewer")
    application_id = apply(platform, person)
    with pytest.raises(InputError) as none:
        decide(platform, reviewer, application_id, approve=False)
    assert none.value.field == "reason_codes"
    with pytest.raises(InputError) as unknown:
        decide(
            platform, reviewer, application_id, approve=False, reason_codes=["STAFF_DOCUMENT_FORGED", "NOPE"]
        )
    assert unknown.value.field == "reason_codes.1"
    assert status(platform, application_id) == "submitted" and count(platform, ReviewDecision) == 0

    result = decide(
        platform,
        reviewer,
        application_id,
        approve=False,
        reason_codes=["STAFF_DOCUMENT_FORGED"],
        note="직인 불일치",
    )
    assert result is ApplicationStatus.REJECTED
    [rejection] = events(platform, "application", application_id)[1:]
    assert (rejection.before, rejection.after) == (
        {"status": "submitted"},
        {"status": "rejected", "reason_codes": ["STAFF_DOCUMENT_FORGED"]},
    )
    assert rejection.reason == "직인 불일치"
    with pytest.raises(Conflict) as after_rejection:
        decide(platform, reviewer, application_id, approve=True)
    assert after_rejection.value.code == "APPLICATION_REJECTED"
    with pytest.raises(Conflict):
        withdraw(platform, person, application_id)
    with pytest.raises(Conflict) as agree_rejected:
        agree_and_issue_guarantee(platform, person, application_id, "kwangju")
    assert agree_rejected.value.code == "APPLICATION_REJECTED"


def test_approval_amounts_are_checked(platform: Platform) -> None:
    person = applicant(platform)
    reviewer = staff(platform, "reviewer")
    application_id = apply(platform, person, 5_000_000)
    for amount in (0, 5_000_001):
        with pytest.raises(InputError) as info:
            decide(platform, reviewer, application_id, approve=True, amount=amount)
        assert info.value.field == "amount"
    assert (
        decide(platform, reviewer, application_id, approve=True, amount=3_000_000)
        is ApplicationStatus.APPROVED
    )
    complete_education(platform, person, COURSE)
    assert agree_and_issue_guarantee(platform, person, application_id, "kwangju").amount == 3_000_000


def test_the_guarantee_rate_takes_the_preferential_cut(platform: Platform) -> None:
    person = applicant(platform)
    application_id = apply(platform, person, 2_000_000, preferential=["consulting", "employment-support"])
    decide(platform, staff(platform, "reviewer"), application_id, approve=True)
    complete_education(platform, person, COURSE)
    assert (
        agree_and_issue_guarantee(platform, person, application_id, "kwangju").rate_bp == 1580
    )  # 15.9 - 0.1


def test_only_reviewers_decide_and_only_the_applicant_agrees(platform: Platform) -> None:
    person, other = applicant(platform), applicant(platform, "900101-2345678", "김영희")
    counselor = staff(platform, "counselor", "counselor")
    reviewer = staff(platform, "reviewer")
    application_id = apply(platform, person)
    for actor in (counselor, person, Actor(ActorType.BANK, "kwangju")):
        with pytest.raises(Forbidden):
            decide(platform, actor, application_id, approve=True)
    with pytest.raises(Forbidden):
        decide(platform, Actor(ActorType.STAFF, "999", role="reviewer"), application_id, approve=True)
    with pytest.raises(NotFound):
        decide(platform, reviewer, 999_999, approve=True)
    decide(platform, reviewer, application_id, approve=True)
    complete_education(platform, other, COURSE)
    with pytest.raises(NotFound):
        agree_and_issue_guarantee(platform, other, application_id, "kwangju")
    with pytest.raises(NotFound):
        withdraw(platform, other, application_id)
    with pytest.raises(Forbidden):
        agree_and_issue_guarantee(platform, reviewer, application_id, "kwangju")
    with pytest.raises(Forbidden):
        submit_application(
            platform,
            counselor,
            product_id="lowest-credit-special",
            requested_amount=1,
            term_months=36,
            grace_months=0,
            profile=PROFILE,
            documents=FRESH,
        )


def test_withdrawal_frees_the_limit(platform: Platform) -> None:
    person = applicant(platform)
    reviewer = staff(platform, "reviewer")
    first, second = apply(platform, person), apply(platform, person)
    decide(platform, reviewer, first, approve=True)
    with pytest.raises(Conflict) as exhausted:
        decide(platform, reviewer, second, approve=True)
    assert exhausted.value.code in LIMIT_CODES
    withdraw(platform, person, first)
    assert status(platform, first) == "withdrawn"
    [withdrawn] = events(platform, "application", first)[2:]
    assert (withdrawn.before, withdrawn.after) == ({"status": "approved"}, {"status": "withdrawn"})
    assert decide(platform, reviewer, second, approve=True) is ApplicationStatus.APPROVED
    with pytest.raises(Conflict) as twice:
        withdraw(platform, person, first)
    assert twice.value.code == "APPLICATION_WITHDRAWN"


def test_an_issued_guarantee_counts_against_the_limit(platform: Platform) -> None:
    person = applicant(platform)
    reviewer = staff(platform, "reviewer")
    first = apply(platform, person, 3_000_000)
    decide(platform, reviewer, first, approve=True)
    complete_education(platform, person, COURSE)
    agree_and_issue_guarantee(platform, person, first, "kwangju")
    second = apply(platform, person, 2_000_000)
    assert rows(platform, Application, id=second)[0].screening_status == "ineligible"
    with pytest.raises(Conflict) as refused:
        decide(platform, reviewer, second, approve=True, note="override")
    assert refused.value.code in LIMIT_CODES


def test_an_open_loan_binds_the_bank(platform: Platform) -> None:
    person = applicant(platform)
    reviewer = staff(platform, "reviewer")
    executed_loan(platform, int(person.id), 5_000_000, date(2024, 10, 1))
    application_id = apply(platform, person)
    decide(platform, reviewer, application_id, approve=True)
    complete_education(platform, person, COURSE)
    with pytest.raises(InputError) as other_bank:
        agree_and_issue_guarantee(platform, person, application_id, "jeonbuk")
    assert other_bank.value.field == "bank_code" and "광주은행" in other_bank.value.message
    assert agree_and_issue_guarantee(platform, person, application_id, "kwangju").bank_code == "kwangju"


# --- the limit race ---------------------------------------------------------------------------------


def test_two_approvals_racing_on_one_limit_leave_one_winner(platform: Platform) -> None:
    """5,000,000 lent; 4,000,000 and 3,000,000 more would pass 10,000,000: of two concurrent approvals in
    separate transactions exactly one wins."""
    person = applicant_actor(make_applicant(platform, "850301-1234567"))
    executed_loan(platform, int(person.id), 5_000_000, date(2024, 10, 1))
    reviewers = [staff(platform, "first"), staff(platform, "second")]
    applications = [apply(platform, person, 4_000_000), apply(platform, person, 3_000_000)]
    assert {r.screening_status for r in rows(platform, Application) if r.id in applications} == {"eligible"}

    barrier = threading.Barrier(2)
    outcomes: dict[int, object] = {}

    def approve(reviewer: Actor, application_id: int) -> None:
        barrier.wait()
        try:
            outcomes[application_id] = decide(platform, reviewer, application_id, approve=True)
        except Conflict as exc:
            outcomes[application_id] = exc

    threads = [
        threading.Thread(target=approve, args=pair) for pair in zip(reviewers, applications, strict=True)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert len(outcomes) == 2
    # The 4,000,000 approval is above review.second_review_above (3,000,000): when it wins it waits for the
    # checker, and a pending approval holds the limit just as a final one does.
    expected = {
        applications[0]: ApplicationStatus.PENDING_SECOND_REVIEW,
        applications[1]: ApplicationStatus.APPROVED,
    }
    winners = [a for a, o in outcomes.items() if isinstance(o, ApplicationStatus)]
    losers = [o for o in outcomes.values() if isinstance(o, Conflict)]
    assert len(winners) == 1 and len(losers) == 1, outcomes
    assert outcomes[winners[0]] is expected[winners[0]]
    assert losers[0].code in LIMIT_CODES
    assert sorted(r.status for r in rows(platform, Application, applicant_id=int(person.id))) == sorted(
        [expected[winners[0]].value, "guaranteed", "submitted"]  # guaranteed: the executed loan's application
    )
    assert count(platform, ReviewDecision) == 1


# --- personal data ----------------------------------------------------------------------------------


def test_personal_data_is_encrypted_at_rest(platform: Platform) -> None:
    person = applicant(platform)
    reviewer = staff(platform, "reviewer")
    application_id = apply(platform, person)
    decide(platform, reviewer, application_id, approve=True)
    complete_education(platform, person, COURSE)
    agree_and_issue_guarantee(platform, person, application_id, "kwangju")
    with platform.sessions() as session:
        dump = " ".join(
            str(value)
            for table in Base.metadata.sorted_tables
            for row in session.execute(text(f"SELECT * FROM {table.name}"))
            for value in row
        )
    for secret in (RRN, RRN.replace("-", ""), "1234567", PHONE, PHONE.replace("-", ""), NAME, str(INCOME)):
        assert secret not in dump
    assert "850301-1******" in dump and "010-****-5678" in dump


def test_outputs_mask_personal_data_by_role(platform: Platform) -> None:
    person = applicant(platform)
    other = applicant(platform, "900101-2345678", "김영희")
    application_id = apply(platform, person)
    reviewer, counselor = staff(platform, "reviewer"), staff(platform, "counselor", "counselor")
    auditor = staff(platform, "auditor", "auditor")

    full = get_application(platform, reviewer, application_id)
    assert full["applicant"] == {"id": int(person.id), "name": NAME, "rrn": "850301-1******", "phone": PHONE}
    assert full["profile"]["annual_income"] == INCOME and full["personal_data"] == "full"
    assert [d["type"] for d in full["documents"]] == ["employment_certificate", "income_amount_certificate"]
    assert full["screening"]["status"] == "eligible" and full["guarantee"] is None
    assert get_application(platform, person, application_id)["profile"]["annual_income"] == INCOME

    for actor in (counselor, auditor):
        masked = get_application(platform, actor, application_id)
        assert masked["applicant"] == {
            "id": int(person.id),
            "name": "홍*동",
            "rrn": "850301-1******",
            "phone": "010-****-5678",
        }
        assert "annual_income" not in masked["profile"] and "kcb_score" not in masked["profile"]
        assert masked["personal_data"] == "masked"
        assert str(INCOME) not in json.dumps(masked)

    with pytest.raises(NotFound):
        get_application(platform, other, application_id)
    with pytest.raises(Forbidden):
        get_application(platform, Actor(ActorType.BANK, "kwangju"), application_id)


def test_lists_filter_and_show_applicants_only_their_own(platform: Platform) -> None:
    person, other = applicant(platform), applicant(platform, "900101-2345678", "김영희")
    reviewer = staff(platform, "reviewer")
    mine, theirs = apply(platform, person), apply(platform, other)
    decide(platform, reviewer, theirs, approve=False, reason_codes=["STAFF_INCOME_UNVERIFIED"])

    assert [a["id"] for a in list_applications(platform, person)] == [mine]
    assert [
        a["id"] for a in list_applications(platform, other, ApplicationFilters(applicant_id=int(person.id)))
    ] == []
    assert [a["id"] for a in list_applications(platform, reviewer)] == [mine, theirs]
    assert [
        a["id"] for a in list_applications(platform, reviewer, ApplicationFilters(status="rejected"))
    ] == [theirs]
    assert [a["id"] for a in list_applications(platform, reviewer, ApplicationFilters(after_id=mine))] == [
        theirs
    ]
    page = list_applications(platform, reviewer, ApplicationFilters(limit=1))
    assert [a["id"] for a in page] == [mine]
    assert page[0]["applicant"] == {"id": int(person.id), "rrn": "850301-1******", "phone": "010-****-5678"}
    with pytest.raises(InputError) as bad:
        list_applications(platform, reviewer, ApplicationFilters(status="lost"))
    assert bad.value.field == "filters.status"


def test_documents_are_encrypted_owner_only_and_opened_by_reviewers_with_an_audit(platform: Platform) -> None:
    import os
    import stat

    from seomin.services.applications import open_document

    actor = applicant(platform)
    application_id = apply(platform, actor)
    with platform.sessions() as session:
        documents = session.scalars(
            select(ApplicationDocument).where(ApplicationDocument.application_id == application_id)
        ).all()
    assert documents
    for document in documents:
        stored = platform.storage_dir / document.storage_path
        raw = stored.read_bytes()
        assert b"%PDF" not in raw and document.sha256 not in str(stored)  # encrypted, keyed name
        assert stat.S_IMODE(os.stat(stored).st_mode) == 0o600
        assert stat.S_IMODE(os.stat(stored.parent).st_mode) == 0o700
    reviewer = staff(platform, "viewer")
    opened = open_document(platform, reviewer, application_id, documents[0].id)
    assert opened.content.startswith(b"%PDF") and opened.media_type == "application/pdf"
    with pytest.raises(Forbidden):
        open_document(platform, staff(platform, "helper", "counselor"), application_id, documents[0].id)
    with pytest.raises(NotFound):
        open_document(platform, reviewer, application_id + 1, documents[0].id)
    with platform.sessions() as session:
        viewed = session.scalars(select(AuditEvent).where(AuditEvent.action == "document.viewed")).all()
    assert [(e.actor_id, e.entity_id) for e in viewed] == [(reviewer.id, str(documents[0].id))]

"""The applicant's journey after the self-check: 본인인증, the guided application (product, amount and term,
the applicant's situation, the document checklist for their occupation with uploads), the financial
education, the agreement and the guarantee certificate.

The application is a few steps of one form: each step posts everything entered so far (earlier steps ride
along as hidden fields), is checked, and shows the next; the last step uploads the documents
(``multipart/form-data``) and submits. Every check failure is a 422 with the message beside its field;
a state conflict from a service (``Conflict``) is shown on the page with its status, never a 500.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import partial
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile
from starlette.responses import RedirectResponse, Response

from seomin.adapters.app_state import platform_of
from seomin.adapters.web import selfcheck
from seomin.adapters.web.forms import FormReader, Message
from seomin.adapters.web.rendering import render
from seomin.adapters.web.session_cookies import (
    applicant_seconds_left,
    require_applicant,
    safe_next,
    sign_in_applicant,
    sign_out,
)
from seomin.domain import vocabulary
from seomin.domain.catalog import DebtAdjustmentKind, Occupation, ProductVersion
from seomin.domain.eligibility import (
    PURPOSE_NAMES,
    WORKING_OCCUPATIONS,
    document_valid_from,
    required_document_groups,
)
from seomin.domain.identity import normalize_phone, parse_resident_number
from seomin.domain.money import format_manwon
from seomin.domain.profile import ApplicantProfile, DebtAdjustment
from seomin.domain.regions import REGIONS
from seomin.services import my_page
from seomin.services.applications import (
    MAX_DOCUMENT_BYTES,
    Draft,
    agree_and_issue_guarantee,
    complete_education,
    draft_document_content,
    draft_of,
    first_time_cap,
    keep_draft_document,
    save_draft,
    submit_application,
)
from seomin.services.errors import Conflict, InputError, InputErrorCode
from seomin.services.identity import LocalIdentityProvider
from seomin.services.platform import Actor, Platform
from seomin.services.verification import (
    CONSENT_VERSION,
    confirm_verification,
    latest_code_message,
    start_verification,
)

router = APIRouter()

STEPS: tuple[tuple[str, str, str], ...] = (
    ("identity", "본인인증", "Identity"),
    ("product", "상품 선택", "Product"),
    ("loan", "금액·기간", "Amount and term"),
    ("profile", "나의 상황", "Your situation"),
    ("documents", "서류 제출", "Documents"),
    ("review", "심사 (문자로 결과 안내)", "Review (result by text message)"),
    ("education", "금융교육", "Education"),
    ("agreement", "보증 약정", "Agreement"),
    ("certificate", "보증서", "Certificate"),
)
"""The whole road, from 본인인증 to the certificate, including the agency's review between the documents and
the education: the person sees from the first step what comes and who acts when."""
FORM_STEPS = ("product", "loan", "profile", "documents")
"""The steps of the application form itself: the ones a draft can resume at."""

OCCUPATIONS = vocabulary.OCCUPATIONS
HAESSAL15 = vocabulary.HAESSAL15_HISTORY
ADJUSTMENTS = vocabulary.DEBT_ADJUSTMENTS
PREFERENTIAL = vocabulary.PREFERENTIAL
LOAN_FIELDS = ("product", "amount", "term_months", "grace_months")
PROFILE_FIELDS = (
    "annual_income",
    "kcb_score",
    "nice_score",
    "occupation",
    "employed_months",
    "pension_payments",
    "haessal15",
    "public_record",
    "adjustment",
    "faithful_months",
    "region",
    "vulnerable",
    "basic_livelihood",
    "pref_consulting",
    "pref_employment",
)
IDENTITY_MESSAGES: dict[str, Message] = {
    "name": Message("이름을 숫자 없이 50자 이내로 입력해 주세요.", "Enter your name (no digits, up to 50)."),
    "rrn": Message(
        "주민등록번호를 확인해 주세요 (예: 850301-1234567).",
        "Check the resident registration number (e.g. 850301-1234567).",
    ),
    "phone": Message(
        "본인 명의 휴대폰 번호를 010-1234-5678 형식으로 입력해 주세요.",
        "Enter your own mobile number, e.g. 010-1234-5678.",
    ),
    "consent": Message(
        "개인정보 수집·이용과 고유식별정보 처리에 동의해야 본인인증을 할 수 있어요.",
        "Agree to the collection and use of your personal data to verify your identity.",
    ),
}
CODE_MESSAGES: dict[str, Message] = {
    InputErrorCode.IDENTITY_MISMATCH: Message(
        "입력하신 이름·주민등록번호·휴대폰 번호로 본인을 확인할 수 없어요. 다시 확인해 주세요.",
        "We could not verify you with that name, resident number and phone. Please check them.",
    ),
    InputErrorCode.CODE_MISMATCH: Message(
        "인증번호가 맞지 않아요. 문자로 받은 6자리를 다시 입력해 주세요.",
        "The code does not match. Enter the 6 digits from the text message again.",
    ),
    InputErrorCode.CODE_EXPIRED: Message(
        "인증번호 입력 시간(3분)이 지났어요. 처음부터 다시 요청해 주세요.",
        "The code expired (3 minutes). Please ask for a new one.",
    ),
}
"""What a refused verification says, by code: never which of the name, number or phone was wrong."""
_DOC_FIELD = re.compile(r"^documents\.(\d+)\.(\w+)")
_DOC_VALUE = re.compile(r"^doc_\d{1,2}_(type|issued_on)$")


# --- 본인인증 ---------------------------------------------------------------------------------------------


@router.get("/identity")
def identity_page(request: Request, next: str | None = None) -> Response:
    context = {"errors": {}, "values": {}, "next": safe_next(next, "/my"), "consent_version": CONSENT_VERSION}
    return render(request, "apply/identity.html", context)


@router.post("/identity")
async def identity_submit(request: Request) -> Response:
    """Step 1: consent and the person's details; a code goes to the phone and the code form follows."""
    form = await request.form()
    reader = FormReader(form)
    consent = reader.flag("consent")
    if not consent:
        reader.errors["consent"] = IDENTITY_MESSAGES["consent"]
    name = reader.text("name", max_length=50)
    rrn = reader.text("rrn", max_length=20)
    phone = reader.text("phone", max_length=20)
    target = safe_next(reader.raw("next"), "/my")
    platform = platform_of(request)
    # Every problem at once: the formats are checked here too, not one field per submit.
    checks = (
        ("name", name, _check_name),
        ("rrn", rrn, lambda v: parse_resident_number(v, platform.today())),
        ("phone", phone, normalize_phone),
    )
    for field, value, check in checks:
        if value is not None and field not in reader.errors:
            try:
                check(value)
            except ValueError:
                reader.errors[field] = IDENTITY_MESSAGES[field]
    if reader.ok and name and rrn and phone:
        try:
            started = await run_in_threadpool(
                partial(
                    start_verification,
                    platform,
                    LocalIdentityProvider(platform.today),
                    name,
                    rrn,
                    phone,
                    consent_version=CONSENT_VERSION,
                )
            )
        except InputError as exc:
            field = exc.field if exc.field in IDENTITY_MESSAGES else "name"
            reader.errors[field] = CODE_MESSAGES.get(
                exc.code, IDENTITY_MESSAGES.get(exc.field, Message(exc.message, exc.message))
            )
        else:
            return _code_page(request, platform, started.challenge, started.phone_masked, target, {})
    # The resident number and phone are never sent back to the browser: typed again after an error.
    values = {"name": reader.raw("name"), "consent": "on" if consent else ""}
    context = {"errors": reader.errors, "values": values, "next": target, "consent_version": CONSENT_VERSION}
    return render(request, "apply/identity.html", context, status_code=422)


def _check_name(name: str) -> None:
    if len(name.strip()) > 50 or any(ch.isdigit() for ch in name):
        raise ValueError("name")


def _code_page(
    request: Request,
    platform: Platform,
    challenge: str,
    phone_masked: str,
    target: str,
    errors: dict[str, Message],
    status_code: int = 200,
) -> Response:
    """The code form; in development, the local outbox's message to that phone is shown beside it (no SMS
    leaves a development machine, and production refuses the local identity provider)."""
    outbox = None
    if platform.environment != "production":
        outbox = latest_code_message(platform, challenge)
    context = {
        "errors": errors,
        "challenge": challenge,
        "phone": phone_masked,
        "next": target,
        "dev_outbox": outbox,
    }
    return render(request, "apply/identity_code.html", context, status_code=status_code)


@router.post("/identity/code")
async def identity_code_submit(request: Request) -> Response:
    """Step 2: the code opens the session and the person goes where they were going."""
    form = await request.form()
    reader = FormReader(form)
    challenge = reader.raw("challenge")[:64]
    code = (reader.text("code", max_length=10) or "").replace(" ", "")
    target = safe_next(reader.raw("next"), "/my")
    phone = reader.raw("phone")[:16]
    platform = platform_of(request)
    if reader.ok:
        try:
            verified = await run_in_threadpool(confirm_verification, platform, challenge, code)
        except InputError as exc:
            if exc.field == "challenge":
                return RedirectResponse(f"/identity?next={quote(target)}", status_code=303)
            reader.errors["code"] = CODE_MESSAGES.get(
                exc.code,
                Message("인증번호 6자리를 숫자로 입력해 주세요.", "Enter the 6-digit code."),
            )
        else:
            response = RedirectResponse(target, status_code=303)
            sign_in_applicant(response, request, verified.token)
            return response
    return _code_page(request, platform, challenge, phone, target, reader.errors, status_code=422)


@router.get("/signout")
def signout_page(request: Request) -> Response:
    return render(request, "apply/signout.html")


@router.post("/signout")
def signout(request: Request) -> Response:
    response = RedirectResponse("/", status_code=303)
    sign_out(response, request, "applicant")
    return response


# --- the application --------------------------------------------------------------------------------


def _products(platform: Platform) -> list[ProductVersion]:
    return sorted(platform.catalog.in_force(platform.today()), key=lambda v: v.id)


def _product(platform: Platform, product_id: str) -> ProductVersion | None:
    return next((v for v in _products(platform) if v.id == product_id), None)


def _carry(form: Mapping[str, Any], names: tuple[str, ...], *, documents: bool = True) -> dict[str, str]:
    """The values of the other steps to send along again as hidden fields, so every post holds the whole
    form (and the draft kept from it loses nothing): ``names`` and the documents' types and dates."""
    carried = {}
    for name in (*names, *sorted(k for k in form if documents and _DOC_VALUE.match(k))):
        value = form.get(name)
        if isinstance(value, str) and value.strip():
            carried[name] = value.strip()[:200]
    return carried


@dataclass(frozen=True, slots=True)
class LoanChoice:
    product: ProductVersion
    amount: int
    term_months: int
    grace_months: int


def _read_loan(platform: Platform, reader: FormReader) -> LoanChoice | None:
    product_id = reader.choice("product", [v.id for v in _products(platform)])
    product = _product(platform, product_id) if product_id else None
    amount = reader.won(
        "amount", minimum=100_000, maximum=product.limits.total_per_person if product else 10**9
    )
    term = reader.choice("term_months", [str(m) for m in product.terms.repayment_months] if product else [])
    grace = reader.choice("grace_months", [str(m) for m in product.terms.grace_months] if product else [])
    if product is None or amount is None or term is None or grace is None:
        return None
    return LoanChoice(product, amount, int(term), int(grace))


def _read_profile(reader: FormReader) -> dict[str, Any] | None:
    income = reader.won("annual_income", minimum=0)
    kcb = reader.integer("kcb_score", required=False, minimum=0, maximum=1000)
    nice = reader.integer("nice_score", required=False, minimum=0, maximum=1000)
    occupation = reader.choice("occupation", OCCUPATIONS)
    # asked (and shown) only where they apply, and then required, as in the self-check
    working = occupation in {o.value for o in WORKING_OCCUPATIONS}
    employed = reader.integer("employed_months", required=working, minimum=0, maximum=960)
    pension = reader.integer(
        "pension_payments", required=occupation == Occupation.PENSIONER.value, minimum=0, maximum=1200
    )
    haessal15 = reader.choice("haessal15", HAESSAL15)
    adjustment = reader.choice("adjustment", [k for k in ADJUSTMENTS if k], required=False)
    faithful = reader.integer("faithful_months", required=adjustment is not None, minimum=0, maximum=600)
    region = reader.choice("region", REGIONS)
    if not reader.ok or income is None or occupation is None or region is None:
        return None
    return {
        "annual_income": income,
        "kcb_score": kcb,
        "nice_score": nice,
        "occupation": occupation,
        "employed_months": (employed or 0) if working else 0,
        "pension_payments": pension or 0,
        "haessal15": haessal15,
        "public_record": reader.raw("public_record") == "yes",
        "debt_adjustment": None
        if adjustment is None
        else {"kind": adjustment, "faithful_months": faithful or 0},
        "region": region,
        "vulnerable": reader.flag("vulnerable"),
        "basic_livelihood": reader.flag("basic_livelihood"),
        "preferential": [
            code
            for code, name in (("consulting", "pref_consulting"), ("employment-support", "pref_employment"))
            if reader.flag(name)
        ],
    }


@dataclass(frozen=True, slots=True)
class DocumentChoice:
    """One line of the checklist: a proof the applicant must give and the documents accepted for it."""

    index: int
    purpose: str
    purpose_ko: str
    purpose_en: str
    types: tuple[str, ...]


def checklist(product: ProductVersion, profile: Mapping[str, Any]) -> list[DocumentChoice]:
    """The proofs the product asks of this applicant (their occupation, or their debt adjustment), in the
    catalog's order: the domain's ``required_document_groups``, one document for each."""
    adjustment = profile.get("debt_adjustment")
    # Only the two facts the checklist depends on (the rest is judged when the application is submitted).
    known: dict[str, Any] = {
        "occupation": Occupation(profile["occupation"]),
        "debt_adjustment": None
        if not adjustment
        else DebtAdjustment.model_construct(
            kind=DebtAdjustmentKind(adjustment["kind"]), faithful_months=adjustment["faithful_months"]
        ),
    }
    facts = ApplicantProfile.model_construct(**known)
    return [
        DocumentChoice(i, purpose, *PURPOSE_NAMES[purpose], types)
        for i, (purpose, types) in enumerate(required_document_groups(product, facts))
    ]


def _steps(current: str) -> list[dict[str, Any]]:
    names = [s[0] for s in STEPS]
    at = names.index(current)
    return [
        {"key": key, "ko": ko, "en": en, "current": key == current, "done": i < at}
        for i, (key, ko, en) in enumerate(STEPS)
    ]


def _field_of(service_field: str) -> str:
    """The form field of a service's InputError field path."""
    found = _DOC_FIELD.match(service_field)
    if found:
        part = "issued_on" if found.group(2) == "issued_on" else "file"
        return f"doc_{found.group(1)}_{part}"
    name = service_field.removeprefix("profile.").split(".")[0]
    return {
        "requested_amount": "amount",
        "product_id": "product",
        "debt_adjustment": "adjustment",
    }.get(name, name)


def _step_of(field_name: str) -> str:
    if field_name.startswith("doc_"):
        return "documents"
    if field_name in LOAN_FIELDS:
        return "loan"
    return "profile"


async def _step_page(
    request: Request,
    actor: Actor,
    step: str,
    form: Mapping[str, Any],
    errors: Mapping[str, Message],
    *,
    status_code: int = 200,
    alert: Message | None = None,
) -> Response:
    """Show ``step`` of the form and keep the form as the applicant's draft first, so that an ended session
    (or a closed tab) loses nothing: signing in again resumes here."""
    platform = platform_of(request)
    await run_in_threadpool(save_draft, platform, actor, step, draft_values(form))
    # only the documents step shows what the draft holds (the files already kept)
    draft = await run_in_threadpool(draft_of, platform, actor) if step == "documents" else None
    seconds_left = await run_in_threadpool(applicant_seconds_left, request)
    return _render_step(
        request,
        step,
        form,
        errors,
        status_code=status_code,
        alert=alert,
        draft=draft,
        seconds_left=seconds_left,
    )


def draft_values(form: Mapping[str, Any]) -> dict[str, str]:
    """What a draft keeps of a posted form: its text fields (never the files: those are kept one by one
    once they pass the file checks) and not the step marker."""
    return {k: v for k, v in form.items() if isinstance(v, str) and k != "step" and not k.endswith("_file")}


def _render_step(
    request: Request,
    step: str,
    form: Mapping[str, Any],
    errors: Mapping[str, Message],
    *,
    status_code: int = 200,
    alert: Message | None = None,
    draft: Draft | None = None,
    seconds_left: int | None = None,
) -> Response:
    platform = platform_of(request)
    today = platform.today()
    product = _product(platform, str(form.get("product") or ""))
    context: dict[str, Any] = {
        "steps": _steps(step),
        "errors": errors,
        "values": {k: v for k, v in form.items() if isinstance(v, str)},
        "product": product,
        "products": _products(platform),
        "today": today,
        "alert": alert,
        "occupations": OCCUPATIONS,
        # the situation step asks in the self-check's words and controls: one way to be asked a fact
        "asked_occupations": selfcheck.OCCUPATIONS,
        "asked_haessal15": selfcheck.HAESSAL15,
        "asked_adjustments": {"": selfcheck.DEBT_ADJUSTMENTS["none"]}
        | {k: v for k, v in selfcheck.DEBT_ADJUSTMENTS.items() if k != "none"},
        "haessal15": HAESSAL15,
        "adjustments": ADJUSTMENTS,
        "preferential": PREFERENTIAL,
        "regions": REGIONS,
        "carry": {},
        "checklist": [],
        "kept_documents": draft.documents if draft else {},
        "session_seconds_left": seconds_left,
    }
    if step == "loan":
        context["carry"] = _carry(form, PROFILE_FIELDS)
    if step == "profile":
        context["carry"] = _carry(form, LOAN_FIELDS)
    if step == "documents" and product is not None:
        reader = FormReader(form)
        profile = _read_profile(reader)
        context["carry"] = _carry(form, LOAN_FIELDS + PROFILE_FIELDS, documents=False)
        context["checklist"] = checklist(product, profile) if profile else []
        # A kept file counts for its line only while the line still asks for that kind of document.
        kept = context["kept_documents"]
        context["kept_documents"] = {
            line.index: kept[line.index]
            for line in context["checklist"]
            if line.index in kept and kept[line.index].doc_type in line.types
        }
        context["valid_from"] = document_valid_from(product, today)
        context["validity_months"] = product.documents.validity_months if product.documents else None
        context["document_types"] = platform.catalog.document_types
    template = {"product": "apply/product.html", "loan": "apply/loan.html"}.get(step, f"apply/{step}.html")
    return render(request, template, context, status_code=status_code)


@router.get("/apply")
async def apply_page(
    request: Request,
    product: str | None = None,
    amount: str | None = None,
    term_months: str | None = None,
    grace_months: str | None = None,
    resume: bool = False,
    choose: bool = False,
) -> Response:
    """The form's first step; with ``product`` (and the simulator's amount and term) at the amount step.

    A draft left from an earlier session is offered first: resume it where it stopped, or start again."""
    actor = require_applicant(request)
    platform = platform_of(request)
    draft = await run_in_threadpool(draft_of, platform, actor)
    seconds_left = await run_in_threadpool(applicant_seconds_left, request)
    version = _product(platform, product) if product else None
    if version is not None:
        values = {
            "product": version.id,
            "amount": amount or "",
            "term_months": term_months
            if term_months in {str(m) for m in version.terms.repayment_months}
            else str(version.terms.repayment_months[-1]),
            "grace_months": grace_months
            if grace_months in {str(m) for m in version.terms.grace_months}
            else str(version.terms.grace_months[0]),
        }
        if draft is not None:  # the facts told before stay; the amount and term only for the same product
            same = draft.values.get("product") == version.id
            kept = {k: v for k, v in draft.values.items() if same or k not in LOAN_FIELDS}
            values = {**kept, **{k: v for k, v in values.items() if v}}
        return _render_step(request, "loan", values, {}, draft=draft, seconds_left=seconds_left)
    if draft is not None and resume:
        step = draft.step if draft.step in FORM_STEPS else "loan"
        return _render_step(request, step, draft.values, {}, draft=draft, seconds_left=seconds_left)
    if draft is not None and not choose:
        chosen = _product(platform, draft.values.get("product", ""))
        context = {"draft": draft, "draft_product": chosen, "steps": _steps(draft.step)}
        return render(request, "apply/resume.html", context)
    return _render_step(request, "product", {}, {}, seconds_left=seconds_left)


@router.post("/apply")
async def apply_submit(request: Request) -> Response:
    actor = require_applicant(request)
    platform = platform_of(request)
    form = await request.form()
    try:
        step = str(form.get("step") or "loan")
        reader = FormReader(form)
        loan = _read_loan(platform, reader)
        if loan is not None and reader.ok:
            cap = await run_in_threadpool(first_time_cap, platform, actor, loan.product)
            if cap is not None and loan.amount > cap:  # said at the amount step, not after the uploads
                reader.fail(
                    "amount",
                    f"처음 이용하시면 최대 {format_manwon(cap)}까지 신청할 수 있어요.",
                    f"A first loan of this product is at most {cap:,} won.",
                )
        if not reader.ok or loan is None:
            return await _step_page(request, actor, "loan", form, reader.errors, status_code=422)
        if step == "loan":
            return await _step_page(request, actor, "profile", form, {})
        profile = _read_profile(reader)
        if not reader.ok or profile is None:
            return await _step_page(request, actor, "profile", form, reader.errors, status_code=422)
        if step == "profile":
            return await _step_page(request, actor, "documents", form, {})
        documents = await _read_documents(platform, actor, loan.product, profile, form, reader)
        if not reader.ok:
            return await _step_page(request, actor, "documents", form, reader.errors, status_code=422)
        try:
            application_id = await run_in_threadpool(
                lambda: submit_application(
                    platform,
                    actor,
                    product_id=loan.product.id,
                    requested_amount=loan.amount,
                    term_months=loan.term_months,
                    grace_months=loan.grace_months,
                    profile=profile,
                    documents=documents,
                )
            )
        except InputError as exc:
            name = _field_of(exc.field)
            errors = {name: Message(exc.message, exc.message)}
            return await _step_page(request, actor, _step_of(name), form, errors, status_code=422)
        except Conflict as exc:
            alert = Message(exc.message, exc.message)
            return await _step_page(request, actor, "documents", form, {}, status_code=409, alert=alert)
        return RedirectResponse(f"/applications/{application_id}?submitted=1", status_code=303)
    finally:
        await form.close()


async def _read_documents(
    platform: Platform,
    actor: Actor,
    product: ProductVersion,
    profile: Mapping[str, Any],
    form: FormData,
    reader: FormReader,
) -> list[tuple[str, date, str, bytes]]:
    """One upload per checklist line, each checked for type, issue date (the one-month rule) and file.

    A file that passes the file checks is kept in the draft at once, whatever else is wrong, so it is never
    asked for again; a line left without a new file uses the one kept for it."""
    today = platform.today()
    valid_from = document_valid_from(product, today)
    months = product.documents.validity_months if product.documents else 0
    documents = []
    for line in checklist(product, profile):
        prefix = f"doc_{line.index}"
        doc_type = reader.choice(f"{prefix}_type", line.types)
        issued_on = reader.day(f"{prefix}_issued_on")
        if issued_on is not None and issued_on > today:
            reader.fail(
                f"{prefix}_issued_on",
                f"발급일이 오늘({today:%Y.%m.%d})보다 뒤일 수 없습니다. 서류에 적힌 발급일을 입력해 주세요.",
                f"The issue date cannot be after today ({today.isoformat()}).",
            )
        elif issued_on is not None and valid_from is not None and issued_on < valid_from:
            reader.fail(
                f"{prefix}_issued_on",
                f"{issued_on:%Y.%m.%d}에 발급된 서류는 받을 수 없습니다: 신청일 기준 {months}개월 이내"
                f"({valid_from:%Y.%m.%d} 이후)에 발급된 서류만 인정됩니다. 새로 발급받아 주세요.",
                f"Issued {issued_on.isoformat()}: only documents issued within {months} month(s) of the "
                f"application (on or after {valid_from.isoformat()}) are accepted. Please get a new one.",
            )
        upload = form.get(f"{prefix}_file")
        content = b""
        filename = ""
        if isinstance(upload, UploadFile) and upload.filename:
            content = await upload.read(MAX_DOCUMENT_BYTES + 1)
            filename = upload.filename
            if content and len(content) <= MAX_DOCUMENT_BYTES:
                try:
                    await run_in_threadpool(
                        keep_draft_document, platform, actor, line.index, doc_type or "", filename, content
                    )
                except InputError:
                    reader.fail(
                        f"{prefix}_file",
                        "PDF 또는 사진(JPG·PNG) 파일만 올릴 수 있어요.",
                        "Only a PDF or a photo (JPG, PNG) can be uploaded.",
                    )
        else:
            kept = await run_in_threadpool(draft_document_content, platform, actor, line.index)
            if kept is not None and kept[0] in line.types:
                _, filename, content = kept
        if not content:
            reader.fail(f"{prefix}_file", "서류 파일을 올려 주세요.", "Please attach the document.")
        elif len(content) > MAX_DOCUMENT_BYTES:
            reader.fail(
                f"{prefix}_file",
                f"파일이 {MAX_DOCUMENT_BYTES // (1024 * 1024)}MB보다 큽니다.",
                f"The file is larger than {MAX_DOCUMENT_BYTES // (1024 * 1024)} MB.",
            )
        if doc_type and issued_on and content and f"{prefix}_issued_on" not in reader.errors:
            documents.append((doc_type, issued_on, filename, content))
    return documents


# --- the application page, the agreement and the certificate ------------------------------------------


@router.get("/applications/{application_id}")
def application_page(request: Request, application_id: int) -> Response:
    actor = require_applicant(request)
    platform = platform_of(request)
    view = my_page.application_view(platform, actor, application_id)
    return render(
        request,
        "apply/application.html",
        {
            "app": view,
            "submitted": request.query_params.get("submitted") == "1",
            "occupations": OCCUPATIONS,
            "today": platform.today(),
        },
    )


def _agreement_context(request: Request, application_id: int) -> dict[str, Any]:
    actor = require_applicant(request)
    platform = platform_of(request)
    view = my_page.application_view(platform, actor, application_id)
    in_force = _product(platform, view.product_id)
    own = platform.catalog.version(view.product_id, view.product_version)
    return {
        "app": view,
        "steps": _steps("agreement"),
        "product": own,
        # an approval outlives its product: the agreement is judged on today's terms, so there are none
        "ended": in_force is None,
        "successor": _product(platform, own.lineage.successor or "") if in_force is None else None,
        "banks": my_page.lending_banks(platform, view.product_id, view.region),
        "errors": {},
        "values": {},
        "alert": None,
        "today": platform.today(),
    }


@router.get("/applications/{application_id}/agreement")
def agreement_page(request: Request, application_id: int) -> Response:
    context = _agreement_context(request, application_id)
    return render(request, "apply/agreement.html", context)


@router.post("/applications/{application_id}/agreement")
async def agreement_submit(request: Request, application_id: int) -> Response:
    actor = require_applicant(request)
    platform = platform_of(request)
    form = await request.form()
    context = _agreement_context(request, application_id)
    reader = FormReader(form)
    bank = reader.choice("bank_code", [b.code for b in context["banks"]])
    if not reader.flag("agree_terms"):
        reader.fail(
            "agree_terms",
            "보증약정 내용에 동의해야 보증서를 발급받을 수 있습니다.",
            "You must agree to the terms to get the certificate.",
        )
    if not reader.flag("agree_info"):
        reader.fail(
            "agree_info",
            "개인(신용)정보를 은행에 제공하는 데 동의해 주세요.",
            "Please consent to sharing your credit information with the bank.",
        )
    context["values"] = {"bank_code": reader.raw("bank_code")}
    if not reader.ok or bank is None:
        context["errors"] = reader.errors
        return render(request, "apply/agreement.html", context, status_code=422)
    try:
        issued = await run_in_threadpool(agree_and_issue_guarantee, platform, actor, application_id, bank)
    except InputError as exc:
        field_name = "bank_code" if exc.field == "bank_code" else "agree_terms"
        context["errors"] = {field_name: Message(exc.message, exc.message)}
        return render(request, "apply/agreement.html", context, status_code=422)
    except Conflict as exc:
        context["alert"] = _conflict_message(exc)
        return render(request, "apply/agreement.html", context, status_code=409)
    view = my_page.application_view(platform, actor, application_id)
    return render(
        request,
        "apply/certificate.html",
        {
            "app": view,
            "steps": _steps("certificate"),
            "issued": issued,
            "code": issued.verification_code,
            "banks": my_page.lending_banks(platform, view.product_id, view.region),
            "today": platform.today(),
        },
        headers={"Cache-Control": "no-store"},
    )


@router.get("/applications/{application_id}/certificate")
def certificate_page(request: Request, application_id: int) -> Response:
    actor = require_applicant(request)
    platform = platform_of(request)
    view = my_page.application_view(platform, actor, application_id)
    if view.guarantee is None:
        return RedirectResponse(f"/applications/{application_id}", status_code=303)
    return render(
        request,
        "apply/certificate.html",
        {
            "app": view,
            "steps": _steps("certificate"),
            "issued": view.guarantee,
            "code": None,
            "banks": my_page.lending_banks(platform, view.product_id, view.region),
            "today": platform.today(),
        },
    )


def _conflict_message(exc: Conflict) -> Message:
    known = {
        "EDUCATION_REQUIRED": Message(
            "보증 약정 전에 금융교육을 먼저 이수해야 합니다. 아래 링크에서 10분 정도면 마칠 수 있습니다.",
            "Complete the financial education before the agreement; it takes about 10 minutes.",
        ),
        "APPLICATION_GUARANTEED": Message(
            "이미 보증서가 발급된 신청입니다.", "A certificate has already been issued for this application."
        ),
        "APPLICATION_SUBMITTED": Message(
            "아직 심사 중입니다. 승인되면 보증 약정을 할 수 있습니다.",
            "Still in review: you can agree once it is approved.",
        ),
        "APPLICATION_PENDING_SECOND_REVIEW": Message(
            "2차 심사를 기다리고 있습니다. 승인되면 보증 약정을 할 수 있습니다.",
            "Awaiting a second review: you can agree once it is approved.",
        ),
        "APPLICATION_REJECTED": Message("거절된 신청입니다.", "This application was rejected."),
        "APPLICATION_WITHDRAWN": Message("철회한 신청입니다.", "This application was withdrawn."),
    }
    return known.get(exc.code, Message(exc.message, exc.message))


# --- financial education ----------------------------------------------------------------------------

EDUCATION_SCREENS = 4
QUIZ: dict[str, str] = {"q_fraud": "b", "q_arrears": "a"}
"""The comprehension questions and their right answers (the options are in the template)."""


@router.get("/education")
def education_page(request: Request, screen: int = 1, next: str | None = None) -> Response:
    actor = require_applicant(request)
    platform = platform_of(request)
    screen = min(max(screen, 1), EDUCATION_SCREENS + 1)
    return render(
        request,
        "apply/education.html",
        {
            "screen": screen,
            "screens": EDUCATION_SCREENS,
            "next": safe_next(next, "/my"),
            "errors": {},
            "values": {},
            "steps": _steps("education"),
            "completed": my_page.education_of(platform, actor),
            "course": my_page.education_course(platform),
        },
    )


@router.post("/education")
async def education_submit(request: Request) -> Response:
    actor = require_applicant(request)
    platform = platform_of(request)
    form = await request.form()
    reader = FormReader(form)
    target = safe_next(reader.raw("next"), "/my")
    for name, right in QUIZ.items():
        answer = reader.choice(name, ("a", "b", "c"))
        if answer is not None and answer != right:
            reader.fail(
                name,
                "다시 생각해 보세요. 앞 화면의 내용을 참고할 수 있습니다.",
                "Not quite: have another look at the earlier screens.",
            )
    course = my_page.education_course(platform)
    if not reader.ok or course is None:
        return render(
            request,
            "apply/education.html",
            {
                "screen": EDUCATION_SCREENS + 1,
                "screens": EDUCATION_SCREENS,
                "next": target,
                "errors": reader.errors,
                "values": {k: v for k, v in form.items() if isinstance(v, str)},
                "steps": _steps("education"),
                "completed": my_page.education_of(platform, actor),
                "course": course,
            },
            status_code=422,
        )
    await run_in_threadpool(complete_education, platform, actor, course)
    return RedirectResponse(f"/education/done?next={target}", status_code=303)


@router.get("/education/done")
def education_done(request: Request, next: str | None = None) -> Response:
    actor = require_applicant(request)
    platform = platform_of(request)
    return render(
        request,
        "apply/education_done.html",
        {
            "completed": my_page.education_of(platform, actor),
            "next": safe_next(next, "/my"),
            "steps": _steps("education"),
        },
    )

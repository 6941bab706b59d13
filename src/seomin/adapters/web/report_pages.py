"""사칭·불법사금융 신고센터 pages: anyone reports a fake (with screenshots, no account) and gets the immediate
steps and a callback slot at once; the public list of confirmed fakes with the agency's official channels;
the staff's triage page (reports grouped by what they name, screenshots, moves and referrals) with the
monthly figures for management."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.responses import RedirectResponse, Response

from seomin.adapters.app_state import platform_of
from seomin.adapters.support_centers import default_support_centers
from seomin.adapters.web.forms import FormReader, Message
from seomin.adapters.web.rendering import render
from seomin.adapters.web.session_cookies import require_staff
from seomin.adapters.web.staff_console import ROLE_LABELS, Id, _service_error_alert
from seomin.domain.fraud_reports import KINDS, REFERRAL_TARGETS, STATUSES
from seomin.services import help
from seomin.services import report_center as rc
from seomin.services.errors import Conflict, Forbidden, InputError, NotFound
from seomin.services.identity import STAFF_ROLES

router = APIRouter()
KIND_WORDS = {
    "site": ("가짜 사이트", "Fake website"),
    "sns": ("SNS 계정", "Social media account"),
    "phone": ("전화·문자 번호", "Phone or text number"),
    "app": ("가짜 앱", "Fake app"),
}
STATUS_WORDS = {
    "received": ("접수", "Received"),
    "confirmed": ("사칭 확인", "Confirmed fake"),
    "referred": ("관계기관 이첩", "Referred"),
    "dismissed": ("해당 없음", "Dismissed"),
}
REFERRAL_WORDS = {
    "police": ("경찰청", "Police"),
    "kisa": ("한국인터넷진흥원", "KISA"),
    "fss": ("금융감독원", "FSS"),
    "platform": ("플랫폼 사업자", "The platform"),
}
OFFICIAL_CHANNELS = (
    ("서민금융콜센터 ☎ 1397", "1397 call center"),
    (
        "홈페이지 kinfa.or.kr (다른 주소는 진흥원이 아닙니다)",
        "Website kinfa.or.kr (any other address is not us)",
    ),
    (
        "진흥원은 문자·SNS·메신저로 대출을 권유하거나 앱 설치를 요구하지 않습니다",
        "We never offer loans or ask you to install an app by text, social media or messenger",
    ),
)


def _words() -> dict[str, Any]:
    return {"kind_words": KIND_WORDS, "status_words_fr": STATUS_WORDS, "referral_words": REFERRAL_WORDS}


@router.get("/report")
def report_form(request: Request) -> Response:
    context = {**_words(), "values": {"kind": "site"}, "errors": {}, "max_shots": rc.MAX_SCREENSHOTS}
    return render(request, "report/form.html", context)


async def _screenshots(form: Any, reader: FormReader) -> list[bytes]:
    shots: list[bytes] = []
    for upload in form.getlist("screenshots"):
        if isinstance(upload, UploadFile) and upload.filename:
            content = await upload.read(rc.MAX_SCREENSHOT_BYTES + 1)
            if content:
                shots.append(content)
    if len(shots) > rc.MAX_SCREENSHOTS:
        reader.fail(
            "screenshots",
            f"사진은 {rc.MAX_SCREENSHOTS}장까지 올릴 수 있습니다.",
            f"At most {rc.MAX_SCREENSHOTS} images.",
        )
    return shots


@router.post("/report")
async def report_submit(request: Request) -> Response:
    form = await request.form()
    reader = FormReader(form)
    kind = reader.choice("kind", KINDS)
    target = reader.text("target", max_length=300)
    description = reader.text("description", required=False, max_length=2000) or ""
    phone = reader.text("phone", required=False, max_length=20)
    lost = reader.flag("lost_money")
    shots = await _screenshots(form, reader)
    values = {k: reader.raw(k) for k in ("kind", "target", "description")}
    context = {**_words(), "values": values, "max_shots": rc.MAX_SCREENSHOTS}
    if kind is None or target is None or not reader.ok:
        return render(request, "report/form.html", {**context, "errors": reader.errors}, status_code=422)
    platform = platform_of(request)
    try:
        receipt = await run_in_threadpool(
            rc.submit_report, platform, kind, target, description, lost, phone, shots
        )
    except InputError as exc:
        field = "screenshots" if exc.field.startswith("screenshots") else exc.field
        words = {
            "target": (
                "신고 대상의 주소·번호·계정을 확인해 주세요.",
                "Check the address, number or account.",
            ),
            "phone": (
                "전화번호를 010-1234-5678 형식으로 입력해 주세요.",
                "Enter a phone such as 010-1234-5678.",
            ),
            "screenshots": (
                "사진은 JPEG 또는 PNG 파일(5MB 이하)만 올릴 수 있습니다.",
                "Images must be JPEG or PNG files of at most 5 MB.",
            ),
        }.get(field, ("입력값을 확인해 주세요.", "Please check what you entered."))
        errors = {field: Message(*words)}
        return render(request, "report/form.html", {**context, "errors": errors}, status_code=422)
    directory = default_support_centers()
    days = help.bookable_days(platform, directory)
    slots = (
        [s for s in help.slot_availability(platform, directory, "callback", None, days[0]) if s.remaining]
        if days
        else []
    )
    callback: dict[str, Any] = {"day": days[0] if days else None, "slots": slots}
    return render(
        request,
        "report/received.html",
        {**context, "receipt": receipt, "callback": callback},
        headers={"Cache-Control": "no-store"},
    )


@router.get("/report/confirmed")
def confirmed_list(request: Request) -> Response:
    fakes = rc.confirmed_fakes(platform_of(request))
    return render(
        request, "report/confirmed.html", {**_words(), "fakes": fakes, "channels": OFFICIAL_CHANNELS}
    )


# --- staff --------------------------------------------------------------------------------------------


def _triage_page(request: Request, status_code: int = 200, **extra: Any) -> Response:
    actor = require_staff(request, *STAFF_ROLES)
    platform = platform_of(request)
    status = request.query_params.get("status") or None
    status = status if status in STATUSES else None
    year = request.query_params.get("year") or str(platform.today().year)
    context = {
        **_words(),
        "actor": actor,
        "role_labels": ROLE_LABELS,
        "groups": rc.report_groups(platform, actor, status),
        "shots": rc.screenshots_by_target(platform, actor),
        "status": status,
        "statuses": STATUSES,
        "targets": REFERRAL_TARGETS,
        "may_triage": actor.role in rc.TRIAGE_ROLES,
        "year": int(year) if year.isdigit() else platform.today().year,
        "errors": {},
        "alert": None,
        **extra,
    }
    context["figures"] = rc.monthly_figures(platform, actor, context["year"])
    return render(request, "report/triage.html", context, status_code=status_code)


@router.get("/staff/reports")
def triage_page(request: Request) -> Response:
    return _triage_page(request)


@router.post("/staff/reports/triage")
async def triage_group(request: Request) -> Response:
    actor = require_staff(request, *STAFF_ROLES)
    reader = FormReader(await request.form())
    try:
        await run_in_threadpool(
            rc.triage,
            platform_of(request),
            actor,
            reader.raw("target_key"),
            reader.raw("status"),
            reader.raw("reason"),
            reader.raw("referred_to") or None,
        )
    except NotFound:
        return _triage_page(
            request, 404, alert=("그런 신고 대상이 없습니다.", "No such reported target.", "")
        )
    except (Conflict, Forbidden, InputError) as exc:
        code, alert = _service_error_alert(exc)
        return _triage_page(request, code, alert=alert)
    return RedirectResponse("/staff/reports", status_code=303)


@router.get("/staff/reports/screenshots/{screenshot_id}")
def screenshot(request: Request, screenshot_id: Id) -> Response:
    actor = require_staff(request, *STAFF_ROLES)
    media_type, content = rc.screenshot_content(platform_of(request), actor, screenshot_id)
    return Response(content, media_type=media_type, headers={"Cache-Control": "no-store"})

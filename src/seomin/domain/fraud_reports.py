"""사칭·불법사금융 신고: what a report names, how reports of the same thing are grouped, and the triage steps.

Reports of one fake site arrive as full URLs with paths, ``www.`` or not, upper or lower case; reports of
one phone number with or without dashes. ``target_key`` reduces each to what identifies the fake (the host,
the digits, the handle) so staff triage a group once.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

KINDS = ("site", "sns", "phone", "app")
RECEIVED, CONFIRMED, REFERRED, DISMISSED = "received", "confirmed", "referred", "dismissed"
STATUSES = (RECEIVED, CONFIRMED, REFERRED, DISMISSED)
# Confirmed fakes are referred on (to the police, KISA, the platform); a dismissed report may be reopened.
TRANSITIONS: dict[str, frozenset[str]] = {
    RECEIVED: frozenset({CONFIRMED, DISMISSED}),
    CONFIRMED: frozenset({REFERRED, DISMISSED}),
    REFERRED: frozenset(),
    DISMISSED: frozenset({RECEIVED}),
}
PUBLIC_STATUSES = frozenset({CONFIRMED, REFERRED})
REFERRAL_TARGETS = ("police", "kisa", "fss", "platform")

_HOST = re.compile(r"^(?=.{1,253}$)([a-z0-9가-힣](?:[a-z0-9가-힣-]{0,61}[a-z0-9가-힣])?\.)+[a-z가-힣]{2,63}$")
_PHONE = re.compile(r"^0\d{8,10}$|^1\d{7}$")  # 010-1234-5678, 02-123-4567, 1588-0000
_HANDLE = re.compile(r"^[0-9a-z가-힣._-]{2,64}$")

# Shown to every reporter at once: what a victim does now (Korean first, then English).
VICTIM_STEPS: tuple[tuple[str, str], ...] = (
    (
        "돈을 보냈다면 즉시 송금한 은행 또는 112에 지급정지를 요청하세요.",
        "If you sent money, call your bank or 112 now to freeze the payment.",
    ),
    (
        "신분증·계좌 정보를 알려줬다면 금융감독원 개인정보노출자 사고예방시스템(pd.fss.or.kr)에 등록하세요.",
        "If you gave out ID or account details, register at pd.fss.or.kr.",
    ),
    (
        "설치한 앱이 있다면 삭제하고 휴대전화를 초기화하거나 통신사에 점검을 요청하세요.",
        "Delete any app you were asked to install and have the phone checked.",
    ),
    (
        "서민금융진흥원의 공식 번호는 1397뿐이며, 진흥원은 문자·SNS로 대출을 권유하지 않습니다.",
        "The agency's only number is 1397; it never offers loans by text or social media.",
    ),
)


def target_key(kind: str, target: str) -> str:
    """What identifies the reported fake: the lower-case host without ``www.`` for a site, the digits for
    a phone, the lower-case handle without ``@`` for an SNS account or app. ``ValueError`` when the
    target is not one of those."""
    text = target.strip().lower()
    if kind == "site":
        host = urlsplit(text if "://" in text else f"http://{text}").hostname or ""
        host = host.removeprefix("www.")
        if not _HOST.match(host):
            raise ValueError("a web address such as example.com")
        return host
    if kind == "phone":
        digits = re.sub(r"[\s().+-]", "", text)
        if digits.startswith("82"):
            digits = "0" + digits[2:]
        if not _PHONE.match(digits):
            raise ValueError("a phone number such as 010-1234-5678 or 1588-0000")
        return digits
    if kind in ("sns", "app"):
        handle = text.removeprefix("@")
        if not _HANDLE.match(handle):
            raise ValueError("an account or app name of 2 to 64 letters, digits, '.', '_' or '-'")
        return handle
    raise ValueError(f"one of {', '.join(KINDS)}")


def can_move(before: str, after: str) -> bool:
    return after in TRANSITIONS.get(before, frozenset())

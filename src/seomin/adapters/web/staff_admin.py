"""The supervisor's administration page (운영 관리): staff accounts and bank API keys without the demo.

Passwords are never typed by the supervisor: a new account and a reset get a random temporary password,
shown once on the answer page, which the user must replace at the first sign-in. A new or rotated bank
key is shown once too; only its hash is kept. Every change is the identity service's, audited there.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from seomin.adapters.app_state import platform_of
from seomin.adapters.web.forms import FormReader
from seomin.adapters.web.rendering import render
from seomin.adapters.web.session_cookies import require_staff
from seomin.domain import vocabulary
from seomin.services.errors import Conflict, InputError, NotFound
from seomin.services.identity import (
    STAFF_ROLES,
    bank_api_keys,
    create_staff_user,
    issue_bank_api_key,
    reset_staff_password,
    revoke_bank_api_key,
    rotate_bank_api_key,
    set_staff_active,
    set_staff_role,
    staff_accounts,
)
from seomin.services.platform import Actor

router = APIRouter()
Username = Annotated[str, Path(max_length=64)]
KeyPrefix = Annotated[str, Path(max_length=16)]
ADMIN_PATH = "/staff/admin"


def _temporary_password() -> str:
    """16 URL-safe characters (96 bits): read out or copied once, replaced at first sign-in."""
    return secrets.token_urlsafe(12)


def _page(
    request: Request,
    actor: Actor,
    *,
    done: tuple[str, str] | None = None,
    secret: tuple[str, str, str] | None = None,
    refusal: tuple[str, str] | None = None,
    reader: FormReader | None = None,
    status_code: int = 200,
) -> Response:
    platform = platform_of(request)
    context: dict[str, Any] = {
        "actor": actor,
        "accounts": staff_accounts(platform, actor),
        "keys": bank_api_keys(platform, actor),
        "banks": platform.catalog.banks,
        "roles": STAFF_ROLES,
        "role_labels": vocabulary.STAFF_ROLES,
        "done": done,
        "secret": secret,
        "refusal": refusal,
        "errors": reader.errors if reader is not None else {},
        "values": {k: reader.raw(k) for k in ("username", "display_name")} if reader is not None else {},
    }
    return render(request, "staff/admin.html", context, status_code=status_code)


async def _change(
    request: Request,
    call: Callable[[], Any],
    done: tuple[str, str],
    secret: Callable[[Any], tuple[str, str, str]] | None = None,
) -> Response:
    """Run one administration use case and answer the page with its outcome (or its refusal); ``secret``
    makes what to show once (a temporary password, a new key) from the use case's result."""
    actor = require_staff(request, "supervisor")
    try:
        result = await run_in_threadpool(call)
    except NotFound:
        return _page(request, actor, refusal=("찾을 수 없습니다.", "Not found."), status_code=404)
    except Conflict as exc:
        words = exc.words or _CONFLICT_WORDS.get(exc.code, (exc.message, exc.message))
        return _page(request, actor, refusal=words, status_code=409)
    except InputError as exc:
        return _page(request, actor, refusal=(exc.message, exc.message), status_code=422)
    return _page(request, actor, done=done, secret=secret(result) if secret is not None else None)


_CONFLICT_WORDS = {
    "STAFF_USERNAME_TAKEN": ("이미 있는 아이디입니다.", "That username is taken."),
    "STAFF_SELF_CHANGE": (
        "자기 계정의 역할과 사용 여부는 다른 관리자가 바꿉니다.",
        "Another supervisor changes your own role or access.",
    ),
}


@router.get(ADMIN_PATH)
def admin_page(request: Request) -> Response:
    return _page(request, require_staff(request, "supervisor"))


@router.post(f"{ADMIN_PATH}/staff")
async def create_account(request: Request) -> Response:
    actor = require_staff(request, "supervisor")
    reader = FormReader(await request.form())
    username = reader.text("username", max_length=64)
    display_name = reader.text("display_name", max_length=100)
    role = reader.raw("role")
    if role not in STAFF_ROLES:
        reader.fail("role", "역할을 골라 주세요.", "Choose a role.")
    if username is None or display_name is None or not reader.ok:
        return _page(request, actor, reader=reader, status_code=422)
    password = _temporary_password()
    platform = platform_of(request)

    def create() -> None:
        create_staff_user(
            platform, username, display_name, password, role, by=actor, password_change_required=True
        )

    try:
        await run_in_threadpool(create)
    except InputError as exc:
        reader.fail(exc.field, _USERNAME_RULE[0] if exc.field == "username" else exc.message, exc.message)
        return _page(request, actor, reader=reader, status_code=422)
    except Conflict:
        reader.fail("username", "이미 있는 아이디입니다.", "That username is taken.")
        return _page(request, actor, reader=reader, status_code=409)
    return _page(
        request,
        actor,
        done=(f"{username} 계정을 만들었습니다.", f"Account {username} created."),
        secret=("임시 비밀번호", "Temporary password", password),
    )


_USERNAME_RULE = ("영문 소문자·숫자·. _ - 로 3~64자", "3 to 64 of a-z, 0-9, '.', '_', '-'")


@router.post(f"{ADMIN_PATH}/staff/{{username}}/role")
async def change_role(request: Request, username: Username) -> Response:
    actor = require_staff(request, "supervisor")
    role = FormReader(await request.form()).raw("role")
    platform = platform_of(request)
    label = vocabulary.STAFF_ROLES.get(role, (role, role))
    return await _change(
        request,
        lambda: set_staff_role(platform, username, role, by=actor),
        (f"{username}의 역할을 {label[0]}(으)로 바꿨습니다.", f"{username} is now {label[1]}."),
    )


@router.post(f"{ADMIN_PATH}/staff/{{username}}/active")
async def change_active(request: Request, username: Username) -> Response:
    actor = require_staff(request, "supervisor")
    active = FormReader(await request.form()).raw("active") == "true"
    platform = platform_of(request)
    done = (
        (f"{username} 계정을 다시 쓰게 했습니다.", f"{username} reactivated.")
        if active
        else (f"{username} 계정을 정지했습니다. 열린 세션도 끝났습니다.", f"{username} deactivated.")
    )
    return await _change(request, lambda: set_staff_active(platform, username, active, by=actor), done)


@router.post(f"{ADMIN_PATH}/staff/{{username}}/password")
async def reset_password(request: Request, username: Username) -> Response:
    actor = require_staff(request, "supervisor")
    password = _temporary_password()
    platform = platform_of(request)
    return await _change(
        request,
        lambda: reset_staff_password(platform, username, password, by=actor),
        (
            f"{username}의 비밀번호를 재설정했습니다. 다음 로그인에서 새 비밀번호를 정합니다.",
            f"{username}'s password was reset; they choose a new one at the next sign-in.",
        ),
        lambda _: ("임시 비밀번호", "Temporary password", password),
    )


_NEW_KEY = ("API 키 (한 번만 보입니다)", "API key (shown once)")


@router.post(f"{ADMIN_PATH}/keys")
async def issue_key(request: Request) -> Response:
    actor = require_staff(request, "supervisor")
    bank = FormReader(await request.form()).raw("bank_code")
    platform = platform_of(request)
    return await _change(
        request,
        lambda: issue_bank_api_key(platform, bank, by=actor),
        (f"{bank} API 키를 발급했습니다.", f"API key issued for {bank}."),
        lambda key: (*_NEW_KEY, key),
    )


@router.post(f"{ADMIN_PATH}/keys/{{prefix}}/rotate")
async def rotate_key(request: Request, prefix: KeyPrefix) -> Response:
    actor = require_staff(request, "supervisor")
    platform = platform_of(request)
    return await _change(
        request,
        lambda: rotate_bank_api_key(platform, prefix, by=actor),
        (f"{prefix} 키를 폐기하고 새 키를 발급했습니다.", f"Key {prefix} revoked and replaced."),
        lambda key: (*_NEW_KEY, key),
    )


@router.post(f"{ADMIN_PATH}/keys/{{prefix}}/revoke")
async def revoke_key(request: Request, prefix: KeyPrefix) -> Response:
    actor = require_staff(request, "supervisor")
    platform = platform_of(request)
    return await _change(
        request,
        lambda: revoke_bank_api_key(platform, prefix, by=actor),
        (f"{prefix} 키를 폐기했습니다.", f"Key {prefix} revoked."),
    )

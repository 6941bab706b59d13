"""Signing an applicant in as a person does: consent and details, then the code the phone received.

The code is read from the local outbox (development and tests send no SMS): through the platform for the
API, and from the code page's development outbox for the pages."""

from __future__ import annotations

import re
from typing import Any

import httpx
from fastapi.testclient import TestClient

from seomin.services.platform import Platform
from seomin.services.verification import CONSENT_VERSION, latest_code_message

_CODE = re.compile(r"\b(\d{6})\b")


def code_in(text: str) -> str:
    found = _CODE.search(text)
    assert found is not None, text
    return found.group(1)


def api_session(client: TestClient, name: str, rrn: str, phone: str) -> dict[str, Any]:
    """Both API steps; the session answer (token, expires_at, applicant)."""
    started = client.post(
        "/api/v1/applicant/identity",
        json={"name": name, "rrn": rrn, "phone": phone, "consent_version": CONSENT_VERSION},
    )
    assert started.status_code == 202, started.text
    challenge = started.json()["challenge"]
    platform: Platform = client.app.state.platform  # type: ignore[attr-defined]
    message = latest_code_message(platform, challenge)
    assert message is not None
    confirmed = client.post(
        "/api/v1/applicant/identity/confirm", json={"challenge": challenge, "code": code_in(message)}
    )
    assert confirmed.status_code == 200, confirmed.text
    body: dict[str, Any] = confirmed.json()
    return body


def page_sign_in(client: TestClient, name: str, rrn: str, phone: str, next: str = "/my") -> httpx.Response:
    """Both page steps; the final answer (a 303 to ``next`` once signed in)."""
    form = {"name": name, "rrn": rrn, "phone": phone, "consent": "on", "next": next}
    code_page = client.post("/identity", data=form, follow_redirects=False)
    assert code_page.status_code == 200, code_page.text
    challenge = re.search(r'name="challenge" value="([^"]+)"', code_page.text)
    message = re.search(r'id="dev-outbox-message">([^<]+)<', code_page.text)
    assert challenge is not None and message is not None, code_page.text
    target = re.search(r'name="next" value="([^"]*)"', code_page.text)
    return client.post(
        "/identity/code",
        data={
            "challenge": challenge.group(1),
            "code": code_in(message.group(1)),
            "next": target.group(1) if target else next,
        },
        follow_redirects=False,
    )


def finish_identity_in_browser(page: Any) -> None:
    """On the filled identity form of a browser page: consent, ask for the code, read it from the page's
    development outbox, enter it and confirm."""
    page.check("#consent")
    page.get_by_role("button", name=re.compile("인증번호 받기|Send me a code")).click()
    page.wait_for_selector("#dev-outbox-message")
    page.fill("#code", code_in(page.inner_text("#dev-outbox-message")))
    page.get_by_role("button", name=re.compile("확인하고 계속하기|Confirm and continue")).click()


def verify_in_browser(page: Any, url: str, name: str, rrn: str, phone: str) -> None:
    """Open the identity form at ``url`` (its ``next`` says where to land), fill it and verify."""
    page.goto(url)
    page.fill("#name", name)
    page.fill("#rrn", rrn)
    page.fill("#phone", phone)
    finish_identity_in_browser(page)

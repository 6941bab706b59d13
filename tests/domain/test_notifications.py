"""Notification templates: versioned, every placeholder declared, fraud-safe wording checked at load."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from seomin.adapters.notification_templates import default_templates
from seomin.domain.notifications import TemplateError, parse_templates


def document(text_ko: str, **extra: Any) -> dict[str, Any]:
    template = {
        "id": "t",
        "version": 1,
        "effective_from": date(2026, 1, 1),
        "channel": "sms",
        "placeholders": ["code"],
        "text_ko": text_ko,
        "text_en": "code {code}",
        **extra,
    }
    return {"official_domains": ["kinfa.or.kr"], "template": [template]}


def test_the_packaged_identity_code_reads_in_korean_with_the_code_and_a_fraud_warning() -> None:
    template = default_templates().current("identity_code", date(2026, 12, 5))
    text = template.render({"code": "123456", "minutes": 3})
    assert "123456" in text and "3분" in text and "[서민금융진흥원]" in text
    assert "묻지 않습니다" in text  # the agency never asks for the code


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("인증번호 {code} http://kinfa-loan.com 에서 확인", "not an official domain"),
        ("인증번호 {code} 앱을 설치해 주세요", "install"),
        ("인증번호 {code} 수수료를 송금하세요", "transfer"),
        ("인증번호 {code} {amount}원", "undeclared placeholder"),
    ],
)
def test_fraud_unsafe_or_broken_templates_are_refused_at_load(text: str, problem: str) -> None:
    with pytest.raises(TemplateError, match=problem) as refused:
        parse_templates(document(text))
    assert str(refused.value).startswith("t@1.text_ko")


def test_an_official_link_is_allowed_and_the_newest_version_in_force_is_used() -> None:
    book = parse_templates(document("인증번호 {code} www.kinfa.or.kr"))
    assert book.current("t", date(2026, 1, 1)).version == 1
    with pytest.raises(KeyError):
        book.current("t", date(2025, 12, 31))


def test_an_installment_is_not_an_install_but_installing_an_app_is_refused() -> None:
    from seomin.domain.notifications import Template, TemplateError, check_template

    def template(text_en: str) -> Template:
        return Template("t", 1, date(2025, 1, 1), "sms", (), "[서민금융진흥원] 안내", text_en)

    check_template(template("Your installment is due."), frozenset())
    with pytest.raises(TemplateError, match="install"):
        check_template(template("Please install our app."), frozenset())
    with pytest.raises(TemplateError, match="not an official domain"):
        check_template(template("See kinfa-loan.com now."), frozenset({"kinfa.or.kr"}))

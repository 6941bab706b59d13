"""The application's document checklist in both languages (TestClient, SQLite and PostgreSQL): what each
document is, who issues it and how to get it, in English on the English page."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from markupsafe import escape
from test_pages_apply import LOAN, PROFILE, sign_in

from seomin.adapters.catalog_files import default_catalog

pytestmark = pytest.mark.usefixtures("fast_password_hashing")


def checklist(client: TestClient, lang: str, **profile: str) -> str:
    answer = client.post(f"/apply?lang={lang}", data={**LOAN, **PROFILE, **profile, "step": "profile"})
    assert answer.status_code == 200, answer.text
    return answer.text


def test_the_checklist_describes_each_document_in_the_page_language(client: TestClient) -> None:
    sign_in(client)
    documents = default_catalog().document_types
    english = checklist(client, "en")
    korean = checklist(client, "ko")
    for code in ("employment_certificate", "income_amount_certificate", "health_insurance_eligibility"):
        d = documents[code]
        issuer_en, how_en = str(escape(d.issuer_en)), str(escape(d.how_en))
        assert issuer_en in english and how_en in english, code
        assert d.issuer_ko not in english and d.how_ko not in english, code
        assert d.issuer_ko in korean and d.how_ko in korean and how_en not in korean, code
    pension = checklist(client, "en", occupation="pensioner", pension_payments="12", employed_months="")
    assert str(escape(documents["pension_receipt_certificate"].how_en)) in pension

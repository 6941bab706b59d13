"""The document checklist in English in a real browser (on a phone): each document's issuer and how to get
it read in English, with no serious accessibility problem."""

from __future__ import annotations

import re
from typing import Any

from conftest import Site, assert_accessible
from identity_steps import verify_in_browser
from seomin.adapters.catalog_files import default_catalog


def documents_step(site: Site, phone: Any) -> None:
    """Through the application's first steps, in English, to the document checklist."""
    identity = site("/identity?next=/apply&lang=en")
    verify_in_browser(phone, identity, "나영어", "920202-2345678", "010-2468-1357")
    phone.wait_for_url(re.compile(r"/apply"))
    start_again = phone.get_by_role("button", name="Delete it and start again")
    if start_again.count():  # the earlier test's application waits as a draft: offered first
        start_again.click()
    phone.get_by_role("link", name=re.compile("Apply for this")).first.click()
    phone.fill("#amount", "3000000")
    phone.select_option("#term_months", "60")
    phone.select_option("#grace_months", "0")
    phone.get_by_role("button", name="Next: your situation").click()
    phone.fill("#annual_income", "28000000")
    phone.fill("#kcb_score", "610")
    phone.get_by_label("I have a job (employee)").check()
    phone.fill("#employed_months", "30")
    phone.get_by_label("Applied and was turned down").check()
    phone.select_option("#region", "서울")
    phone.get_by_role("button", name="Next: documents").click()


def test_the_checklist_reads_in_english(site: Site, phone: Any) -> None:
    documents_step(site, phone)
    checklist = phone.locator(".checklist").inner_text()
    employment = default_catalog().document_types["employment_certificate"]
    assert employment.name_en in checklist and employment.issuer_en in checklist
    assert employment.how_en in checklist and employment.how_ko not in checklist
    assert not re.search("[가-힣]", phone.locator(".doc-how").first.inner_text())
    assert_accessible(phone)


def test_the_documents_step_fits_a_phone(site: Site, phone: Any) -> None:
    documents_step(site, phone)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360

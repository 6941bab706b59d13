"""상환 계산 through the real app (TestClient, both databases): the figures of the simulation service shown
in Korean display, the charts, the HTMX fragment and the 422s beside their fields."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient


def kpi(html: str, name: str) -> str:
    found = re.search(rf'data-kpi="{name}">([^<]+)<', html)
    assert found, f"no {name} figure on the page"
    return found.group(1)


def test_the_first_visit_shows_the_default_loan_of_the_lowest_credit_guarantee(client: TestClient) -> None:
    response = client.get("/simulate")
    assert response.status_code == 200
    html = response.text
    assert '<option value="lowest-credit-special" selected>' in html
    assert 'value="5,000,000"' in html  # the first-time limit, seed 004 §3
    assert kpi(html, "first") == kpi(html, "typical")
    assert 'role="img"' in html and "<svg" in html  # the charts, inline and labelled
    assert "2025.06.16" in html  # the first due date: 2025-06-15 is a Sunday, so the next business day


def test_haessal15_20_million_over_60_months_pays_485299_won_a_month(client: TestClient) -> None:
    response = client.get(
        "/simulate",
        params={"product": "haessal-15", "amount": "2000만", "term_months": "60", "grace_months": "0"},
    )
    assert response.status_code == 200
    html = response.text
    assert kpi(html, "first") == "485,299원"
    assert kpi(html, "typical") == "485,299원"
    assert "연 15.9%" in html


def test_the_step_down_path_is_compared_with_the_contract_rate(client: TestClient) -> None:
    html = client.get(
        "/simulate",
        params={
            "product": "lowest-credit-special",
            "amount": "5000000",
            "term_months": "60",
            "grace_months": "0",
        },
    ).text
    # 60 months: 1.5%p a year for on-time payers (seed 004 §4), 15.9 → 14.4 → 12.9 → 11.4 → 9.9
    for rate in ("15.9%", "14.4%", "12.9%", "11.4%", "9.9%"):
        assert rate in html
    saving = re.search(r"이자를 <strong>([\d,]+)원</strong> 덜 냅니다", html)
    assert saving and int(saving.group(1).replace(",", "")) > 0


def test_a_grace_year_pays_interest_only_first(client: TestClient) -> None:
    html = client.get(
        "/simulate",
        params={
            "product": "lowest-credit-special",
            "amount": "5000000",
            "term_months": "36",
            "grace_months": "12",
        },
    ).text
    assert kpi(html, "first") == "66,250원"  # 5,000,000 × 15.9% / 12, truncated
    assert kpi(html, "typical") != kpi(html, "first")
    assert "이자만" in html


def test_the_preferential_rate_lowers_the_rate_by_a_tenth(client: TestClient) -> None:
    html = client.get(
        "/simulate",
        params={
            "product": "lowest-credit-special",
            "amount": "5000000",
            "term_months": "60",
            "grace_months": "0",
            "preferential": "consulting",
        },
    ).text
    assert "연 15.8%" in html


def test_an_amount_above_the_limit_is_a_422_beside_the_amount(client: TestClient) -> None:
    response = client.get(
        "/simulate", params={"product": "lowest-credit-special", "amount": "20000000", "term_months": "60"}
    )
    assert response.status_code == 422
    html = response.text
    assert 'id="amount-error"' in html
    assert "1인 한도는 1,000만 원입니다" in html
    assert 'href="#amount"' in html  # the error summary links to the field
    assert 'value="20000000"' in html  # what was typed is kept
    assert 'data-kpi="first"' not in html


@pytest.mark.parametrize("amount", ["abc", "0", ""])
def test_an_unreadable_amount_is_a_422(client: TestClient, amount: str) -> None:
    response = client.get("/simulate", params={"product": "haessal-15", "amount": amount})
    assert response.status_code == 422
    assert 'id="amount-error"' in response.text


def test_an_unknown_product_is_a_422_on_the_product(client: TestClient) -> None:
    response = client.get("/simulate", params={"product": "nope", "amount": "1000000"})
    assert response.status_code == 422
    assert 'id="product-error"' in response.text


def test_htmx_gets_only_the_panel(client: TestClient) -> None:
    response = client.get(
        "/simulate", params={"product": "haessal-15", "amount": "20000000"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<div id="simulator"')
    assert "<html" not in response.text
    bad = client.get("/simulate", params={"amount": "x"}, headers={"HX-Request": "true"})
    assert bad.status_code == 422 and "<html" not in bad.text and 'id="amount-error"' in bad.text


def test_english(client: TestClient) -> None:
    html = client.get("/simulate", params={"lang": "en", "amount": "5000000"}).text
    assert "First payment" in html and "Monthly payment by period" in html


def test_a_huge_amount_is_told_the_products_limit_not_the_parsers(client: TestClient) -> None:
    """Issue 12: 5조 was answered "enter 1,000,000,000,000원 or less"; the product's limit is what matters."""
    html = client.get("/simulate?product=lowest-credit-special&amount=5000000000000").text
    assert "1인 한도는" in html and "1,000,000,000,000" not in html

"""What every page shares, through the real app (TestClient, both databases): HTML errors where the API
answers JSON, the security headers, the cross-site form guard, the language switch and /vendor."""

from __future__ import annotations

from fastapi.testclient import TestClient

from seomin.services.platform import Platform


def test_an_unknown_page_is_an_html_404_in_korean(client: TestClient) -> None:
    response = client.get("/nope")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "찾는 화면이 없습니다" in response.text
    api = client.get("/api/v1/nope")
    assert api.headers["content-type"] == "application/json"


def test_pages_carry_a_content_security_policy(client: TestClient) -> None:
    response = client.get("/")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert response.headers["x-content-type-options"] == "nosniff"
    api = client.get("/api/v1/health").headers  # the API answers carry the same headers
    assert api["content-security-policy"] == response.headers["content-security-policy"]
    assert api["x-content-type-options"] == "nosniff" and api["referrer-policy"] == "same-origin"
    assert "strict-transport-security" not in response.headers  # plain HTTP in development


def test_production_and_https_answers_ask_for_https_only(client: TestClient, platform: Platform) -> None:
    platform.environment = "production"
    assert "max-age=31536000" in client.get("/").headers["strict-transport-security"]
    assert "max-age=31536000" in client.get("/api/v1/health").headers["strict-transport-security"]


def test_a_form_posted_from_another_site_is_refused(client: TestClient) -> None:
    response = client.post("/", headers={"Origin": "https://evil.example"})
    assert response.status_code == 403
    same = client.post("/", headers={"Origin": "http://testserver"})
    assert same.status_code == 405  # reached the app: no POST route on the home page
    assert client.post("/", headers={"Origin": "null"}).status_code == 403  # sandboxed frames, data: pages
    foreign = client.post("/", headers={"Referer": "https://evil.example/form"})  # no Origin at all
    assert foreign.status_code == 403
    assert client.post("/", headers={"Referer": "http://testserver/help"}).status_code == 405
    api = client.post("/api/v1/eligibility", headers={"Origin": "null"}, json={})
    assert api.status_code == 422  # the API takes no cookies: not origin-checked


def test_english_is_a_switch_and_is_remembered(client: TestClient) -> None:
    assert '<html lang="ko">' in client.get("/").text
    english = client.get("/?lang=en")
    assert '<html lang="en">' in english.text
    assert english.cookies.get("lang") == "en"
    assert '<html lang="en">' in client.get("/").text


def test_money_and_dates_use_korean_display(client: TestClient) -> None:
    text = client.get("/").text
    assert (
        "최대 1,000만 원" in text
    )  # the lowest-credit special guarantee's limit, 만 원 where it reads better
    assert "2025.05.15 기준" in text


def test_a_bad_typed_parameter_on_a_page_is_an_html_422(client: TestClient) -> None:
    response = client.get("/manage/supply.csv", params={"year": "not-a-year"})
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("text/html")
    assert "입력값을 확인해 주세요" in response.text
    assert "year" in response.text


def test_the_apply_form_takes_a_real_scan_and_other_pages_keep_the_small_limit(client: TestClient) -> None:
    scan = b"%PDF" + b"\0" * (3 << 20)  # a 3 MiB document: over the 256 KiB limit of ordinary bodies
    upload = client.post("/apply", files={"doc_0_file": ("scan.pdf", scan, "application/pdf")})
    assert upload.status_code != 413  # reached the page (which then asks for sign-in)
    big = client.post("/check", content=b"x" * (300 << 10), headers={"Content-Type": "text/plain"})
    assert big.status_code == 413
    assert big.headers["content-type"].startswith("text/html") and "너무 큽니다" in big.text


def test_the_language_switch_keeps_the_page_and_its_answers(client: TestClient) -> None:
    page = client.get(
        "/simulate", params={"product": "lowest-credit-special", "amount": "300만", "lang": "ko"}
    )
    assert 'href="/simulate?product=lowest-credit-special&amp;amount=300%EB%A7%8C&amp;lang=en"' in page.text


def test_the_hotlines_are_tappable_and_nothing_else_changes(client: TestClient) -> None:
    """Issue 12: 1397 (and the FSS's 1332) call on a tap on a phone; the words around them stay escaped."""
    from seomin.adapters.web.rendering import tel

    assert (
        str(tel("1397에 전화하세요 <b>")) == '<a href="tel:1397" class="tel">1397</a>에 전화하세요 &lt;b&gt;'
    )
    assert str(tel("1332나 1397")) == (
        '<a href="tel:1332" class="tel">1332</a>나 <a href="tel:1397" class="tel">1397</a>'
    )
    assert str(tel("13,970원, 21397, 1397.5")) == "13,970원, 21397, 1397.5"  # only the numbers alone
    home = client.get("/").text
    assert 'href="tel:1397"' in home  # the footer on every page, and the home page's help

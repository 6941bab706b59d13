"""/docs in a real browser: Swagger UI renders from the app's own assets under the page CSP (no CDN, no
inline script), and no script or style was refused."""

from __future__ import annotations

from typing import Any

from conftest import Site


def test_the_api_documentation_renders_offline_under_the_csp(site: Site, page: Any) -> None:
    refused: list[str] = []
    page.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)
    outside: list[str] = []
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(site("")) else None)
    page.goto(site("/docs"))
    page.wait_for_selector(".swagger-ui .info .title", timeout=15_000)
    assert "seomin" in page.inner_text(".swagger-ui .info .title")
    assert page.locator(".opblock-tag").count() >= 4  # public, applicant, staff, bank
    assert refused == [] and outside == []

"""The public HTTP API through its real HTTP layer: the contracts equal the CLI's JSON, bad input is a 422
naming the field, unknown routes are JSON 404s, and no input (fuzzed by Hypothesis) produces a 500."""

from __future__ import annotations

import json
import logging
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import httpx
import pytest
from fastapi import APIRouter, FastAPI, Request
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from seomin.adapters.catalog_files import default_catalog
from seomin.adapters.http import create_app
from seomin.adapters.http import public as public_module
from seomin.adapters.http.public import NOTE_HEADER, RequestRoute, SafeJSONResponse, header_safe

SEOMIN = shutil.which("seomin") or str(Path(sys.executable).with_name("seomin"))
AS_OF = "2025-05-01"
LOWEST = "lowest-credit-special"

PROFILE: dict[str, Any] = {
    "birth_date": "1985-03-01",
    "annual_income": 30_000_000,
    "kcb_score": 690,
    "nice_score": 730,
    "occupation": "employee",
    "employed_months": 24,
    "pension_payments": 0,
    "haessal15": "rejected",
    "public_record": False,
    "debt_adjustment": None,
    "region": "서울",
    "existing_loans": [],
}

# name -> (product, profile overrides, as_of): the same input goes to `seomin check` and to the API.
ELIGIBILITY_CASES: dict[str, tuple[str, dict[str, Any], str]] = {
    "ineligible-with-alternatives": ("lowest-credit-special", {}, AS_OF),
    "eligible-bank-by-name": (
        "lowest-credit-special",
        {
            "kcb_score": 640,
            "nice_score": None,
            "preferential": ["consulting"],
            "requested_bank": "DB저축은행",
        },
        AS_OF,
    ),
    "needs-confirmation": ("lowest-credit-special", {"kcb_score": None, "nice_score": None}, AS_OF),
    "requested-amount-too-high": (
        "lowest-credit-special",
        {"kcb_score": 600, "requested_amount": 9_000_000},
        AS_OF,
    ),
    "new-lineup": ("haessal-general", {"kcb_score": 600, "region": "부산광역시"}, "2026-03-02"),
}

# name -> (product, amount, term, grace, start, extra CLI flags, extra API fields)
SIMULATION_CASES: dict[str, tuple[str, int, int, int, str, list[str], dict[str, Any]]] = {
    "step-down-grace-preferential": (
        "lowest-credit-special", 5_000_000, 60, 12, "2025-01-31",
        ["--preferential", "consulting"], {"preferential": ["consulting"]},
    ),
    "contract-schedule": (
        "haessal-15", 20_000_000, 60, 0, "2025-03-10", ["--no-step-down"], {"step_down": False},
    ),
    "vulnerable-youth": (
        "haessal-youth", 9_000_000, 36, 24, "2025-07-01", ["--vulnerable"], {"vulnerable": True},
    ),
    "retired-product-note": ("haessal-17", 5_000_000, 60, 0, AS_OF, [], {}),
}  # fmt: skip

PRODUCT_DAYS = ("2025-05-01", "2026-03-02")

BAD_PROFILE = {**PROFILE, "kcb_score": 2000}


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([SEOMIN, *args], capture_output=True, text=True, timeout=120, check=False)


def eligibility_body(product: str, overrides: dict[str, Any], as_of: str | None = AS_OF) -> dict[str, Any]:
    return {"product": product, "profile": {**PROFILE, **overrides}, "as_of": as_of}


def simulation_body(**fields: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "product": "lowest-credit-special",
        "amount": 5_000_000,
        "term_months": 60,
        "grace_months": 12,
        "start": AS_OF,
    }
    body.update(fields)
    return body


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with TestClient(create_app()) as c:
        yield c


@pytest.fixture(scope="module")
def cli(tmp_path_factory: pytest.TempPathFactory) -> dict[str, subprocess.CompletedProcess[str]]:
    """Every CLI run the comparisons need, started at once (each is a fresh interpreter)."""
    folder = tmp_path_factory.mktemp("profiles")
    jobs: dict[str, tuple[str, ...]] = {}
    for name, (product, overrides, as_of) in ELIGIBILITY_CASES.items():
        path = folder / f"{name}.json"
        path.write_text(json.dumps({**PROFILE, **overrides}, ensure_ascii=False), encoding="utf-8")
        jobs[f"check:{name}"] = (
            "check",
            "--product",
            product,
            "--profile",
            str(path),
            "--as-of",
            as_of,
            "--json",
        )
    for name, (product, amount, term, grace, start, flags, _) in SIMULATION_CASES.items():
        jobs[f"simulate:{name}"] = (
            "simulate", "--product", product, "--amount", str(amount), "--term-months", str(term),
            "--grace-months", str(grace), "--start", start, *flags, "--json",
        )  # fmt: skip
    for day in PRODUCT_DAYS:
        jobs[f"products:{day}"] = ("products", "--on", day, "--json")
    bad = folder / "bad.json"
    bad.write_text(json.dumps(BAD_PROFILE), encoding="utf-8")
    jobs["check:bad"] = (
        "check",
        "--product",
        "lowest-credit-special",
        "--profile",
        str(bad),
        "--as-of",
        AS_OF,
    )
    with ThreadPoolExecutor(max_workers=4) as pool:
        futures = {key: pool.submit(run_cli, *args) for key, args in jobs.items()}
        return {key: f.result() for key, f in futures.items()}


def assert_422(response: httpx.Response, field: str, *, contains: str = "") -> dict[str, str]:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/json")
    detail = response.json()["detail"]
    assert isinstance(detail, list)
    assert detail
    for item in detail:
        assert set(item) == {"field", "message", "type"}
        assert all(isinstance(v, str) and v for v in item.values()), item
    fields = [item["field"] for item in detail]
    assert field in fields, detail
    found: dict[str, str] = detail[fields.index(field)]
    assert contains in found["message"], found
    assert "Traceback" not in response.text
    return found


# --- the contracts equal the CLI's JSON ------------------------------------------------------------


@pytest.mark.parametrize("name", ELIGIBILITY_CASES)
def test_eligibility_equals_the_cli_json(
    name: str, client: TestClient, cli: dict[str, subprocess.CompletedProcess[str]]
) -> None:
    product, overrides, as_of = ELIGIBILITY_CASES[name]
    expected = cli[f"check:{name}"]
    assert expected.returncode == 0, expected.stderr
    response = client.post("/api/v1/eligibility", json=eligibility_body(product, overrides, as_of))
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    assert response.json() == json.loads(expected.stdout)


def test_the_eligibility_cases_cover_every_status(cli: dict[str, subprocess.CompletedProcess[str]]) -> None:
    statuses = {json.loads(cli[f"check:{name}"].stdout)["status"] for name in ELIGIBILITY_CASES}
    assert statuses == {"eligible", "ineligible", "needs_confirmation"}


@pytest.mark.parametrize("name", SIMULATION_CASES)
def test_simulation_equals_the_cli_json(
    name: str, client: TestClient, cli: dict[str, subprocess.CompletedProcess[str]]
) -> None:
    product, amount, term, grace, start, _, fields = SIMULATION_CASES[name]
    expected = cli[f"simulate:{name}"]
    assert expected.returncode == 0, expected.stderr
    body = {"product": product, "amount": amount, "term_months": term, "grace_months": grace, "start": start}
    response = client.post("/api/v1/simulations", json={**body, **fields})
    assert response.status_code == 200, response.text
    assert response.json() == json.loads(expected.stdout)
    cli_notes = [
        line.removeprefix("seomin: note: ")
        for line in expected.stderr.splitlines()
        if line.startswith("seomin: note: ")
    ]
    api_notes = [unquote(v) for v in response.headers.get_list(NOTE_HEADER)]
    assert api_notes == cli_notes


def test_a_retired_product_is_simulated_with_a_note_header_and_an_unchanged_body(client: TestClient) -> None:
    response = client.post("/api/v1/simulations", json=simulation_body(product="haessal-17", grace_months=0))
    assert response.status_code == 200
    assert set(response.json()) == {
        "product",
        "amount",
        "installments",
        "total_interest",
        "total_payment",
        "interest_payback",
    }
    (note,) = response.headers.get_list(NOTE_HEADER)
    assert note.isascii()
    assert "haessal-15" in unquote(note)
    assert NOTE_HEADER not in client.post("/api/v1/simulations", json=simulation_body()).headers


def test_note_headers_are_ascii_and_decode_back() -> None:
    text = "햇살론17 is not offered: 100% 다음 상품\nhaessal-15"
    encoded = header_safe(text)
    assert encoded.isascii()
    assert all(" " <= c <= "~" for c in encoded)
    assert unquote(encoded) == text


@pytest.mark.parametrize("day", PRODUCT_DAYS)
def test_products_equal_the_cli_json(
    day: str, client: TestClient, cli: dict[str, subprocess.CompletedProcess[str]]
) -> None:
    expected = cli[f"products:{day}"]
    assert expected.returncode == 0, expected.stderr
    response = client.get("/api/v1/products", params={"on": day})
    assert response.status_code == 200
    assert response.json() == json.loads(expected.stdout)


def test_products_list_the_line_up_of_the_day(client: TestClient) -> None:
    def ids(day: str) -> set[str]:
        return {p["id"] for p in client.get("/api/v1/products", params={"on": day}).json()}

    assert "lowest-credit-special" in ids("2025-05-01")
    assert "haessal-general" not in ids("2025-05-01")
    assert "haessal-general" in ids("2026-03-02")
    assert "lowest-credit-special" not in ids("2026-03-02")
    assert "haessal-17" in ids("2020-01-01")
    assert client.get("/api/v1/products").status_code == 200  # today, in Korea
    assert_422(client.get("/api/v1/products", params={"on": "2025-02-30"}), "on")
    assert_422(client.get("/api/v1/products", params={"on": "20250501"}), "on")


def test_profile_errors_match_the_cli(
    client: TestClient, cli: dict[str, subprocess.CompletedProcess[str]]
) -> None:
    expected = cli["check:bad"]
    assert expected.returncode == 2
    item = assert_422(
        client.post(
            "/api/v1/eligibility",
            json={"product": "lowest-credit-special", "profile": BAD_PROFILE, "as_of": AS_OF},
        ),
        "profile.kcb_score",
    )
    assert expected.stderr.strip() == f"seomin: {item['field']}: {item['message']}"


# --- bad input is a 422 naming the field --------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "field", "contains"),
    [
        (eligibility_body("no-such-product", {}), "product", "unknown product"),
        (eligibility_body("haessal-17", {}), "product", "succeeded by haessal-15"),
        (eligibility_body("haessal-general", {}), "product", "starts on 2026-01-02"),
        ({**eligibility_body("lowest-credit-special", {}), "product": 7}, "product", ""),
        (eligibility_body("lowest-credit-special", {"colour": "blue"}), "profile.colour", "not permitted"),
        (eligibility_body("lowest-credit-special", {"kcb_score": 2000}), "profile.kcb_score", "1000"),
        (eligibility_body("lowest-credit-special", {"annual_income": -1}), "profile.annual_income", ""),
        (eligibility_body("lowest-credit-special", {"annual_income": "lots"}), "profile.annual_income", ""),
        (eligibility_body("lowest-credit-special", {"occupation": "astronaut"}), "profile.occupation", ""),
        (eligibility_body("lowest-credit-special", {"region": "Atlantis"}), "profile.region", ""),
        (eligibility_body("lowest-credit-special", {"birth_date": "1985-02-30"}), "profile.birth_date", ""),
        (eligibility_body("miso", {"requested_bank": "x"}), "profile.requested_bank", "unknown bank"),
        (
            eligibility_body("miso", {"documents": [{"type": "selfie", "issued_on": AS_OF}]}),
            "profile.documents.0.type",
            "unknown document type",
        ),
        (
            eligibility_body(
                "lowest-credit-special",
                {"existing_loans": [{"product": "x", "bank": "db-sb", "amount": 1, "balance": 0,
                                     "executed_on": AS_OF}]},
            ),
            "profile.existing_loans.0.product",
            "unknown product",
        ),
        (
            eligibility_body(
                "lowest-credit-special",
                {"existing_loans": [{"product": "lowest-credit-special", "bank": "db-sb", "amount": 1,
                                     "balance": 1, "executed_on": "9999-12-31"}]},
            ),
            "profile.existing_loans.0.executed_on",
            "2100-12-31",
        ),
        (eligibility_body("lowest-credit-special", {"birth_date": "2030-01-01"}),
         "profile.birth_date", "after"),
        (
            eligibility_body(
                "lowest-credit-special",
                {"existing_loans": [{"product": "lowest-credit-special", "bank": "db-sb", "amount": 1,
                                     "balance": 1, "executed_on": "2030-01-02"}]},
            ),
            "profile.existing_loans.0.executed_on",
            "after the application date",
        ),
        (eligibility_body("lowest-credit-special", {"annual_income": 10**30}), "profile.annual_income", ""),
        (eligibility_body("lowest-credit-special", {"debt_adjustment": {"kind": "magic"}}),
         "profile.debt_adjustment.kind", ""),
        ({**eligibility_body("lowest-credit-special", {}), "profile": "me"}, "profile", "object"),
        ({"product": "lowest-credit-special", "as_of": AS_OF}, "profile", "required"),
        ({**eligibility_body("lowest-credit-special", {}), "as_of": "2025-13-01"}, "as_of", ""),
        ({**eligibility_body("lowest-credit-special", {}), "as_of": 1746057600}, "as_of", "YYYY-MM-DD"),
        ({**eligibility_body("lowest-credit-special", {}), "as_of": "2025-05-01T00:00:00"}, "as_of", ""),
        ({**eligibility_body("lowest-credit-special", {}), "extra": 1}, "extra", "not permitted"),
        # JSON types as such: text is not silently read as a number or a flag (issue 12)
        (eligibility_body(LOWEST, {"kcb_score": "640"}), "profile.kcb_score", "whole number"),
        (eligibility_body(LOWEST, {"annual_income": 3e7}), "profile.annual_income", "whole number"),
        (eligibility_body(LOWEST, {"public_record": "no"}), "profile.public_record", "true or false"),
        (eligibility_body(LOWEST, {"vulnerable": 1}), "profile.vulnerable", "true or false"),
    ],
)  # fmt: skip
def test_bad_eligibility_input_is_a_422_naming_the_field(
    client: TestClient, body: dict[str, Any], field: str, contains: str
) -> None:
    assert_422(client.post("/api/v1/eligibility", json=body), field, contains=contains)


@pytest.mark.parametrize(
    ("fields", "field", "contains"),
    [
        ({"amount": -5_000_000}, "amount", "greater than 0"),
        ({"amount": 0}, "amount", ""),
        ({"amount": 50_000_000}, "amount", "limit"),
        ({"amount": 10**40}, "amount", ""),
        ({"amount": "5000000"}, "amount", "integer"),
        ({"amount": 5e6}, "amount", "integer"),
        ({"amount": True}, "amount", "integer"),
        ({"amount": None}, "amount", ""),
        ({"term_months": 48}, "term_months", "36, 60"),
        ({"term_months": -1}, "term_months", ""),
        ({"grace_months": 3}, "grace_months", "0, 12"),
        ({"preferential": ["vip"]}, "preferential", "unknown preferential"),
        ({"preferential": "consulting"}, "preferential", ""),
        ({"step_down": "yes"}, "step_down", "boolean"),
        ({"vulnerable": 1}, "vulnerable", "boolean"),
        ({"method": "balloon"}, "method", "unknown method"),
        ({"product": "no-such-product"}, "product", "unknown product"),
        ({"product": ""}, "product", ""),
        ({"start": "2025-13-01"}, "start", ""),
        ({"start": "2999-01-01"}, "start", ""),
        ({"start": "9999-12-31"}, "start", ""),
        ({"colour": "blue"}, "colour", "not permitted"),
    ],
)
def test_bad_simulation_input_is_a_422_naming_the_field(
    client: TestClient, fields: dict[str, Any], field: str, contains: str
) -> None:
    assert_422(client.post("/api/v1/simulations", json=simulation_body(**fields)), field, contains=contains)


def test_missing_simulation_fields_are_named(client: TestClient) -> None:
    response = client.post("/api/v1/simulations", json={"product": "haessal-15"})
    assert_422(response, "amount", contains="required")
    assert_422(response, "term_months", contains="required")


@pytest.mark.parametrize("path", ["/api/v1/eligibility", "/api/v1/simulations"])
@pytest.mark.parametrize(
    ("content", "content_type", "kind"),
    [
        (b"", "application/json", "missing body"),
        (b"{not json", "application/json", "json_invalid"),
        (b'{"product": "haessal-15",}', "application/json", "json_invalid"),
        (b'"\xff\xfe"', "application/json", "json_invalid"),
        (b'{"product": "\\ud800"}', "application/json", "json_invalid"),
        (b"[]", "application/json", "not an object"),
        (b"null", "application/json", "not an object"),
        (b'{"product": "haessal-15"}', "text/plain", "not JSON"),
        (b'{"product": "haessal-15"}', None, "not JSON"),
    ],
)
def test_a_body_that_is_not_a_json_object_is_a_422_on_body(
    client: TestClient, path: str, content: bytes, content_type: str | None, kind: str
) -> None:
    headers = {"content-type": content_type} if content_type else {}
    item = assert_422(client.post(path, content=content, headers=headers), "body")
    if kind == "json_invalid":
        assert item["type"] == "json_invalid"
        assert item["message"].startswith("not valid JSON")


@pytest.mark.parametrize("chunked", [False, True])
def test_a_body_over_the_size_limit_is_a_json_413(client: TestClient, chunked: bool) -> None:
    body = eligibility_body("lowest-credit-special", {"region": "서울" + " " * 300_000})
    huge = json.dumps(body).encode()
    content: bytes | Iterator[bytes] = iter([huge[:1000], huge[1000:]]) if chunked else huge
    response = client.post(
        "/api/v1/eligibility", content=content, headers={"content-type": "application/json"}
    )
    assert response.status_code == 413
    assert "larger than" in response.json()["detail"]


# --- routes, OpenAPI, health ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/api/nope", 404),
        ("GET", "/api/v1/nope", 404),
        ("POST", "/api/v1/eligibility/extra", 404),
        ("GET", "/api/v2/health", 404),
        ("GET", "/api/v1/eligibility", 405),
        ("DELETE", "/api/v1/products", 405),
    ],
)
def test_unknown_routes_and_methods_answer_json(
    client: TestClient, method: str, path: str, status: int
) -> None:
    response = client.request(method, path)
    assert response.status_code == status
    assert response.headers["content-type"] == "application/json"
    assert isinstance(response.json()["detail"], str)


def test_openapi_documents_the_api_and_every_reference_resolves(client: TestClient) -> None:
    response = client.get("/openapi.json")
    assert response.status_code == 200
    spec = response.json()
    assert spec["info"]["title"] == "seomin"
    assert {"/api/v1/health", "/api/v1/products", "/api/v1/eligibility", "/api/v1/simulations"} <= set(
        spec["paths"]
    )
    assert all(p.startswith("/api/v1/") for p in spec["paths"])
    body = spec["paths"]["/api/v1/eligibility"]["post"]["requestBody"]["content"]["application/json"][
        "schema"
    ]
    assert body == {"$ref": "#/components/schemas/EligibilityBody"}
    schemas = spec["components"]["schemas"]
    assert schemas["EligibilityBody"]["additionalProperties"] is False
    assert "annual_income" in schemas["ApplicantProfile"]["properties"]
    assert set(schemas["ErrorItem"]["properties"]) == {"field", "message", "type"}

    def refs(node: Any) -> Iterator[str]:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "$ref":
                    yield value
                else:
                    yield from refs(value)
        elif isinstance(node, list):
            for value in node:
                yield from refs(value)

    found = set(refs(spec))
    assert "#/components/schemas/ApplicantProfile" in found
    for ref in found:
        assert ref.startswith("#/components/schemas/")
        assert ref.removeprefix("#/components/schemas/") in schemas, ref
    docs = client.get("/docs")
    assert docs.status_code == 200 and "script-src 'self'" in docs.headers["content-security-policy"]
    assert "<script>" not in docs.text and "https://" not in docs.text  # no inline script, no CDN
    for asset in ("swagger-ui.css", "swagger-ui-bundle.js", "docs-init.js"):
        assert client.get(f"/docs/assets/{asset}").status_code == 200, asset
    assert client.get("/docs/assets/..%2Fpyproject.toml").status_code == 404


def test_health(client: TestClient) -> None:
    response = client.get("/api/v1/health")
    assert response.status_code == 200
    data = response.json()
    assert data["status"] == "ok"
    assert data["catalog_versions"] == sum(1 for _ in default_catalog())


def test_an_unexpected_error_is_a_logged_500_without_traceback_or_input(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def explode(*args: Any) -> Any:
        raise RuntimeError(f"engine failed on {args[2]}")

    monkeypatch.setattr(public_module, "check_eligibility", explode)
    with caplog.at_level(logging.ERROR, logger="seomin.http"), TestClient(create_app()) as c:
        response = c.post("/api/v1/eligibility", json=eligibility_body("lowest-credit-special", {}))
    assert response.status_code == 500
    data = response.json()
    assert set(data) == {"detail", "error_id"}
    for leak in ("Traceback", "RuntimeError", "engine failed", "1985-03-01", "30000000", "서울"):
        assert leak not in response.text
    assert any(data["error_id"] in r.getMessage() and r.exc_info for r in caplog.records)


# --- fuzz: whatever the body, 200 or 422, never 500 ---------------------------------------------------

CATALOG = default_catalog()
PRODUCT_IDS = CATALOG.product_ids
DATES = st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)).map(date.isoformat)
NEAR_DATES = st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)).map(date.isoformat)
TEXT = st.text(st.characters(codec="utf-8"), max_size=12)
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.integers(min_value=-5, max_value=120)
    | st.floats(allow_nan=False, allow_infinity=False)
    | TEXT
    | DATES
    | st.sampled_from([*PRODUCT_IDS, *CATALOG.banks, *CATALOG.document_types, "서울", "employee", "using"])
)
JSON = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3),
    max_leaves=8,
)
PREFERENTIAL = ["consulting", "employment-support"]
IN_FORCE_DAYS = ["2020-01-01", "2023-06-15", "2025-05-01", "2025-07-01", "2026-03-02"]
PROFILE_FIELDS = [
    *PROFILE,
    "vulnerable",
    "basic_livelihood",
    "preferential",
    "requested_bank",
    "requested_amount",
]


@st.composite
def loans(draw: st.DrawFn) -> dict[str, Any]:
    amount = draw(st.integers(min_value=1, max_value=30_000_000))
    repaid = draw(st.booleans())
    return {
        "product": draw(st.sampled_from(PRODUCT_IDS)),
        "bank": draw(st.sampled_from(sorted(CATALOG.banks))),
        "amount": amount,
        "balance": 0 if repaid else draw(st.integers(min_value=0, max_value=amount)),
        "executed_on": draw(NEAR_DATES | DATES),
        "in_arrears": False if repaid else draw(st.booleans()),
        "repaid": repaid,
    }


@st.composite
def product_on_a_day(draw: st.DrawFn) -> tuple[str, str | None]:
    """Mostly a product in force on the day (so the engine runs), sometimes anything at all."""
    if draw(st.integers(0, 9)) < 7:
        day = draw(st.sampled_from(IN_FORCE_DAYS))
        return draw(st.sampled_from([v.id for v in CATALOG.in_force(date.fromisoformat(day))])), day
    return draw(st.sampled_from(PRODUCT_IDS)), draw(st.none() | NEAR_DATES | DATES)


@st.composite
def eligibility_bodies(draw: st.DrawFn) -> Any:
    profile: dict[str, Any] = dict(PROFILE)
    profile["kcb_score"] = draw(st.none() | st.integers(0, 1000))
    profile["annual_income"] = draw(st.integers(0, 60_000_000))
    profile["occupation"] = draw(
        st.sampled_from(["employee", "business", "freelancer", "pensioner", "unemployed"])
    )
    for key in draw(st.lists(st.sampled_from([*PROFILE_FIELDS, "unknown"]), max_size=3)):
        profile[key] = draw(JSON)
    if draw(st.booleans()):
        profile["existing_loans"] = draw(st.lists(loans(), max_size=2))
    if draw(st.booleans()):
        kind = draw(st.sampled_from(sorted(CATALOG.document_types)))
        profile["documents"] = [{"type": kind, "issued_on": draw(NEAR_DATES | DATES)}]
    if draw(st.booleans()):
        profile["birth_date"] = draw(NEAR_DATES | DATES)
    product, day = draw(product_on_a_day())
    body: dict[str, Any] = {"product": product, "profile": profile, "as_of": day}
    for key in draw(st.lists(st.sampled_from(["product", "profile", "as_of", "extra"]), max_size=2)):
        body[key] = draw(JSON)
    return body


@st.composite
def simulation_bodies(draw: st.DrawFn) -> Any:
    product, day = draw(product_on_a_day())
    terms = CATALOG.latest(product).terms
    body: dict[str, Any] = {
        "product": product,
        "amount": draw(st.integers(min_value=1, max_value=20_000_000) | st.integers(-1, 10**13)),
        "term_months": draw(
            st.sampled_from(terms.repayment_months) | st.integers(min_value=-2, max_value=700)
        ),
        "grace_months": draw(st.sampled_from(terms.grace_months) | st.integers(min_value=-2, max_value=700)),
        "start": day,
        "preferential": draw(st.lists(st.sampled_from([*PREFERENTIAL, "vip"]), max_size=2)),
        "step_down": draw(st.booleans()),
        "vulnerable": draw(st.booleans()),
        "method": draw(st.none() | st.sampled_from([*(m.value for m in terms.methods), "bullet", "x"])),
    }
    for key in draw(st.lists(st.sampled_from([*body, "extra"]), max_size=2)):
        body[key] = draw(JSON)
    return body


def assert_answered(response: httpx.Response) -> None:
    assert response.status_code in (200, 422), response.text
    data = response.json()
    if response.status_code == 422:
        assert data["detail"]
        assert all(set(item) == {"field", "message", "type"} for item in data["detail"])


FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FUZZ
@given(body=eligibility_bodies() | JSON)
def test_fuzzed_eligibility_bodies_never_fail_the_server(client: TestClient, body: Any) -> None:
    response = client.post("/api/v1/eligibility", json=body)
    assert_answered(response)
    if response.status_code == 200:
        assert set(response.json()) == {
            "product", "version", "as_of", "eligible", "status", "reasons", "offer", "alternatives",
        }  # fmt: skip


@FUZZ
@given(body=simulation_bodies() | JSON)
def test_fuzzed_simulation_bodies_never_fail_the_server(client: TestClient, body: Any) -> None:
    response = client.post("/api/v1/simulations", json=body)
    assert_answered(response)
    if response.status_code == 200:
        data = response.json()
        assert sum(i["principal"] for i in data["installments"]) == data["amount"]


@settings(max_examples=60, deadline=None)
@given(content=st.binary(max_size=64), path=st.sampled_from(["/api/v1/eligibility", "/api/v1/simulations"]))
def test_fuzzed_raw_bytes_are_422(client: TestClient, content: bytes, path: str) -> None:
    response = client.post(path, content=content, headers={"content-type": "application/json"})
    assert response.status_code == 422, response.text


# --- a real server ----------------------------------------------------------------------------------------


def test_a_real_uvicorn_server_answers_over_loopback(client: TestClient) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    code = f"from seomin.adapters.http.server import serve; serve('127.0.0.1', {port})"
    server = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(base_url=base, timeout=10) as http:
            deadline = time.monotonic() + 30
            while True:
                try:
                    if http.get("/api/v1/health").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                assert server.poll() is None, server.stdout.read().decode() if server.stdout else ""
                assert time.monotonic() < deadline, "server did not start"
                time.sleep(0.1)
            body = eligibility_body("lowest-credit-special", {"kcb_score": 640})
            response = http.post("/api/v1/eligibility", json=body)
            assert response.status_code == 200
            assert response.json() == client.post("/api/v1/eligibility", json=body).json()
            assert "server" not in response.headers
            assert_422(http.post("/api/v1/simulations", json=simulation_body(amount=-1)), "amount")
            assert http.get("/nope").status_code == 404
    finally:
        server.terminate()
        server.wait(timeout=10)
        if server.stdout:
            server.stdout.close()


@pytest.mark.parametrize(
    ("override", "field", "code"),
    [
        ({"birth_date": "2030-01-01"}, "profile.birth_date", "DATE_AFTER_APPLICATION"),
        (
            {
                "existing_loans": [
                    {
                        "product": "lowest-credit-special",
                        "bank": "db-sb",
                        "amount": 1,
                        "balance": 2,
                        "executed_on": "2025-01-02",
                    }
                ]
            },
            "profile.existing_loans.0",
            "LOAN_BALANCE_ABOVE_AMOUNT",
        ),
        (
            {
                "existing_loans": [
                    {
                        "product": "lowest-credit-special",
                        "bank": "db-sb",
                        "amount": 5,
                        "balance": 0,
                        "executed_on": "2025-01-02",
                        "repaid": True,
                        "in_arrears": True,
                    }
                ]
            },
            "profile.existing_loans.0",
            "LOAN_REPAID_IN_ARREARS",
        ),
    ],
)
def test_a_use_case_refusal_is_typed_by_its_stable_code(
    client: TestClient, override: dict[str, Any], field: str, code: str
) -> None:
    """Clients (and our own pages) tell problems apart by the code, never by the English message."""
    found = assert_422(
        client.post("/api/v1/eligibility", json=eligibility_body("lowest-credit-special", override)), field
    )
    assert found["type"] == code


def test_advice_lists_what_fits_cheapest_first_for_the_persons_group(client: TestClient) -> None:
    seeker = {
        "birth_date": "1999-04-01",
        "annual_income": 18_000_000,
        "kcb_score": 600,
        "occupation": "unemployed",
        "region": "서울",
    }
    answer = client.post(
        "/api/v1/advice", json={"profile": seeker, "as_of": "2026-03-02", "amount": 3_000_000}
    )
    assert answer.status_code == 200, answer.text
    found = answer.json()
    assert [a["product"] for a in found][:2] == ["haessal-youth", "illegal-finance-prevention"]
    youth = found[0]
    assert (youth["annual_rate"], youth["amount"], youth["term_months"], youth["monthly_payment"]) == (
        "4",
        3_000_000,
        60,
        55_250,
    )
    assert youth["to_confirm"] is True and youth["status"] == "eligible"
    rates = [float(a["annual_rate"]) for a in found]
    assert rates == sorted(rates)
    refused = client.post(
        "/api/v1/advice", json={"profile": seeker, "as_of": "2026-03-02", "refused": ["haessal-youth"]}
    ).json()
    assert "haessal-youth" not in [a["product"] for a in refused]
    bad = client.post("/api/v1/advice", json={"profile": {**seeker, "occupation": "astronaut"}})
    assert bad.status_code == 422 and bad.json()["detail"][0]["field"] == "profile.occupation"
    worker = {**seeker, "occupation": "employee", "employed_months": 24, "haessal15": "rejected"}
    in_2025 = client.post("/api/v1/advice", json={"profile": worker, "as_of": "2025-05-15"}).json()
    assert "haessal-15" not in [a["product"] for a in in_2025]  # it refused them: not suggested again


def test_the_2026_prevention_loan_shows_the_interest_paid_back_in_advance(client: TestClient) -> None:
    """불법사금융예방대출 from 2026: 12.5% interest-only for a year; half the interest paid comes back at full
    repayment, truncated to the won, shown before anyone borrows."""
    body = {
        "product": "illegal-finance-prevention",
        "amount": 1_000_000,
        "term_months": 12,
        "start": "2026-03-02",
    }
    simulated = client.post("/api/v1/simulations", json=body).json()
    assert simulated["total_interest"] == 124_992  # 12 × 10,416 (each month truncated to the won)
    assert simulated["interest_payback"] == 62_496
    vulnerable = client.post("/api/v1/simulations", json={**body, "vulnerable": True}).json()
    assert vulnerable["total_interest"] == 12 * 8_250 and vulnerable["interest_payback"] == 49_500
    before = client.post("/api/v1/simulations", json={**body, "start": "2025-06-02"}).json()
    assert before["interest_payback"] == 0  # 소액생계비대출 (2025) paid nothing back
    page = client.get(
        "/simulate?product=illegal-finance-prevention&amount=1000000&term_months=12&start=2026-03-02"
    )
    assert page.status_code == 200 and 'data-kpi="payback">62,496원<' in page.text
    assert "data-unconfirmed" in page.text and 'data-figure="*"' in page.text


def test_request_only_routes_skip_fastapis_handler_and_others_keep_it() -> None:
    """``RequestRoute`` calls an endpoint that takes only the Request directly; one with any parameter
    still has FastAPI solve and validate it, and a direct endpoint that forgets to build its Response is
    an error, not an empty 200."""
    router = APIRouter(route_class=RequestRoute)

    @router.post("/direct")
    async def direct(request: Request) -> SafeJSONResponse:
        return SafeJSONResponse({"body": (await request.body()).decode()})

    @router.get("/with-query")
    async def with_query(n: int) -> dict[str, int]:
        return {"n": n}

    @router.get("/forgot")
    async def forgot(request: Request) -> Any:
        return {"not": "a response"}

    app = FastAPI()
    app.include_router(router)
    routes = {r.path: r for r in router.routes if isinstance(r, RequestRoute)}
    assert routes["/direct"].get_route_handler().__qualname__.endswith("handler")
    assert "get_request_handler" in routes["/with-query"].get_route_handler().__qualname__
    with TestClient(app, raise_server_exceptions=False) as c:
        assert c.post("/direct", content=b"hi").json() == {"body": "hi"}
        assert c.get("/with-query", params={"n": "7"}).json() == {"n": 7}
        assert c.get("/with-query", params={"n": "x"}).status_code == 422
        assert c.get("/forgot").status_code == 500
    assert "eligibility" in {getattr(r, "name", "") for r in public_module.router.routes}
    assert all(isinstance(r, RequestRoute) for r in public_module.router.routes)

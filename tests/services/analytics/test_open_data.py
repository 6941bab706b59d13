"""Open data: the export is k-anonymous on its quasi-identifiers and leaks no direct identifier (both DBs)."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl
import pytest
import typer
from sqlalchemy import select, update
from typer.testing import CliRunner

from builders import business_day, make_applicant, make_guarantee
from seomin.adapters import cli
from seomin.adapters.cli_policy import open_data_app
from seomin.adapters.db.models import Applicant, Application, Guarantee, Loan
from seomin.services.analytics.open_data import COLUMNS, QUASI_IDENTIFIERS, OpenDataError, export_open_data
from seomin.services.loans import execute_loan
from seomin.services.platform import Actor, ActorType, Platform

EXECUTED = date(2025, 5, 2)

# Profiles (birth date, region, income, KCB) -> how many loans. With k = 5: A and B are published, C (3
# loans) and D (1) are suppressed.
GROUPS: dict[str, tuple[tuple[date, str, int, int | None], int]] = {
    "A": ((date(1985, 3, 1), "서울", 28_000_000, 600), 7),
    "B": ((date(1992, 7, 9), "부산", 35_000_000, None), 5),
    "C": ((date(1960, 1, 20), "제주", 12_000_000, 520), 3),
    "D": ((date(2001, 11, 30), "세종", 41_000_000, 690), 1),
}


def _profile(birth: date, region: str, income: int, kcb: int | None) -> dict[str, Any]:
    return {
        "birth_date": birth.isoformat(),
        "annual_income": income,
        "kcb_score": kcb,
        "nice_score": None,
        "occupation": "employee",
        "employed_months": 24,
        "haessal15": "rejected",
        "region": region,
    }


def _loans(platform: Platform, groups: dict[str, tuple[tuple[date, str, int, int | None], int]]) -> None:
    """Executed loans through the bank-loan service; the applications carry the groups' profiles."""
    serial = 0
    for (birth, region, income, kcb), count in groups.values():
        for _ in range(count):
            serial += 1
            # Each group's members differ in exact birth day within the band, as real people would.
            day = birth.replace(day=min(birth.day + serial % 3, 28))
            applicant = make_applicant(platform, rrn=f"{day:%y%m%d}-2{serial:06d}", birth=day)
            bank = "sbi-sb" if serial % 4 == 0 else "kwangju"
            guarantee_id, certificate = make_guarantee(
                platform, applicant, amount=3_000_000 + 10_000 * serial, bank_code=bank
            )
            with platform.sessions.begin() as session:
                application_id = session.scalar(
                    select(Guarantee.application_id).where(Guarantee.id == guarantee_id)
                )
                session.execute(
                    update(Application)
                    .where(Application.id == application_id)
                    .values(
                        region=region,
                        profile_encrypted=platform.vault.encrypt(
                            json.dumps(_profile(day, region, income, kcb))
                        ),
                    )
                )
            with business_day(platform, EXECUTED):
                execute_loan(
                    platform, Actor(ActorType.BANK, bank), certificate, "123456", EXECUTED, f"x{serial}"
                )


def _direct_identifiers(platform: Platform) -> list[str]:
    """Every stored resident number, name and phone (decrypted, and in their usual spellings), the
    exact birth dates and every database id-like value."""
    found: list[str] = []
    with platform.sessions() as session:
        for a in session.scalars(select(Applicant)):
            rrn = platform.vault.decrypt(a.rrn_encrypted)
            phone = platform.vault.decrypt(a.phone_encrypted)
            found += [rrn, rrn.replace("-", ""), a.rrn_masked, platform.vault.decrypt(a.name_encrypted)]
            found += [phone, phone.replace("-", ""), a.phone_masked, a.birth_date.isoformat()]
            found += [a.rrn_hash]
        found += list(session.scalars(select(Guarantee.certificate_no)))
    return found


def _read(prefix: Path) -> tuple[pl.DataFrame, pl.DataFrame, str]:
    csv = prefix.with_name(prefix.name + ".csv")
    parquet = prefix.with_name(prefix.name + ".parquet")
    return (
        pl.read_csv(csv, infer_schema=False),
        pl.read_parquet(parquet),
        csv.read_text(encoding="utf-8"),
    )


def test_export_is_k_anonymous_and_leaks_no_identifier(platform: Platform, tmp_path: Path) -> None:
    _loans(platform, GROUPS)
    prefix = tmp_path / "open" / "loans"
    summary = export_open_data(platform, prefix, k=5)
    assert (summary.loans, summary.rows_written, summary.rows_suppressed) == (16, 12, 4)
    assert (summary.groups_written, summary.groups_suppressed) == (2, 2)

    from_csv, from_parquet, text = _read(prefix)
    assert from_csv.columns == [c.name for c in COLUMNS] == from_parquet.columns
    assert from_csv.height == from_parquet.height == 12
    for frame in (from_csv, from_parquet):
        sizes = frame.group_by(QUASI_IDENTIFIERS).len()
        assert sizes["len"].min() >= 5
    assert set(from_parquet["region"]) == {"서울", "부산"}
    a_rows = from_parquet.filter(pl.col("region") == "서울")
    assert set(a_rows["age_band"]) == {"40–49"} and set(a_rows["income_band"]) == {"2,000–3,000만"}
    assert set(a_rows["score_band"]) == {"600–649"}
    b_rows = from_parquet.filter(pl.col("region") == "부산")
    assert set(b_rows["age_band"]) == {"30–39"} and set(b_rows["score_band"]) == {"미상"}
    assert set(from_parquet["amount_rounded"]) == {3_000_000}
    assert set(from_parquet["executed_month"]) == {"2025-05"}
    assert set(from_parquet["sector"]) == {"bank", "savings_bank"}
    assert str(from_parquet["annual_rate_pct"][0]) == "15.90"

    # No direct identifier, exact date or id anywhere in the published files.
    published = [text, from_parquet.write_csv()]
    published += [p.read_text(encoding="utf-8") for p in summary.dictionary_paths]
    secrets = _direct_identifiers(platform)
    assert len(secrets) >= 16 * 9
    for content in published:
        for secret in secrets:
            assert secret not in content
        assert not re.search(r"\d{4}-\d{2}-\d{2}", content)  # dates only as months
        assert not re.search(r"\d{6}-?\d{7}", content)  # nothing shaped like a resident number
    assert not any("id" in name.split("_") for name in from_csv.columns)
    with platform.sessions() as session:
        amounts = {str(a) for a in session.scalars(select(Loan.amount))}
    assert not amounts & set(re.findall(r"\d+", text))  # exact amounts are rounded away


def test_larger_k_suppresses_more_and_sector_filters(platform: Platform, tmp_path: Path) -> None:
    _loans(platform, GROUPS)
    summary = export_open_data(platform, tmp_path / "k7", k=7)
    assert (summary.rows_written, summary.rows_suppressed, summary.groups_suppressed) == (7, 9, 3)
    only_banks = export_open_data(platform, tmp_path / "banks", k=2, sector="bank")
    frame = pl.read_parquet(tmp_path / "banks.parquet")
    assert only_banks.loans == 12 and set(frame["sector"]) == {"bank"}
    assert frame.group_by(QUASI_IDENTIFIERS).len()["len"].min() >= 2
    with pytest.raises(OpenDataError, match="unknown sector"):
        export_open_data(platform, tmp_path / "x", sector="casino")
    with pytest.raises(OpenDataError, match="k must be 2 or more"):
        export_open_data(platform, tmp_path / "x", k=1)


def test_empty_database_writes_empty_files(platform: Platform, tmp_path: Path) -> None:
    summary = export_open_data(platform, tmp_path / "none")
    assert (summary.loans, summary.rows_written, summary.rows_suppressed) == (0, 0, 0)
    assert pl.read_parquet(summary.parquet_path).columns == [c.name for c in COLUMNS]
    dictionary = json.loads(summary.dictionary_paths[0].read_text(encoding="utf-8"))
    assert [c["name"] for c in dictionary["columns"]] == [c.name for c in COLUMNS]
    assert all(c["ko"] and c["en"] for c in dictionary["columns"])


def test_cli_export(platform: Platform, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _loans(platform, {"A": GROUPS["A"], "D": GROUPS["D"]})
    monkeypatch.setattr(cli, "settings_platform", lambda: platform)
    wrapper = typer.Typer()
    wrapper.add_typer(open_data_app, name="open-data")
    runner = CliRunner()
    prefix = tmp_path / "cli"
    result = runner.invoke(wrapper, ["open-data", "export", "--out", str(prefix), "--k", "5", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["rows_written"], data["rows_suppressed"]) == (7, 1)
    assert len(data["files"]) == 4 and all(Path(f).exists() for f in data["files"])
    table = runner.invoke(wrapper, ["open-data", "export", "--out", str(prefix)])
    assert table.exit_code == 0 and "개방 데이터 7건" in table.stdout
    for args, message in ((["--k", "1"], "--k"), (["--sector", "casino"], "unknown sector")):
        bad = runner.invoke(wrapper, ["open-data", "export", "--out", str(prefix), *args])
        assert bad.exit_code == 2 and message in bad.stderr
        assert len(bad.stderr.strip().splitlines()) == 1

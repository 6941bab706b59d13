"""``seomin matching …`` as a user runs it: a real process, real files, exit codes."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import polars as pl

from seomin.services.analytics.synthetic import synthetic_applicants

SEOMIN = shutil.which("seomin") or str(Path(sys.executable).with_name("seomin"))


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [SEOMIN, "matching", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, **(env or {})},
    )


def test_batch_matching_of_a_file_writes_one_row_per_person(tmp_path: Path) -> None:
    people = tmp_path / "people.csv"
    synthetic_applicants(300, seed=5).write_csv(people)
    done = run("batch", str(people), "--as-of", "2025-05-01", "--out", str(tmp_path / "top.parquet"))
    assert done.returncode == 0, done.stderr
    assert "맞춤대출 · 300명" in done.stdout and "sainddol-bank" in done.stdout
    top = pl.read_parquet(tmp_path / "top.parquet")
    assert top.height == 300 and top.columns[:3] == ["applicant_id", "options", "top_product"]
    missing = run("batch", str(tmp_path / "nothere.csv"))
    assert missing.returncode == 2 and missing.stderr.strip().endswith("no such file")
    (tmp_path / "bad.csv").write_text("applicant_id,colour\nA1,blue\n", encoding="utf-8")
    bad = run("batch", str(tmp_path / "bad.csv"))
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1


def test_the_jobs_run_on_the_environments_database(tmp_path: Path) -> None:
    env = {"SEOMIN_VAR_DIR": str(tmp_path), "SEOMIN_DATABASE_URL": f"sqlite:///{tmp_path / 'dev.db'}"}
    refreshed = run("refresh-outcomes", env=env)
    assert refreshed.returncode == 0 and refreshed.stdout.startswith("0 loans, 0 groups")
    told = run("notify-graduates", env=env)
    assert told.returncode == 0 and told.stdout.strip() == "0 repayers looked at, 0 told"

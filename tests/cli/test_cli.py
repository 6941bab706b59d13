"""The ``seomin`` command, run as a user runs it: a real process, real files, its exit code and output."""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

SEOMIN = shutil.which("seomin") or str(Path(sys.executable).with_name("seomin"))


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([SEOMIN, *args], capture_output=True, text=True, timeout=120, check=False)


def check(profile: Path, as_of: str = "2025-05-01") -> subprocess.CompletedProcess[str]:
    return run(
        "check", "--product", "lowest-credit-special", "--profile", str(profile), "--as-of", as_of, "--json"
    )


def write_profile(tmp_path: Path, **overrides: Any) -> Path:
    profile: dict[str, Any] = {
        "birth_date": "1985-03-01",
        "annual_income": 30000000,
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
    profile.update(overrides)
    path = tmp_path / "profile.json"
    path.write_text(json.dumps(profile, ensure_ascii=False), encoding="utf-8")
    return path


def test_simulate_json_contract_matches_the_published_check() -> None:
    result = run(
        "simulate", "--product", "haessal-15", "--amount", "20000000", "--term-months", "60",
        "--start", "2025-03-10", "--no-step-down", "--json",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert set(data) == {
        "product",
        "amount",
        "installments",
        "total_interest",
        "total_payment",
        "interest_payback",
    }
    assert data["interest_payback"] == 0  # 햇살론15 pays no interest back
    assert data["product"] == "haessal-15"
    assert data["amount"] == 20_000_000
    first = data["installments"][0]
    assert set(first) == {"no", "due_date", "annual_rate", "payment", "principal", "interest", "balance"}
    assert first == {
        "no": 1,
        "due_date": "2025-04-10",
        "annual_rate": "15.9",
        "payment": 485_299,
        "principal": 220_299,
        "interest": 265_000,
        "balance": 19_779_701,
    }
    assert len(data["installments"]) == 60
    assert sum(i["principal"] for i in data["installments"]) == 20_000_000
    assert data["installments"][-1]["balance"] == 0
    assert data["total_payment"] == 20_000_000 + data["total_interest"]


def test_simulate_applies_the_step_down_by_default() -> None:
    result = run(
        "simulate", "--product", "lowest-credit-special", "--amount", "5000000", "--term-months", "60",
        "--grace-months", "12", "--start", "2025-01-31", "--preferential", "consulting", "--json",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)["installments"]
    assert len(rows) == 72
    assert [rows[i]["annual_rate"] for i in (0, 12, 24, 36, 48, 60)] == [
        "15.8",
        "14.3",
        "12.8",
        "11.3",
        "9.8",
        "9.8",
    ]
    assert all(r["principal"] == 0 for r in rows[:12])
    assert rows[0]["due_date"] == "2025-02-28"  # executed on the 31st: clamped to February's end


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--amount", "-5", "--term-months", "60"), "amount"),
        (("--amount", "5000000", "--term-months", "48"), "term_months"),
        (("--amount", "5000000", "--term-months", "60", "--grace-months", "3"), "grace_months"),
        (("--amount", "50000000", "--term-months", "60"), "limit"),
        (("--amount", "5000000", "--term-months", "60", "--preferential", "vip"), "preferential"),
        (("--amount", "5000000", "--term-months", "60", "--start", "2025-13-01"), "--start"),
    ],
)
def test_simulate_rejects_bad_input_in_one_line(args: tuple[str, ...], message: str) -> None:
    result = run("simulate", "--product", "lowest-credit-special", "--start", "2025-05-01", *args, "--json")
    assert result.returncode == 2
    assert result.stdout == ""
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.count("\n") == 1


def test_check_json_contract(tmp_path: Path) -> None:
    profile = write_profile(tmp_path)
    result = check(profile)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert {"eligible", "reasons", "offer", "alternatives"} <= set(data)
    assert data["eligible"] is False
    assert data["offer"] is None
    assert [r["code"] for r in data["reasons"]] == ["CREDIT_SCORE_ABOVE_CUTOFF"]
    assert "KCB 690 > 675" in data["reasons"][0]["message_en"]
    assert {"code", "message_ko", "message_en"} <= set(data["reasons"][0])
    assert "haessal-15" in data["alternatives"]


def test_check_eligible_offer(tmp_path: Path) -> None:
    profile = write_profile(tmp_path, kcb_score=650, preferential=["consulting"])
    result = check(profile)
    data = json.loads(result.stdout)
    assert data["eligible"] is True
    assert data["offer"]["max_amount"] == 5_000_000
    assert data["offer"]["annual_rate"] == "15.8"
    assert data["offer"]["term_months"] == [36, 60]


def test_check_names_the_successor_of_a_retired_product(tmp_path: Path) -> None:
    profile = write_profile(tmp_path)
    result = run(
        "check", "--product", "lowest-credit-special", "--profile", str(profile), "--as-of", "2026-03-01"
    )
    assert result.returncode == 2
    assert "haessal-special" in result.stderr


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"annual_income": -1}, "annual_income"),
        ({"kcb_score": 1001}, "kcb_score"),
        ({"nickname": "x"}, "nickname"),
        ({"occupation": "astronaut"}, "occupation"),
        ({"region": "Atlantis"}, "region"),
        ({"requested_bank": "nobank"}, "requested_bank"),
        ({"documents": [{"type": "selfie", "issued_on": "2025-04-20"}]}, "documents.0.type"),
        ({"existing_loans": [{"product": "lowest-credit-special", "bank": "kwangju", "amount": 100,
                              "balance": 200, "executed_on": "2025-01-01", "in_arrears": False,
                              "repaid": False}]}, "existing_loans.0"),
    ],
)  # fmt: skip
def test_check_rejects_bad_profiles_in_one_line(
    tmp_path: Path, overrides: dict[str, Any], field: str
) -> None:
    profile = write_profile(tmp_path, **overrides)
    result = check(profile)
    assert result.returncode == 2, result.stdout
    assert field in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.count("\n") == 1


def test_check_rejects_unreadable_files(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    for path in (bad, tmp_path / "missing.json"):
        result = run(
            "check", "--product", "lowest-credit-special", "--profile", str(path), "--as-of", "2025-05-01"
        )
        assert result.returncode == 2
        assert str(path) in result.stderr


def test_products_lists_the_line_up_of_a_day() -> None:
    result = run("products", "--on", "2026-03-01", "--json")
    assert result.returncode == 0, result.stderr
    ids = {p["id"] for p in json.loads(result.stdout)}
    assert {"haessal-special", "haessal-general", "illegal-finance-prevention"} <= ids
    assert "lowest-credit-special" not in ids


def test_tour_runs() -> None:
    result = run("tour")
    assert result.returncode == 0, result.stderr
    assert "최저신용자 특례보증" in result.stdout
    assert "HAESSAL15_NOT_REJECTED" in result.stdout


def test_screen_a_file_with_the_batch_engine(tmp_path: Path) -> None:
    from seomin.services.analytics import synthetic_applicants

    source = tmp_path / "applicants.parquet"
    synthetic_applicants(5_000, seed=3).write_parquet(source)
    decisions = tmp_path / "decisions.csv"
    result = run("screen", str(source), "--product", "lowest-credit-special", "--as-of", "2025-05-01",
                 "--out", str(decisions))  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "신청 가능" in result.stdout
    lines = decisions.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "applicant_id,status,eligible,codes,max_amount,annual_rate"
    assert len(lines) == 5_001


def test_screen_refuses_a_malformed_file_in_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("birth_date,annual_income\n1985-01-01,-3\n", encoding="utf-8")
    result = run("screen", str(bad), "--as-of", "2025-05-01")
    assert result.returncode == 2
    assert "bad.csv" in result.stderr and "Traceback" not in result.stderr


def test_policy_simulation_from_the_command_line() -> None:
    result = run(
        "policy", "simulate", "--product", "lowest-credit-special", "--as-of", "2025-05-01",
        "--synthetic", "20000", "--seed", "7", "--kcb-max", "700", "--json",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["changes"] == {"eligibility.credit.kcb_max": {"current": 675, "proposed": 700}}
    assert data["population"] == 20_000
    # a higher cutoff can only let more people in
    assert data["proposed"]["eligible"] > data["current"]["eligible"]


def test_plan_check_contract_on_seed_000s_table() -> None:
    table = Path(__file__).parents[1] / "data" / "supply_plan_2020_2021.csv"
    result = run("plan", "check", str(table), "--json")
    assert result.returncode == 0, result.stderr
    shipped = run("plan", "check", "--json")  # no file: the copy the package ships
    assert shipped.returncode == 0 and json.loads(shipped.stdout) == json.loads(result.stdout)
    data = json.loads(result.stdout)
    assert data["rows"] == 13
    assert data["disagreements"] == [
        {"row": {"product_group": "햇살론", "channel": "YOUTH"}, "column": "stated_rate_pct",
         "printed": 100.6, "computed": 110.7},
        {"row": {"product_group": "햇살론", "channel": "소계"}, "column": "stated_rate_pct",
         "printed": 110.7, "computed": 103.0},
    ]  # fmt: skip
    missing = run("plan", "check", str(table.with_name("absent.csv")), "--json")
    assert missing.returncode == 2 and missing.stdout == ""


def run_in(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    import os

    return subprocess.run(
        [SEOMIN, *args], capture_output=True, text=True, timeout=120, check=False, env={**os.environ, **env}
    )


def test_production_does_not_start_with_the_local_identity_provider(tmp_path: Path) -> None:
    """SEOMIN_ENV=production refuses the development identity provider: the demo, the server's platform and
    every command that opens the database stop with one line, exit 2, and write nothing."""
    from cryptography.fernet import Fernet

    env = {
        "SEOMIN_ENV": "production",
        "SEOMIN_DATA_KEY": Fernet.generate_key().decode(),
        "SEOMIN_DATABASE_URL": f"sqlite:///{tmp_path / 'prod.db'}",
        "SEOMIN_VAR_DIR": str(tmp_path),
    }
    answer = run_in(env, "demo")
    assert answer.returncode == 2
    assert answer.stderr.count("\n") == 1 and "no certified identity provider" in answer.stderr
    assert not (tmp_path / "prod.db").exists()


def test_the_development_outbox_shows_what_a_phone_received(tmp_path: Path) -> None:
    env = {"SEOMIN_VAR_DIR": str(tmp_path), "SEOMIN_DATABASE_URL": f"sqlite:///{tmp_path / 'dev.db'}"}
    bad = run_in(env, "notify", "outbox", "--phone", "02-123")
    assert bad.returncode == 2 and bad.stderr.startswith("seomin: --phone:") and bad.stderr.count("\n") == 1
    empty = run_in(env, "notify", "outbox", "--phone", "010-2468-1357")
    assert empty.returncode == 0 and empty.stdout == ""
    assert run_in(env, "notify", "dispatch").stdout.strip() == "0 messages sent"


def admin_on_fresh_database(tmp_path: Path) -> Callable[..., subprocess.CompletedProcess[str]]:
    """``seomin admin …`` on a fresh SQLite database in ``tmp_path``: args, and ``stdin`` for prompts."""
    import os

    env = {
        **os.environ,
        "SEOMIN_VAR_DIR": str(tmp_path),
        "SEOMIN_DATABASE_URL": f"sqlite:///{tmp_path / 'a.db'}",
    }

    def admin(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [SEOMIN, "admin", *args],
            input=stdin,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
            env=env,
        )

    return admin


def test_administration_without_the_demo(tmp_path: Path) -> None:
    """Staff accounts and bank keys from the command line on a fresh database: every change one line, a
    bad value one line and exit 2, the password asked for and never an argument."""
    admin = admin_on_fresh_database(tmp_path)
    created = admin(
        "create-staff", "kim", "--role", "reviewer", "--name", "김심사", stdin="a long enough pw\n" * 2
    )
    assert created.returncode == 0 and "created" in created.stdout, created.stderr
    assert "a long enough pw" not in created.stdout
    bad_role = admin("set-role", "kim", "boss")
    assert bad_role.returncode == 2 and bad_role.stderr.count("\n") == 1 and "role" in bad_role.stderr
    assert admin("set-role", "kim", "supervisor").returncode == 0
    unknown = admin("deactivate", "nobody")
    assert unknown.returncode == 2 and unknown.stderr.count("\n") == 1
    assert admin("reset-password", "kim", stdin="another long pw\n" * 2).returncode == 0
    assert admin("deactivate", "kim").returncode == 0
    key = admin("issue-key", "kwangju").stdout.strip()
    prefix = key.partition(".")[0]
    rotated = admin("rotate-key", prefix).stdout.strip()
    assert rotated.partition(".")[0] != prefix
    again = admin("revoke-key", rotated.partition(".")[0])
    assert again.returncode == 0 and "kwangju" in again.stdout


def test_the_document_retention_job_runs_from_the_command_line(tmp_path: Path) -> None:
    env = {"SEOMIN_VAR_DIR": str(tmp_path), "SEOMIN_DATABASE_URL": f"sqlite:///{tmp_path / 'docs.db'}"}
    bad = run_in(env, "documents", "purge", "--date", "2025-13-01")
    assert bad.returncode == 2 and bad.stderr.startswith("seomin: --date:") and bad.stderr.count("\n") == 1
    future = run_in(env, "documents", "purge", "--date", "2999-01-01")
    assert (
        future.returncode == 2
        and future.stderr.splitlines()[-1] == "seomin: --date: 2999-01-01 is after today"
    )
    done = run_in(env, "documents", "purge", "--date", "2025-08-15")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == (
        "documents 2025-08-15: 0 documents of 0 applications past retention; 0 files deleted"
    )


def test_the_demo_carries_seed_000s_plan_and_the_2026_targets(tmp_path: Path) -> None:
    env = {"SEOMIN_VAR_DIR": str(tmp_path), "SEOMIN_DATABASE_URL": f"sqlite:///{tmp_path / 'demo.db'}"}
    loaded = run_in(env, "demo")
    assert loaded.returncode == 0, loaded.stderr
    with sqlite3.connect(tmp_path / "demo.db") as db:
        plans = dict(
            db.execute(
                "SELECT channel, amount_centi_eok FROM supply_plan_rows WHERE year = 2026 AND kind = 'plan'"
            ).fetchall()
        )
        years = {y for (y,) in db.execute("SELECT DISTINCT year FROM supply_plan_rows")}
    assert plans == {"특례보증": 2_330_000, "일반보증": 3_370_000}  # 억 원 × 100: 2.33조, 3.37조
    assert {2020, 2021, 2026} <= years


@pytest.mark.parametrize(
    ("args", "first_words"),
    [
        (
            ("simulate", "--product", "x", "--amount", "abc", "--term-months", "3"),
            "seomin simulate: Invalid value",
        ),
        (("simulate", "--amount", "5"), "seomin simulate: Missing option '--product'"),
        (("nope",), "seomin: No such command 'nope'"),
    ],
)
def test_bad_options_are_one_line_and_exit_2(args: tuple[str, ...], first_words: str) -> None:
    """Issue 12: click's multi-line box becomes the one line every other refusal is."""
    result = run(*args)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.startswith(first_words) and result.stderr.count("\n") == 1, result.stderr


def test_the_shipped_examples_run_as_the_readme_says(tmp_path: Path) -> None:
    examples = Path(__file__).parents[2] / "examples"
    checked = run("check", "--product", "lowest-credit-special", "--profile", str(examples / "profile.json"),
                  "--as-of", "2025-05-01", "--json")  # fmt: skip
    assert checked.returncode == 0 and json.loads(checked.stdout)["status"] == "eligible"
    screened = run("screen", str(examples / "applicants.csv"), "--product", "lowest-credit-special",
                   "--as-of", "2025-05-01", "--out", str(tmp_path / "decisions.csv"))  # fmt: skip
    assert screened.returncode == 0, screened.stderr
    statuses = [line.split(",")[1] for line in (tmp_path / "decisions.csv").read_text().splitlines()[1:]]
    assert statuses == ["eligible", "ineligible", "ineligible", "needs_confirmation"]


def test_load_knowledge_adds_the_starter_set_once(tmp_path: Path) -> None:
    """The knowledge base's starter set from the console: owned by a named writer, loaded once."""
    admin = admin_on_fresh_database(tmp_path)
    created = admin(
        "create-staff", "lee", "--role", "counselor", "--name", "이상담", stdin="a long enough pw\n" * 2
    )
    assert created.returncode == 0, created.stderr
    first = admin("load-knowledge", "lee")
    assert first.returncode == 0 and "added" in first.stdout, first.stderr
    assert int(first.stdout.split()[0]) >= 10
    assert admin("load-knowledge", "lee").stdout.startswith("0 ")
    unknown = admin("load-knowledge", "nobody")
    assert unknown.returncode == 2 and unknown.stderr.count("\n") == 1


@pytest.mark.parametrize("columns", ["80", "160"])
def test_products_print_every_id_whole_at_any_width(columns: str) -> None:
    """The ids are what the next command takes (`seomin check --product …`): never cut to "haessal…"."""
    listed = json.loads(run("products", "--all", "--json").stdout)
    result = run_in({"COLUMNS": columns}, "products", "--all")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    for product in listed:
        whole = f"{product['id']}@{product['version']}"
        assert any(whole in line for line in lines), whole
    assert "…" not in result.stdout


def test_the_readme_simulate_example_is_what_the_command_prints() -> None:
    """The README's JSON example is the default (on-time, step-down) schedule, not the contract one."""
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    shown = re.search(r'"total_interest": (\d+), "total_payment": (\d+)', readme)
    assert shown is not None
    result = run(
        "simulate", "--product", "haessal-15", "--amount", "20000000", "--term-months", "60",
        "--start", "2025-03-10", "--json",
    )  # fmt: skip
    printed = json.loads(result.stdout)
    assert (printed["total_interest"], printed["total_payment"]) == tuple(map(int, shown.groups()))
    assert printed["installments"][0]["payment"] == 485299

"""`seomin dormant import`: an institution's file from the command line, refused rows by line."""

from __future__ import annotations

from pathlib import Path

from test_cli import run_in

from seomin.services.dormant_deposits import FILE_COLUMNS


def cli_env(tmp_path: Path) -> dict[str, str]:
    """A development database of its own under ``tmp_path``."""
    return {"SEOMIN_VAR_DIR": str(tmp_path), "SEOMIN_DATABASE_URL": f"sqlite:///{tmp_path / 'dev.db'}"}


def test_import_an_institution_file_twice(tmp_path: Path) -> None:
    env = cli_env(tmp_path)
    file = tmp_path / "kb.csv"
    file.write_text(
        "\n".join(
            (
                ",".join(FILE_COLUMNS),
                "A-1,850301-1234567,보통예금,1000000,100,2024-05-15",
                "A-2,850301-1234567,정기예금,0,100,2024-05-15",
            )
        )
        + "\n",
        encoding="utf-8",
    )
    args = ("dormant", "import", str(file), "--institution", "kb", "--sector", "bank", "--total", "1000000")
    first = run_in(env, *args)
    assert first.returncode == 0, first.stderr
    assert "line 3:" in first.stdout and "1 added (1,000,000 won), 0 already held, 1 refused" in first.stdout
    assert "850301" not in first.stdout
    again = run_in(env, *args)
    assert "0 added (0 won), 1 already held" in again.stdout
    figures = run_in(env, "dormant", "figures")
    assert figures.stdout.splitlines() == [
        "sector,contributed,paid,donated,outstanding,interest_paid,interest_donated",
        "bank,1000000,0,0,1000000,0,0",
    ]
    assert run_in(env, "dormant", "figures", "--month", "2025-13").returncode == 2
    wrong = run_in(env, *args[:-1], "5")
    assert wrong.returncode == 2 and wrong.stderr.startswith("seomin: declared_total:")


def test_fee_billing_runs_from_the_command_line(tmp_path: Path) -> None:
    env = cli_env(tmp_path)
    done = run_in(env, "fees", "bill", "--date", "2025-05-15")
    assert done.returncode == 0 and "0 guarantee-fee charges posted up to 2025-05-15" in done.stdout, (
        done.stderr
    )
    bad = run_in(env, "fees", "bill", "--date", "2025-13-01")
    assert bad.returncode == 2 and bad.stderr.startswith("seomin: --date:")
    matched = run_in(env, "fees", "reconcile", "--bank", "kwangju", "--month", "2025-05")
    assert "kwangju 2025-05: billed 0 won, reported 0 won, 0 differences" in matched.stdout, matched.stderr
    wrong = run_in(env, "fees", "reconcile", "--bank", "kwangju", "--month", "May")
    assert wrong.returncode == 2 and wrong.stderr.startswith("seomin: month:")


def test_the_notifier_runs_from_the_command_line(tmp_path: Path) -> None:
    env = cli_env(tmp_path)
    done = run_in(env, "notify", "run", "--date", "2025-05-15")
    assert done.returncode == 0 and "0 event messages and 0 reminders queued for 2025-05-15" in done.stdout, (
        done.stderr
    )


def test_import_an_xlsx_file(tmp_path: Path) -> None:
    from openpyxl import Workbook

    env = cli_env(tmp_path)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(list(FILE_COLUMNS))
    sheet.append(["X-1", "850301-1234567", "보통예금", 5000, 100, "2024-05-15"])
    book.save(tmp_path / "kb.xlsx")
    args = ("dormant", "import", str(tmp_path / "kb.xlsx"), "--institution", "kb", "--sector", "bank")
    done = run_in(env, *args, "--total", "5000")
    assert done.returncode == 0 and "1 added (5,000 won)" in done.stdout, done.stderr
    (tmp_path / "bad.xlsx").write_bytes(b"PK\x03\x04 not a workbook")
    bad = run_in(
        env,
        "dormant",
        "import",
        str(tmp_path / "bad.xlsx"),
        "--institution",
        "kb",
        "--sector",
        "bank",
        "--total",
        "0",
    )
    assert bad.returncode == 2 and bad.stderr.startswith("seomin: file: not a readable XLSX")


def test_rights_holder_notices_write_a_mail_merge_file_without_resident_numbers(tmp_path: Path) -> None:
    env = cli_env(tmp_path)
    file = tmp_path / "kb.csv"
    rows = ("A-1,850301-1234567,보통예금,1000000,100,2024-05-15", "A-2,850301-1234567,적금,5000,0,2024-05-15",
            "B-1,900101-2345678,보통예금,300,0,2024-05-15")  # fmt: skip
    file.write_text("\n".join((",".join(FILE_COLUMNS), *rows)) + "\n", encoding="utf-8")
    imported = run_in(
        env, "dormant", "import", str(file), "--institution", "kb", "--sector", "bank", "--total", "1005300"
    )
    assert imported.returncode == 0, imported.stderr
    out = tmp_path / "notices.csv"
    done = run_in(env, "dormant", "notices", "--out", str(out), "--date", "2025-05-15", "--min-total", "1000")
    assert done.returncode == 0 and "1 notices written" in done.stdout, done.stderr
    text = out.read_text(encoding="utf-8-sig")
    assert text.splitlines()[0] == "notice_no,name,rrn_masked,deposits,total_won,institutions,sms"
    assert "DN202505-0000001,,850301-1******,2,1005000,1," in text and "1234567" not in text
